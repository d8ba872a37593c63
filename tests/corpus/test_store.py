"""The store API on SQLite and PostgreSQL: round trips, idempotence, re-parsing, reviews,
cross-year findings, stats against sums computed here, history, failures, migrations."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk import parse_bytes
from xxgk import template as T
from xxgk.store import open_store, report_rows
from xxgk.synth import narrative, random_report
from xxgk.synth.layouts import LAYOUTS, write
from xxgk.synth.series import next_year, series


def parsed(rep, i=0, layout=None, name=None):
    text = write(rep, layout or LAYOUTS[i % len(LAYOUTS)], random.Random(i))
    return parse_bytes(text.encode("utf-8"), name or f"r{i}.txt", path=f"/corpus/{name or f'r{i}.txt'}")


def rename(rep, agency):
    """File a synthetic report under another name (title and narrative)."""
    rep.agency, rep.title = agency, f"{agency}{rep.year}年政府信息公开工作年度报告"
    rep.sections = narrative(rep.values, agency, rep.year, random.Random(0))


def values(report):
    return {k: {r: {c: v.value for c, v in cols.items()} for r, cols in rows.items()} for k, rows in report.tables.items()}


def provenance(report):
    return {(k, r, c): (v.status, v.raw, v.line, v.page, v.cell)
            for k, rows in report.tables.items() for r, cols in rows.items() for c, v in cols.items()}


def test_round_trip_every_cell_and_its_provenance(store):
    rep = random_report(random.Random(7), "2021", 2023)
    rep.values["active"]["fees"]["amount_wan_yuan"] = Decimal("1234.56")  # money keeps its cents
    report = parsed(rep)
    rid = store.add(report)
    back = store.report(rid)
    assert values(back) == values(report) == rep.canonical()
    assert back.value("active", "fees", "amount_wan_yuan") == Decimal("1234.56")
    assert provenance(back) == provenance(report)
    assert back.meta.agency == report.meta.agency and back.meta.year == 2023
    assert back.source.sha256 == report.source.sha256
    assert [s.text for s in back.sections] == [s.text for s in report.sections]
    assert [(f.code, f.where) for f in back.findings] == [(f.code, f.where) for f in report.findings]
    assert store.report(report.source.sha256).source.path == "/corpus/r0.txt"
    assert store.report(999_999) is None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), template=st.sampled_from(sorted(T.TEMPLATES)), zero=st.sampled_from([0.0, 0.3]))
def test_round_trip_property(store, seed, template, zero):
    rep = random_report(random.Random(seed), template, zero_share=zero)
    report = parsed(rep, seed)
    rid = store.add(report, cross_year=False)
    back = store.report(rid)
    assert values(back) == rep.canonical()
    assert provenance(back) == provenance(report)


def test_blank_is_not_zero(store):
    rep = random_report(random.Random(3), "2021", 2023)
    report = parsed(rep, layout="tsv")
    cell = report.tables["requests"]["granted"]["research"]
    cell.value, cell.status, cell.raw = None, "blank", "/"
    back = store.report(store.add(report))
    v = back.tables["requests"]["granted"]["research"]
    assert (v.value, v.status, v.raw) == (None, "blank", "/")


def test_same_file_twice_is_one_report_and_a_new_parser_version_reparses_in_place(store):
    report = parsed(random_report(random.Random(1), "2019", 2020))
    rows = report_rows(report)
    first = store.write([rows, report_rows(report)])  # the same content twice in one batch
    assert (first.stored, first.skipped) == (1, 1)
    again = store.write([report_rows(report)])
    assert (again.stored, again.skipped) == (0, 1)
    assert store.count() == 1
    rid = store.reports()[0].id
    newer = store.write([report_rows(report, parser_version="999")])
    assert (newer.stored, newer.replaced) == (0, 1)
    assert store.count() == 1
    s = store.summary(rid)
    assert s.parser_version == "999" and s.id == rid
    assert values(store.report(rid)) == values(report)


def test_review_survives_reingest_and_reparse(store):
    rep = random_report(random.Random(5), "2021", 2023)
    rep.values["requests"]["granted"]["total"] += 1  # breaks the row sum: T3_ROW_SUM
    report = parsed(rep)
    rid = store.add(report)
    found = store.findings(code="T3_ROW_SUM")
    assert len(found) == 1 and found[0].report_id == rid and found[0].review is None
    key = found[0].key
    store.review(key, "confirmed", "表中合计确实有误", "张三")
    store.write([report_rows(report, parser_version="999")])  # re-parsed: findings rewritten
    after = store.findings(code="T3_ROW_SUM")
    assert [f.key for f in after] == [key]
    assert (after[0].review.status, after[0].review.comment, after[0].review.reviewer) == ("confirmed", "表中合计确实有误", "张三")
    assert store.findings(review="confirmed")[0].key == key
    assert store.findings(review="unreviewed", code="T3_ROW_SUM") == []
    store.review(key, "dismissed")
    assert store.get_review(key).status == "dismissed"
    assert store.resolve_finding_key(key[:12]) == key
    store.clear_review(key)
    assert store.get_review(key) is None
    with pytest.raises(ValueError):
        store.review(key, "maybe")
    with pytest.raises(KeyError):
        store.review("0" * 40, "confirmed")


def test_cross_year_findings_stored_and_recomputed(store):
    rng = random.Random(11)
    reps = series(rng, 2021, 3, "东湖区青山镇人民政府")  # carries over: no finding
    ids = [store.add(parsed(r, i, name=f"q{i}.txt")) for i, r in enumerate(reps)]
    assert store.findings(scope="corpus") == []
    # a fourth year that does not carry over, filed under the name without its county prefix
    bad = next_year(reps[-1], rng, consistent=False)
    rename(bad, "青山镇")
    forward = reps[-1].values["requests"]["carried_forward"]
    over = bad.values["requests"]["carried_over"]
    mismatched = {c for c in forward if forward[c] != over[c]}
    assert mismatched
    bad_report = parsed(bad, 3, name="q3.txt")
    bad_id = store.add(bad_report)
    cross = store.findings(scope="corpus")
    assert {f.report_id for f in cross} <= {bad_id}
    got = {f.where["column"] for f in cross if f.code == "CARRY_OVER_MISMATCH"}
    assert got == mismatched
    assert all(f.where["previous"]["year"] == 2023 for f in cross)
    s = store.summary(bad_id)
    assert s.has_errors and s.n_errors == sum(1 for f in store.findings(report_id=bad_id) if f.severity == "error")
    # the same organ under a second county: the bare name is now ambiguous, its pairing goes away
    other = random_report(random.Random(12), "2021", 2023, agency="西山县青山镇人民政府")
    store.add(parsed(other, 9, name="other.txt"))
    assert store.findings(scope="corpus") == []
    s = store.summary(bad_id)
    assert s.n_errors == sum(1 for f in store.findings(report_id=bad_id, scope="report") if f.severity == "error")
    assert s.has_errors == (s.n_errors > 0)
    h = store.history("青山镇")
    assert h.candidates == ["东湖区青山镇", "西山县青山镇"]
    h = store.history("东湖区青山镇人民政府")
    assert [r.year for r in h.reports] == [2021, 2022, 2023] and h.key == "东湖区青山镇"
    assert ids == [r.id for r in h.reports]


def test_history_lines_up_years_and_values(store):
    reps = series(random.Random(21), 2020, 3, "南江县柳林乡人民政府")
    for i, r in enumerate(reps):
        store.add(parsed(r, i, name=f"h{i}.txt"))
    h = store.history("南江縣柳林鄉")  # Traditional, no suffix
    assert [r.year for r in h.reports] == [2020, 2021, 2022]
    assert [r.template for r in h.reports] == ["2019", "2021", "2021"]
    cell = ("requests", "carried_forward", "total")
    assert [h.values[cell][r.id] for r in h.reports] == [r.values["requests"]["carried_forward"]["total"] for r in reps]
    assert h.findings == []
    assert store.history("不存在的机关").reports == []


def _independent_sums(reps):
    """The stats totals straight from the synthetic values, by the spec's own row names."""
    req_rows = {
        "granted": lambda r: r == "granted",
        "partially_granted": lambda r: r == "partially_granted",
        "withheld": lambda r: r.startswith("withheld_"),
        "unavailable": lambda r: r.startswith("unavailable_"),
        "rejected": lambda r: r.startswith("rejected_"),
        "other": lambda r: r == "other" or r.startswith("other_"),
    }
    out = {k: 0 for k in ("new_received", "processed", *req_rows, "reconsideration", "reconsideration_corrected",
                          "reconsideration_concluded", "litigation", "litigation_corrected", "litigation_concluded")}
    for rep in reps:
        req, app = rep.values["requests"], rep.values["appeals"]
        out["new_received"] += req["new_received"]["total"]
        out["processed"] += req["total_processed"]["total"]
        for name, match in req_rows.items():
            out[name] += sum(cols["total"] for row, cols in req.items() if match(row))
        for block, rows in (("reconsideration", ["reconsideration"]),
                            ("litigation", ["litigation_direct", "litigation_after_reconsideration"])):
            out[block] += sum(app[r]["total"] for r in rows)
            out[f"{block}_corrected"] += sum(app[r]["corrected"] for r in rows)
            out[f"{block}_concluded"] += sum(app[r]["upheld"] + app[r]["corrected"] + app[r]["other"] for r in rows)
    return out


