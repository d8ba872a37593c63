"""scripts/bench_scale.py at tiny sizes: the replication that grows the benchmark's corpus copies
every report table faithfully (each copy a distinct set of organs with the sample's cross-year
structure), and the script runs end to end.  No timings are checked."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "scripts" / "bench_scale.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _sample(folder: Path) -> None:
    """40 generated reports, plus one organ whose carry-over breaks every year (cross-year findings)."""
    from xxgk.synth.layouts import write
    from xxgk.synth.series import series

    bench.generate(folder, 40)
    rng = random.Random(5)
    for i, rep in enumerate(series(rng, 2019, 3, "东湖区青山白镇", broken=1.0)):
        (folder / f"broken{i}.txt").write_text(write(rep, "tsv", rng), encoding="utf-8")


def _counts(conn) -> dict[str, int]:
    q = lambda sql: conn.execute(sa.text(sql)).scalar()  # noqa: E731
    return {
        "reports": q("SELECT COUNT(*) FROM reports"),
        "cells": q("SELECT COUNT(*) FROM cells"),
        "findings": q("SELECT COUNT(*) FROM findings WHERE scope = 'report'"),
        "corpus": q("SELECT COUNT(*) FROM findings WHERE scope = 'corpus'"),
        "keys": q("SELECT COUNT(DISTINCT agency_key) FROM reports"),
        "key_years": q("SELECT COUNT(*) FROM (SELECT DISTINCT agency_key, year FROM reports) k"),
        "finding_keys": q("SELECT COUNT(DISTINCT key) FROM findings"),
    }


def test_replication_copies_every_report_table(store, tmp_path):
    from xxgk.agency import group_keys
    from xxgk.store.ingest import ingest

    _sample(tmp_path / "in")
    res = ingest(store, [tmp_path / "in"], jobs=1)
    assert res.stored == 43 and not res.failed
    with store.engine.connect() as conn:
        base = _counts(conn)
        base_keys = [k for (k,) in conn.execute(sa.text("SELECT DISTINCT agency_key FROM reports"))]
    assert base["corpus"] > 0  # the broken organ
    base_stats = store.compute_stats()

    # a per-report table the code does not know of (as a later migration may add): copied too,
    # its repeat of the report's agency key following the copy's
    with store.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE per_report_extra (report_id INTEGER PRIMARY KEY REFERENCES reports(id), "
                             "agency_key TEXT, weight INTEGER NOT NULL)"))
        conn.execute(sa.text("INSERT INTO per_report_extra SELECT id, agency_key, 7 FROM reports"))
    rep = bench.Replicator(store)
    assert {"reports", "cells", "findings", "per_report_extra"} <= set(rep.table_names())
    gen = store.generation()
    rep.grow(43 * 5, step=50)  # several steps, the last one a part of a copy ... then whole
    assert store.generation() > gen  # a write: the statistics cache is stale
    with store.engine.begin() as conn:
        grown = _counts(conn)
        keys = [k for (k,) in conn.execute(sa.text("SELECT DISTINCT agency_key FROM reports"))]
        conn.execute(sa.text("UPDATE reports SET cross_pending = " + ("TRUE" if store.dialect == "postgresql" else "1")))
    for what in ("reports", "cells", "findings", "keys", "key_years"):
        assert grown[what] == 5 * base[what], what
    with store.engine.connect() as conn:
        assert conn.execute(sa.text(
            "SELECT COUNT(*), SUM(weight) FROM per_report_extra x JOIN reports r ON r.id = x.report_id "
            "AND r.agency_key = x.agency_key")).one() == (5 * 43, 5 * 43 * 7)
    # each copy is its own organs: no key of a copy groups with a key of another
    assert len(set(group_keys(keys).values())) == 5 * len(set(group_keys(base_keys).values()))
    store.update_cross_year()
    with store.engine.connect() as conn:
        after = _counts(conn)
    assert after["corpus"] == 5 * base["corpus"]  # the same cross-year structure in every copy
    assert after["finding_keys"] == 5 * base["finding_keys"]
    st = store.stats()
    assert sum(g.reports for g in st.groups) == 5 * sum(g.reports for g in base_stats.groups)
    assert st.groups[0].totals["processed"] == 5 * base_stats.groups[0].totals["processed"]
    rep.drop()


def test_bench_scale_runs_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setattr(bench.tempfile, "mkdtemp", lambda prefix: str(tmp_path / "bench"))
    (tmp_path / "bench").mkdir()
    out = bench.main(["--sizes", "40,120", "--ingest-sample", "40", "--db", "", "--engines", "local",
                      "--jobs", "1", "--requests", "1", "--inprocess"])
    assert "| 40 reports | 120 reports | ratio 120/40 |" in out
    assert "| reports counted by stats | 40 | 120 | 3.0× |" in out
    assert "ingest 40 reports, local engine" in out
    assert not (tmp_path / "bench").exists()  # cleaned up
