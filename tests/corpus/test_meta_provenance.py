"""Where the agency and the year came from, kept by the store (migration 0008) on SQLite and
PostgreSQL: a round trip through Store.add and through ingest, and an older corpus upgraded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import sqlalchemy as sa

from xxgk import parse_path
from xxgk.report import _json_default
from xxgk.store import open_store, report_rows
from xxgk.store.ingest import ingest

META = Path(__file__).resolve().parents[1] / "fixtures" / "meta"
FIXTURES = ("contact_only.txt", "fuller_contact.txt", "pipe_title.txt", "no_title_opening.txt", "silent.txt",
            "page_title.html")
FIELDS = ("agency", "agency_source", "agency_raw", "agency_line", "agency_span", "agency_beat",
          "year", "year_source", "year_raw", "year_line", "year_span")


def _canonical(report) -> dict:
    return json.loads(json.dumps(report.to_json(), ensure_ascii=False, default=_json_default))


def test_store_round_trip_keeps_the_sources(store):
    for name in FIXTURES:
        report = parse_path(META / name)
        back = store.report(store.add(report, cross_year=False))
        assert {k: getattr(back.meta, k) for k in FIELDS} == {k: getattr(report.meta, k) for k in FIELDS}, name
        assert _canonical(back)["meta"] == _canonical(report)["meta"], name
    contact = store.reports(q="contact_only")[0]
    assert (contact.agency_source, contact.agency_raw, contact.year_source) == (
        "contact", "请与青禾市东岭区石泉镇人民政府办公室联系", "body")
    silent = store.reports(q="silent")[0]
    assert (silent.agency, silent.agency_source, silent.agency_raw) == (None, None, None)
    assert "MISSING_AGENCY" in [f.code for f in store.findings(report_id=silent.id)]


def test_ingest_fills_the_columns(store, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in FIXTURES:
        shutil.copy(META / name, folder / name)
    res = ingest(store, [folder], jobs=1)
    assert res.stored == len(FIXTURES), res
    for name in FIXTURES:
        want = parse_path(folder / name)
        (s,) = store.reports(q=name)
        got = store.report(s.id)
        assert {k: getattr(got.meta, k) for k in FIELDS} == {k: getattr(want.meta, k) for k in FIELDS}, name
        assert (s.agency_source, s.agency_raw, s.year_source) == (want.meta.agency_source, want.meta.agency_raw,
                                                                   want.meta.year_source)
    with store.engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT agency_source, agency_line, agency_start, agency_end, agency_beat FROM reports "
            "WHERE source_name = 'fuller_contact.txt'")).one()
    assert tuple(row[:4]) == ("contact", 5, 9, 23)
    assert json.loads(row[4]) == [["compiled", "松涧镇", 1]]


def test_an_older_corpus_is_upgraded_and_shows_no_source(db_url):
    """A corpus at revision 0003 (before the sources): upgraded, its reports keep their agency,
    with a null source, until they are parsed again."""
    from datetime import datetime, timezone

    from alembic import command

    from xxgk.store.db import _alembic_config, database_url

    report = parse_path(META / "contact_only.txt")
    engine = sa.create_engine(database_url(db_url))
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0003")
        old = sa.Table("reports", sa.MetaData(), autoload_with=conn)
        assert "agency_source" not in old.c
        row = {k: v for k, v in report_rows(report).report.items() if k in old.c}
        conn.execute(old.insert().values(**row, ingested_at=datetime.now(timezone.utc), cross_pending=False))
    engine.dispose()
    store = open_store(db_url)  # upgrades to head
    (s,) = store.reports()
    assert (s.agency, s.agency_source, s.agency_raw, s.year_source) == ("青禾市东岭区石泉镇人民政府", None, None, None)
    back = store.report(s.id)
    assert back.meta.agency == "青禾市东岭区石泉镇人民政府" and back.meta.agency_beat == ()
    assert back.to_json()["meta"]["provenance"] == {"agency": {"source": None}, "year": {"source": None}}
    store.close()
