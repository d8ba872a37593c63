"""The per-report totals table (xxgk.store.totals) gives the statistics the cell scan gave: the
same groups, totals, rates, finding counts, duplicates and not-reports, for every `by`, with and
without every version, under the filters — blanks adding nothing and zeros adding zero; it follows
re-parsing, the cross-year pass and the migration's backfill."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from xxgk import parse_bytes
from xxgk import template as T
from xxgk.store import STAT_DIMENSIONS, open_store, report_rows
from xxgk.store import schema as S
from xxgk.store import totals
from xxgk.store.core import _extra_versions
from xxgk.synth import random_report
from xxgk.synth.series import distinct_agencies, next_year

from .test_store import parsed, rename


def test_the_sql_of_each_total_is_add_cell():
    """The per-report SUM of each total takes exactly the cells add_cell adds to it."""
    conds = totals.total_conditions()
    for tpl in T.TEMPLATES.values():
        for table in tpl.tables:
            for row, col in table.cells():
                by_code = {t: 0 for t in totals.TOTALS}
                totals.add_cell(by_code, table.key, row.id, col.id, 1)
                by_sql = {t: int(any(table.key == tk and row.id in rows and col.id in cols for tk, rows, cols in conds[t]))
                          for t in totals.TOTALS}
                assert by_sql == by_code, (tpl.id, table.key, row.id, col.id)


def _corpus(store) -> None:
    """Organs over consecutive years (cross-year findings), blanks and zeros, several files of
    one organ-year (one with an error), a file that is not a report, and a re-parsed file."""
    rng = random.Random(15)
    names = distinct_agencies(rng)[:6]
    batch = []
    i = 0
    for k, name in enumerate(names):
        year = 2019 + k % 3
        rep = random_report(random.Random(100 + k), T.for_year(year).id, year, name, zero_share=0.3)
        for _ in range(3):
            batch.append(report_rows(parsed(rep, i)))
            i += 1
            rep = next_year(rep, random.Random(200 + i))
        if k % 2:  # a further year with some cells left blank
            rep = random_report(random.Random(300 + k), T.for_year(rep.year).id, rep.year, name, blank_share=0.2)
            batch.append(report_rows(parsed(rep, i)))
            i += 1
    # a whole table left blank (the appeals): its totals are NULL, not 0
    blank = random_report(random.Random(7), "2021", 2022, names[0], blank_share=1.0)
    batch.append(report_rows(parsed(blank, i, name="blank.txt")))
    # the same organ-year in three files: a copy, and one with an error (never the one counted)
    dup = random_report(random.Random(8), "2021", 2023, "临川区梅岭镇人民政府")
    batch.append(report_rows(parsed(dup, 50, name="梅岭镇.txt")))
    other = random_report(random.Random(9), "2021", 2023, "临川区梅岭镇人民政府")
    batch.append(report_rows(parsed(other, 51, name="梅岭镇.html")))
    broken = random_report(random.Random(10), "2021", 2023, "临川区梅岭镇人民政府")
    broken.values["appeals"]["reconsideration"]["total"] += 1
    batch.append(report_rows(parsed(broken, 52, name="梅岭镇-草稿.txt")))
    spelled = random_report(random.Random(11), "2021", 2023)
    rename(spelled, "梅岭镇人民政府")  # the same organ without its places (merged by=agency)
    batch.append(report_rows(parsed(spelled, 53, name="梅岭镇2.txt")))
    notice = parse_bytes("关于做好春节期间值班工作的通知\n各单位：请做好值班安排。\n".encode(), "n.txt", path="/c/n.txt")
    batch.append(report_rows(notice))
    store.write(batch[: len(batch) // 2])
    store.write(batch[len(batch) // 2 :])
    # a newer parser re-parses one file in place; another file moves to another organ-year
    store.write([report_rows(parsed(dup, 50, name="梅岭镇.txt"), parser_version="999")])
    store.update_cross_year()


def _old_counts(store, **filters):
    R = S.reports
    with store.engine.connect() as conn:
        conds = store._where(conn, filters)
        n = lambda *c: conn.execute(sa.select(sa.func.count()).select_from(R).where(*conds, *c)).scalar_one()  # noqa: E731
        files, not_reports = n(), n(sa.not_(R.c.is_report))
        duplicates = n(R.c.is_report, R.c.id.in_(_extra_versions()))
    return files, not_reports, duplicates


def _filters(store):
    some = store.reports(is_report=True)
    level = next(r.level for r in some if r.level)
    region = next(r.region for r in some if r.region)
    code = store.findings(limit=1)[0].code
    return [
        {}, {"year": 2021}, {"year": (2020, 2022)}, {"year": (None, 2020)}, {"level": level},
        {"region": region[:2]}, {"agency": "梅岭镇"}, {"agency": some[0].agency}, {"code": code},
        {"has_errors": True}, {"has_errors": False}, {"q": "梅岭"}, {"sha256": [r.sha256 for r in some[:5]]},
        {"ids": [r.id for r in some[::2]]}, {"template": "2021"}, {"year": 2023, "agency": "梅岭镇"},
    ]


def test_stats_from_the_totals_equal_the_cell_scan(store):
    _corpus(store)
    st = store.compute_stats()
    assert st.duplicates >= 2 and st.not_reports == 1 and st.groups[0].findings  # the corpus has them
    for f in _filters(store):
        for by in (None, *STAT_DIMENSIONS):
            for all_versions in (False, True):
                new = store.compute_stats(by, all_versions=all_versions, **f)
                old = store._compute_stats_scan(by, all_versions=all_versions, **f)
                assert new.to_json() == old.to_json(), (by, all_versions, f)
        c = store.counts(**f)
        assert (c.files, c.not_reports, c.duplicates) == _old_counts(store, **f), f


def test_blank_adds_nothing_and_zero_adds_zero(store):
    rep = random_report(random.Random(3), "2021", 2023, "东湖区白沙镇人民政府", blank_share=1.0)
    store.add(parsed(rep), cross_year=False)
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(S.report_totals)).one()._mapping
    assert all(row[t] is None for t in totals.TOTALS)  # nothing stated
    assert store.compute_stats().to_json() == store._compute_stats_scan().to_json()
    zero = random_report(random.Random(4), "2021", 2023, "东湖区白沙镇人民政府", zero_share=1.0)
    store.add(parsed(zero, 1), cross_year=False)
    st = store.compute_stats(all_versions=True)
    assert st.to_json() == store._compute_stats_scan(all_versions=True).to_json()
    assert st.groups[0].totals["processed"] == 0 and st.groups[0].rates["granted_share"] is None


def test_no_statistics_request_reads_the_cells(store):
    _corpus(store)
    seen = []

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def _log(conn, cursor, statement, *a):
        seen.append(statement)

    store.compute_stats(by="year")
    store.compute_stats(region="区", all_versions=True)
    store.counts()
    assert seen and not [s for s in seen if "cells" in s]


def test_the_migration_fills_the_totals_of_a_corpus_stored_before_it(db_url):
    from alembic import command

    from xxgk.store.db import _alembic_config

    store = open_store(db_url)
    _corpus(store)
    want = store.compute_stats(by="agency").to_json()

    def rows():
        with store.engine.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(sa.select(S.report_totals)))

    before = rows()
    assert len(before) == store.count()
    with store.engine.begin() as conn:  # a database from before 0007: at 0008, its sibling
        command.downgrade(_alembic_config(conn), "0007")  # the merge of the two undone
        conn.execute(sa.text("DROP TABLE report_totals"))  # 0007 undone, 0008 kept
        conn.execute(sa.text("DELETE FROM alembic_version WHERE version_num = '0007'"))
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == ["0008"]
    with store.engine.connect() as conn:
        assert "report_totals" not in sa.inspect(conn).get_table_names()
    store.close()
    store = open_store(db_url)  # upgrades: creates and fills the table
    assert rows() == before
    assert store.compute_stats(by="agency").to_json() == want
    store.close()


@pytest.mark.parametrize("dialect", ["sqlite"])
def test_totals_follow_a_removed_report(tmp_path, dialect):
    store = open_store(str(tmp_path / "c.db"))
    store.add(parsed(random_report(random.Random(1), "2021", 2022, "东湖区白沙镇人民政府")), cross_year=False)
    with store.engine.begin() as conn:
        conn.execute(S.reports.delete())
        assert conn.execute(sa.select(sa.func.count()).select_from(S.report_totals)).scalar_one() == 0
    store.close()


def _cross_state(store):
    found = sorted((f.code, f.report_id, f.message, str(sorted(f.where.items()))) for f in store.findings(scope="corpus"))
    counts = sorted((r.id, r.n_errors, r.n_warnings, r.n_infos, r.has_errors) for r in store.reports())
    return found, counts


def test_the_cross_year_pass_is_one_ordered_pass_whatever_its_batch_size(store, monkeypatch):
    """Organs of one base name in several counties (a base bigger than a batch), others beside:
    the pass with batches of 2 keys finds what the pass with the default finds, reads each batch
    from where the last ended, and leaves the totals equal to the cell scan."""
    from xxgk.store import crossyear

    batch = []
    i = 0
    for county in ("东湖区", "西山县", "南江县", "北原市", "临川区"):
        rep = random_report(random.Random(i), "2021", 2021, f"{county}青山镇人民政府")
        for _ in range(3):
            batch.append(report_rows(parsed(rep, i, name=f"q{i}.txt")))
            i += 1
            rep = next_year(rep, random.Random(i), consistent=bool(i % 2))
    bare = random_report(random.Random(99), "2021", 2024, "青山镇人民政府")  # ambiguous: its own group
    batch.append(report_rows(parsed(bare, 99, name="bare.txt")))
    for k, name in enumerate(distinct_agencies(random.Random(5))[:4]):
        rep = random_report(random.Random(50 + k), "2021", 2022, name)
        batch += [report_rows(parsed(rep, 60 + k)), report_rows(parsed(next_year(rep, random.Random(k), consistent=False), 70 + k))]
    store.write(batch)
    calls = []
    real = crossyear._pending
    monkeypatch.setattr(crossyear, "_pending", lambda conn, after: calls.append(after) or real(conn, after))
    monkeypatch.setattr(crossyear, "PENDING_KEYS", 2)
    store.update_cross_year()
    small = _cross_state(store)
    assert small[0]  # the corpus has cross-year findings
    afters = [a for a in calls if a is not None]
    assert afters == sorted(set(afters))  # every batch starts after the last one: one pass in order
    assert store.compute_stats().to_json() == store._compute_stats_scan().to_json()
    with store.engine.begin() as conn:
        conn.execute(S.reports.update().values(cross_pending=True))
    monkeypatch.setattr(crossyear, "PENDING_KEYS", 200)
    store.update_cross_year()
    assert _cross_state(store) == small
    assert store.compute_stats(by="agency").to_json() == store._compute_stats_scan(by="agency").to_json()


def test_two_writers_at_once_keep_one_counted_file_per_organ_year(db_url, monkeypatch):
    """Two batches with a file each of one organ and year, the second written while the first
    has chosen its counted file but not yet committed: the second waits for the first (the write
    generation's row, and the totals lock), and exactly one file counts."""
    import threading

    from xxgk.store import core

    rows = [report_rows(parsed(random_report(random.Random(k), "2021", 2023, "东湖区白沙镇人民政府"), k,
                               name=f"b{k}.txt")) for k in range(2)]
    first_chose, second_chose = threading.Event(), threading.Event()
    real = core._totals.write

    def write(conn, ids, old_groups=frozenset()):
        real(conn, ids, old_groups)
        if threading.current_thread().name == "first":
            first_chose.set()
            second_chose.wait(3)  # the second writer gets here only after our commit (the lock)
        else:
            second_chose.set()

    monkeypatch.setattr(core._totals, "write", write)
    stores = [open_store(db_url) for _ in range(2)]
    errors = []

    def run(store, rr, wait=None):
        try:
            if wait is not None:
                wait.wait(10)
            store.write([rr])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(stores[0], rows[0]), name="first"),
               threading.Thread(target=run, args=(stores[1], rows[1], first_chose), name="second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    c = stores[0].counts()
    assert (c.files, c.reports, c.duplicates) == (2, 1, 1)
    assert stores[0].compute_stats().to_json() == stores[0]._compute_stats_scan().to_json()
    for s in stores:
        s.close()