def test_stats_agree_with_independent_sums(store):
    rng = random.Random(31)
    reps = []
    for i in range(24):
        year = 2019 + i % 6
        rep = random_report(rng, T.for_year(year).id, year, zero_share=0.2)
        reps.append(rep)
        store.add(parsed(rep, i, name=f"s{i}.txt"), cross_year=False)
    st_all = store.stats()
    assert len(st_all.groups) == 1
    g = st_all.groups[0]
    want = _independent_sums(reps)
    assert g.reports == 24
    for k, v in want.items():
        assert g.totals[k] == v, k
    assert g.rates["granted_share"] == pytest.approx(want["granted"] / want["processed"], abs=1e-6)
    assert g.rates["withheld_share"] == pytest.approx(want["withheld"] / want["processed"], abs=1e-6)
    assert g.rates["litigation_correction"] == pytest.approx(want["litigation_corrected"] / want["litigation_concluded"], abs=1e-6)
    by_year = {g.key: g for g in store.stats(by="year").groups}
    assert set(by_year) == set(range(2019, 2025))
    for year, grp in by_year.items():
        mine = [r for r in reps if r.year == year]
        assert grp.reports == len(mine)
        assert grp.totals == {**grp.totals, **_independent_sums(mine)}
    assert store.stats(by="year", year=2020).groups[0].totals["processed"] == _independent_sums(
        [r for r in reps if r.year == 2020])["processed"]
    by_level = store.stats(by="level")
    assert sum(g.reports for g in by_level.groups) == 24


