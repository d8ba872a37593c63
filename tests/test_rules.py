"""Every rule fires on a report broken in just that way, and stays silent on consistent ones."""

import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk import checks
from xxgk import template as T
from xxgk.synth import random_report

from .support import codes, consistent, parse_synth

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LAYOUTS = ("tsv", "pipe", "tab-cell", "cells", "pdf")

# which rules involve a Table 3 / Table 4 cell — written out here, independent of the declaration
BALANCE_ROWS = {"new_received", "carried_over", "total_processed", "carried_forward"}
RESTATED = {("requests", "new_received", "total"), ("requests", "carried_over", "total"),
            ("requests", "carried_forward", "total"), ("appeals", "reconsideration", "total"),
            ("appeals", "litigation_direct", "total"), ("appeals", "litigation_after_reconsideration", "total")}


def expected_codes(table, row, col):
    out = set()
    if table == "requests":
        out.add("T3_ROW_SUM")
        if row in BALANCE_ROWS:
            out.add("T3_BALANCE")
        if row not in ("new_received", "carried_over", "carried_forward"):
            out.add("T3_RESULT_SUM")
    elif table == "appeals":
        out.add("T4_SUM")
    if (table, row, col) in RESTATED:
        out.add("NARRATIVE_TABLE_MISMATCH")
    return out


@SETTINGS
@given(seed=st.integers(0, 2**32), template_id=st.sampled_from(sorted(T.TEMPLATES)), layout=st.sampled_from(LAYOUTS),
       data=st.data())
def test_one_corrupted_cell_trips_exactly_its_rules(seed, template_id, layout, data):
    rep = consistent(seed, template_id)
    tpl = T.get(template_id)
    slots = [(t.key, r.id, c) for t in tpl.tables for r, col in t.cells() for c in [col.id]
             if tpl.table(t.key).column(c).kind is T.Kind.COUNT]
    table, row, col = data.draw(st.sampled_from(slots))
    delta = data.draw(st.integers(1, 7))
    clean = parse_synth(rep, layout, seed)
    assert codes(clean) == []  # consistent: not a single false alarm
    rep.values[table][row][col] += delta
    report = parse_synth(rep, layout, seed)
    got = set(codes(report))
    assert got == expected_codes(table, row, col), (table, row, col)
    for f in report.findings:
        if f.code.startswith(("T3_", "T4_")):
            assert f"差{delta}" in f.message or f"差-{delta}" in f.message, f.message


def test_corrupted_cell_message_names_the_cell_and_numbers():
    rep = consistent(3)
    rep.values["requests"]["new_received"]["natural_person"] += 2
    report = parse_synth(rep)
    (f,) = [f for f in report.findings if f.code == "T3_BALANCE"]
    v = rep.values["requests"]
    assert f.message == (
        f"表三 自然人列：本年新收{v['new_received']['natural_person']} + 上年结转{v['carried_over']['natural_person']}"
        f" ≠ 办理结果总计{v['total_processed']['natural_person']} + 结转下年度{v['carried_forward']['natural_person']}，差2"
    )
    assert f.where["column"] == "natural_person" and f.where["table"] == "requests"


def test_t4_sum():
    rep = consistent(4)
    rep.values["appeals"]["litigation_direct"]["upheld"] += 1
    report = parse_synth(rep)
    assert codes(report) == ["T4_SUM"]
    (f,) = report.findings
    assert f.where["row"] == "litigation_direct" and "未经复议直接起诉" in f.message


def test_negative_value_except_2019_change():
    rep = consistent(5)
    rep.values["active"]["penalty"]["decisions"] = -2
    assert codes(parse_synth(rep)) == ["NEGATIVE_VALUE"]
    rep = consistent(5, "2019")
    rep.values["active"]["licensing"]["change"] = -4
    report = parse_synth(rep)
    assert codes(report) == [] and report.tables["active"]["licensing"]["change"].value == -4


def test_non_integer_count():
    rep = consistent(6)
    rep.values["active"]["licensing"]["decisions"] = Decimal("3.5")
    assert codes(parse_synth(rep)) == ["NON_INTEGER"]
    rep = consistent(6)
    rep.values["active"]["fees"]["amount_wan_yuan"] = Decimal("12.35")  # money: decimals are fine
    assert codes(parse_synth(rep)) == []


def test_blank_cell_makes_its_identities_not_evaluated_not_failed():
    rep = consistent(7)
    rep.values["requests"]["granted"]["commercial"] = None
    report = parse_synth(rep, "tab-cell")
    assert codes(report) == ["BLANK_CELL"]
    info = sorted(f.where["rule"] for f in report.findings if f.code == "NOT_EVALUATED")
    assert info == ["T3_RESULT_SUM", "T3_ROW_SUM"]


def test_outdated_template():
    rep = random_report(random.Random(8), "2019", year=2022, zero_share=0.05)
    report = parse_synth(rep)
    assert codes(report) == ["OUTDATED_TEMPLATE"]
    assert report.template == "2019"
    assert codes(parse_synth(random_report(random.Random(8), "2019", year=2020))) == []


