"""Statistics are cached in the database until the next write: the cached answer is the computed
one, a write (or the cross-year pass) makes it stale, and another process sees the same cache."""

from __future__ import annotations

import random

import sqlalchemy as sa

from xxgk.store import open_store
from xxgk.store.ingest import ingest
from xxgk.store.rows import report_rows
from xxgk.synth import random_report

from .conftest import write_synth
from .test_store import parsed


def _cached(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT COUNT(*) FROM stats_cache")).scalar_one()


def test_cached_stats_equal_computed_and_go_stale_on_write(db_url, tmp_path):
    write_synth(tmp_path / "in", 30, seed=4, agencies=8)
    store = open_store(db_url)
    ingest(store, [tmp_path / "in"], jobs=1)
    gen = store.generation()
    assert gen >= 1
    for args in ({}, {"by": "year"}, {"by": "level", "year": (2019, 2021)}, {"by": "agency", "all_versions": True}):
        first = store.stats(**args)
        assert first.to_json() == store.compute_stats(**args).to_json()
        again = store.stats(**args)  # from the cache
        assert again.to_json() == first.to_json() and again == first
    assert _cached(store) == 4
    # another connection (another process: the CLI beside the desk) reads the same cache
    other = open_store(db_url)
    assert other.stats(by="year") == store.stats(by="year")
    before = store.stats().groups[0].reports
    rep = random_report(random.Random(99), "2021", 2023, agency="东湖区白沙镇人民政府")
    store.write([report_rows(parsed(rep))])
    assert store.generation() == gen + 1
    assert other.stats().groups[0].reports == before + 1  # not the stale cached answer
    other.close()
    store.close()


def test_an_unchanged_store_keeps_its_generation(db_url, tmp_path):
    write_synth(tmp_path / "in", 5, seed=2)
    store = open_store(db_url)
    ingest(store, [tmp_path / "in"], jobs=1)
    gen = store.generation()
    store.stats()
    ingest(store, [tmp_path / "in"], jobs=1)  # everything skipped: nothing written
    assert store.generation() == gen
    store.close()