def test_stats_count_reports_with_each_finding(store):
    rng = random.Random(41)
    for i in range(6):
        rep = random_report(rng, "2021", 2023)
        if i % 2:
            rep.values["appeals"]["reconsideration"]["total"] += 1  # T4_SUM in 3 reports
        store.add(parsed(rep, i, name=f"f{i}.txt"), cross_year=False)
    g = store.stats().groups[0]
    assert g.findings.get("T4_SUM") == 3
    assert g.with_errors == 3
    assert store.stats().severities["T4_SUM"] == "error"
    assert store.count(has_errors=True) == 3 and store.count(code="T4_SUM") == 3


def test_stats_by_agency_merges_spellings_of_one_organ(store):
    reps = series(random.Random(51), 2021, 2, "临川区梅岭镇人民政府")
    rename(reps[1], "梅岭镇")
    for i, r in enumerate(reps):
        store.add(parsed(r, i, name=f"a{i}.txt"))
    groups = store.stats(by="agency").groups
    assert [(g.key, g.reports, g.keys) for g in groups] == [("临川区梅岭镇", 2, ["临川区梅岭镇", "梅岭镇"])]


def test_failures_are_recorded_and_cleared(store):
    store.add_failure("/x/empty.txt", "e3b0", "empty", "文件是空的")
    store.add_failure("/x/empty.txt", "e3b0", "empty", "文件是空的")  # same file again: one row
    assert [(f.path, f.reason) for f in store.failures()] == [("/x/empty.txt", "empty")]
    assert store.known_failures([("/x/empty.txt", "e3b0"), ("/y.txt", "e3b0")]) == {("/x/empty.txt", "e3b0")}


def test_filters(store):
    a = random_report(random.Random(61), "2021", 2022, agency="榆阳区古塔镇人民政府")
    b = random_report(random.Random(62), "2021", 2023, agency="陕西省榆林市教育局")
    ia = store.add(parsed(a, 1, name="a.txt"))
    ib = store.add(parsed(b, 2, name="b.txt"))
    assert [r.id for r in store.reports(agency="古塔镇")] == [ia]
    assert [r.id for r in store.reports(level="乡镇街道")] == [ia]
    assert [r.id for r in store.reports(kind="部门")] == [ib]
    assert [r.id for r in store.reports(region="榆林")] == [ib]
    assert [r.id for r in store.reports(year=(2023, None))] == [ib]
    assert [r.id for r in store.reports(q="b.txt")] == [ib]
    assert store.count(year=2021) == 0
    with pytest.raises(TypeError):
        store.reports(colour="red")


def test_migrations_match_the_schema(db_url):
    """The shipped migrations create exactly the tables the code uses."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from xxgk.store.db import head_revision
    from xxgk.store.schema import metadata

    store = open_store(db_url)
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert ctx.get_current_revision() == head_revision()
        assert compare_metadata(ctx, metadata) == []
    store.close()
    again = open_store(db_url)  # opening an up-to-date database changes nothing
    assert again.count() == 0
    again.close()


def test_stats_count_one_report_per_agency_and_year(store):
    rng = random.Random(61)
    one = random_report(rng, "2021", 2023, agency="临川区梅岭镇人民政府")
    other = random_report(rng, "2021", 2023, agency="安平县石门乡人民政府")
    corrected = random_report(rng, "2021", 2023, agency="临川区梅岭镇人民政府")
    broken = random_report(rng, "2021", 2023, agency="临川区梅岭镇人民政府")
    broken.values["appeals"]["reconsideration"]["total"] += 1  # an error: never the version counted
    store.add(parsed(one, 1, name="梅岭镇.pdf"), cross_year=False)
    store.add(parsed(other, 2, name="石门乡.txt"), cross_year=False)
    store.add(parsed(corrected, 3, name="梅岭镇-更正.html"), cross_year=False)
    store.add(parsed(broken, 4, name="梅岭镇-草稿.txt"), cross_year=False)
    st = store.stats()
    assert (st.groups[0].reports, st.duplicates, st.groups[0].with_errors) == (2, 2, 0)
    assert st.groups[0].totals == {**st.groups[0].totals, **_independent_sums([other, corrected])}
    everything = store.stats(all_versions=True)
    assert (everything.groups[0].reports, everything.duplicates) == (4, 0)
    assert everything.groups[0].totals == {**everything.groups[0].totals, **_independent_sums([one, other, corrected, broken])}