def test_year_mismatch_between_title_and_period():
    rep = consistent(9, year=2024)
    report = parse_synth(rep, edit=lambda t: t.replace("统计期限自2024年1月1日起至2024年12月31日止", "统计期限自2023年1月1日起至2023年12月31日止"))
    assert codes(report) == ["YEAR_MISMATCH"]
    assert "标题为2024年" in report.findings[0].message and "统计期限为2023年" in report.findings[0].message


def test_year_mismatch_body_speaks_of_another_year():
    rep = consistent(10, year=2024)
    report = parse_synth(rep, edit=lambda t: t.replace("统计期限自2024年1月1日起至2024年12月31日止", "统计期限自1月1日起至12月31日止").replace("2024年，", "2022年，"))
    assert codes(report) == ["MISSING_PERIOD", "YEAR_MISMATCH"]


def test_fee_not_stated():
    rep = consistent(11)
    rep.sections[6] = "无。"
    assert codes(parse_synth(rep)) == ["FEE_NOT_STATED"]
    rep = random_report(random.Random(11), "2019", year=2020)
    rep.sections[6] = "无。"
    assert codes(parse_synth(rep)) == []  # the fee statement is required from 2021 on


def test_missing_section_and_missing_table():
    rep = consistent(12)
    report = parse_synth(rep, edit=lambda t: t.replace("五、存在的主要问题及改进情况\n", ""))
    assert codes(report) == ["MISSING_SECTION"]
    assert report.findings[0].where == {"section": 5}

    def drop_table4(text):
        head = text.index("四、政府信息公开行政复议")
        tail = text.index("五、存在的主要问题")
        return text[:head] + text[tail:]

    report = parse_synth(rep, edit=drop_table4)
    assert codes(report) == ["MISSING_SECTION", "MISSING_TABLE"]
    assert {f.where.get("table") for f in report.findings if f.code == "MISSING_TABLE"} == {"appeals"}


def test_rules_select_and_ignore():
    with_prefix = {r.code for r in checks.selected(select=["T3_"])}
    assert with_prefix == {"T3_BALANCE", "T3_RESULT_SUM", "T3_ROW_SUM"}
    assert "BLANK_CELL" not in {r.code for r in checks.selected(ignore=["BLANK_CELL"])}


# ---- across years ------------------------------------------------------------------------


def _pair(seed, agency_now="青山镇"):
    rng = random.Random(seed)
    last = random_report(rng, "2021", year=2023, agency="东湖区青山镇人民政府", zero_share=0.05)
    now = random_report(rng, "2021", year=2024, agency=agency_now, zero_share=0.05, previous=last)
    return last, now


def _cross(*reps):
    parsed = [parse_synth(r, name=f"{r.year}.txt") for r in reps]
    checks.run_corpus(parsed, list(checks.RULES.values()))
    return parsed


def test_consecutive_years_that_carry_over_are_clean():
    last, now = _pair(20)
    a, b = _cross(last, now)
    assert codes(a) == codes(b) == []


def test_carry_over_mismatch_per_column_matching_agency_names_robustly():
    last, now = _pair(21)
    now.values["requests"]["carried_over"]["research"] += 1
    now.values["requests"]["carried_over"]["total"] += 1
    now.values["requests"]["new_received"]["research"] -= 1 if now.values["requests"]["new_received"]["research"] else -1
    now.values["requests"]["new_received"]["total"] = sum(
        now.values["requests"]["new_received"][c] for c in ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org"))
    a, b = _cross(last, now)
    mism = [f for f in b.findings if f.code == "CARRY_OVER_MISMATCH"]
    assert {f.where["column"] for f in mism} == {"research", "total"}
    assert all(f.where["previous"]["year"] == 2023 for f in mism)
    assert codes(a) == []


def test_in_force_discontinuity_is_a_warning():
    last, now = _pair(22)
    now.values["active"]["regulations"]["in_force"] += 3
    a, b = _cross(last, now)
    (f,) = [f for f in b.findings if f.code == "IN_FORCE_DISCONTINUITY"]
    assert f.severity.value == "warning" and f.where["row"] == "regulations"


def test_different_agencies_or_gap_years_are_not_compared():
    last, now = _pair(23, agency_now="西山县白河乡")
    now.values["requests"]["carried_over"]["total"] += 5
    _, b = _cross(last, now)
    assert "CARRY_OVER_MISMATCH" not in codes(b)
    rng = random.Random(24)
    last = random_report(rng, "2021", year=2023, agency="青山镇", zero_share=0.05)
    later = random_report(rng, "2021", year=2025, agency="青山镇", zero_share=0.05)
    later.values["requests"]["carried_over"]["total"] = last.values["requests"]["carried_forward"]["total"] + 5
    _, b = _cross(last, later)
    assert "CARRY_OVER_MISMATCH" not in codes(b)
