"""Run-together table cells (crawled page text, cells joined with nothing between them) are split
under the template: every cell is either right or null and flagged CELL_AMBIGUOUS."""

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk import parse_bytes
from xxgk import template as T
from xxgk.extract.split import Shape, row_alternatives, shape_of, splits
from xxgk.synth import random_report
from xxgk.synth.layouts import HEADINGS, encode, write

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# An invented agency's report as a crawled page keeps it: the whole report on one line.
ROWS_2021 = [
    ("一、本年新收政府信息公开申请数量", "801000081"),
    ("二、上年结转政府信息公开申请数量", "2000002"),
    ("三、本年度办理结果（一）予以公开", "501000051"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "100000010"),
    ("（三）不予公开1.属于国家秘密", "0000000"),
    ("2.其他法律行政法规禁止公开", "0000000"),
    ("3.危及“三安全一稳定”", "0000000"),
    ("4.保护第三方合法权益", "3000003"),
    ("5.属于三类内部事务信息", "0000000"),
    ("6.属于四类过程性信息", "0000000"),
    ("7.属于行政执法案卷", "0000000"),
    ("8.属于行政查询事项", "0000000"),
    ("（四）无法提供1.本机关不掌握相关政府信息", "120000012"),
    ("2.没有现成信息需要另行制作", "0000000"),
    ("3.补正后申请内容仍不明确", "0000000"),
    ("（五）不予处理1.信访举报投诉类申请", "0000000"),
    ("2.重复申请", "1000001"),
    ("3.要求提供公开出版物", "0000000"),
    ("4.无正当理由大量反复申请", "0000000"),
    ("5.要求行政机关确认或重新出具已获取信息", "0000000"),
    ("（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "0000000"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "0000000"),
    ("3.其他", "0000000"),
    ("（七）总计", "761000077"),
    ("四、结转下年度继续办理", "6000006"),
]


def fixture(rows=ROWS_2021, t4="110024001510102", prose="本年度共收到政府信息公开申请81件。") -> str:
    return (
        "柳溪县望川镇人民政府2023年政府信息公开工作年度报告本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。"
        f"一、总体情况{prose}二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数"
        "规章000行政规范性文件77132470第二十条第（五）项信息内容本年处理决定数量行政许可1234"
        "第二十条第（六）项信息内容本年处理决定数量行政处罚56行政强制0第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费0"
        "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
        + "".join(label + run for label, run in rows)
        + "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
        "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"
        + t4
        + "五、存在的主要问题及改进情况无。六、其他需要报告的事项本机关未收取信息处理费。"
    )


def _cells(report, table):
    return {(r, c): v for r, cols in report.tables[table].items() for c, v in cols.items()}


def test_issue_examples_split_exactly():
    report = parse_bytes(fixture().encode(), "x.txt")
    req = report.tables["requests"]
    assert [req["new_received"][c].value for c in T.get("2021").table("requests").row("new_received").columns] == [80, 1, 0, 0, 0, 0, 81]
    assert [req["total_processed"][c].value for c in ("natural_person", "commercial", "total")] == [76, 1, 77]
    assert req["carried_forward"]["natural_person"].value == 6
    app = report.tables["appeals"]
    got = [app[b][c].value for b in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
           for c in ("upheld", "corrected", "other", "pending", "total")]
    assert got == [1, 1, 0, 0, 2, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2]
    v = req["new_received"]["natural_person"]
    assert (v.status, v.raw) == ("split", "801000081")
    act = report.tables["active"]
    assert [act["regulations"][c].value for c in ("issued", "repealed", "in_force")] == [0, 0, 0]
    assert act["licensing"]["decisions"].value == 1234 and act["penalty"]["decisions"].value == 56
    # Table 2 has no identity in the report: 77132470 splits many ways and stays null, flagged
    assert all(act["normative_documents"][c].value is None and act["normative_documents"][c].status == "ambiguous"
               for c in ("issued", "repealed", "in_force"))
    amb = [f for f in report.findings if f.code == "CELL_AMBIGUOUS"]
    assert [(f.where["table"], f.where["row"]) for f in amb] == [("active", "normative_documents")]
    assert "可拆为21种" in amb[0].message and "77|132|470" in amb[0].message and "没有勾稽关系" in amb[0].message
    assert [77, 132, 470] in amb[0].where["alternatives"]
    # no error: the split tables add up, and the six headings are found inside the one line
    assert not report.has_errors
    assert [(s.number, s.title) for s in report.sections][2:4] == [(3, "三、收到和处理政府信息公开申请情况"), (4, "四、政府信息公开行政复议、行政诉讼情况")]


def test_traditional_and_fullwidth_and_spaces_split_the_same():
    import opencc

    text = opencc.OpenCC("s2t").convert(fixture()).replace("801000081", "８０１００００８１").replace("761000077", "76 1 0 0 0 0 77")
    text = text.replace("1000001", "1 0 0 0 0 0")  # 重复申请: printed apart with a cell lost — flagged, never split further
    report = parse_bytes(text.encode("utf-8"), "x.txt")
    assert report.tables["requests"]["new_received"]["natural_person"].value == 80
    assert report.tables["requests"]["total_processed"]["total"].value == 77
    assert report.tables["requests"]["rejected_duplicate"]["natural_person"].value is None
    assert any(f.code == "CELL_AMBIGUOUS" and f.where["row"] == "rejected_duplicate" for f in report.findings)


def test_inconsistent_table_decides_nothing_it_cannot_prove():
    rows = [(label, "7000007" if run == "6000006" else run) for label, run in ROWS_2021]  # 结转 off by one
    report = parse_bytes(fixture(rows).encode(), "x.txt")
    req = report.tables["requests"]
    # 7000007 splits one way only whatever the identities say: read as printed, and the balance fails
    assert req["carried_forward"]["natural_person"].value == 7
    # 801000081 splits several ways without the identities: left null and flagged
    assert req["new_received"]["natural_person"].value is None
    msgs = [f.message for f in report.findings if f.code == "CELL_AMBIGUOUS"]
    assert any("无一致的拆法" in m for m in msgs)


def test_prose_confirms_a_split_the_identities_leave_open():
    # the 15 cells 0 0 0 11 11 | 11 0 0 2 13 | 1 0 0 11 12 also split as 0 0 0 111 111 | 0 0 2 1 3 | …
    t4 = "000111111002131001112"
    open_ = parse_bytes(fixture(t4=t4).encode(), "x.txt")
    assert open_.tables["appeals"]["reconsideration"]["total"].value is None
    told = parse_bytes(fixture(t4=t4, prose="本年度共收到政府信息公开申请81件。被申请行政复议11件。").encode(), "x.txt")
    app = told.tables["appeals"]
    assert [app["reconsideration"][c].value for c in ("upheld", "corrected", "other", "pending", "total")] == [0, 0, 0, 11, 11]
    assert any(f.code == "CELL_SPLIT" and "正文" in f.message for f in told.findings)
    for b in ("litigation_direct", "litigation_after_reconsideration"):  # still open: null, never guessed
        for c, v in app[b].items():
            assert v.value is None or v.value == {"litigation_direct": [11, 0, 0, 2, 13], "litigation_after_reconsideration": [1, 0, 0, 11, 12]}[b][
                ("upheld", "corrected", "other", "pending", "total").index(c)]


def test_splits_respect_leading_zeros_money_and_white_space():
    tpl = T.get("2021")
    shape, _ = shape_of(tpl.table("requests"), ("new_received",))
    assert splits("801000081", (), shape) == [(80, 1, 0, 0, 0, 0, 81)]
    assert splits("8010000081", (), shape) == []  # no split adds up
    fees, _ = shape_of(tpl.table("active"), ("fees",))
    assert splits("12.5", (), fees) == [(__import__("decimal").Decimal("12.5"),)]
    docs, _ = shape_of(tpl.table("active"), ("regulations",))
    assert splits("1.5", (), docs) == []  # no decimals in a count
    assert splits("123", (1, 2), docs) == [(1, 2, 3)]
    assert splits("512", (1,), docs) == []  # 5 12 printed apart: a cell was lost, 5|1|2 would be a guess
    assert sorted(splits("1203", (), docs)) == [(1, 20, 3), (12, 0, 3)]
    assert sorted(splits("1/3", (), docs)) == [(1, None, 3)]
    assert row_alternatives("2021", "active", "regulations", "12 0 3") == [{"issued": 12, "repealed": 0, "in_force": 3}]
    assert row_alternatives("2021", "active", "regulations", "1203") == [
        {"issued": 1, "repealed": 20, "in_force": 3}, {"issued": 12, "repealed": 0, "in_force": 3}]


def test_hostile_runs_stay_bounded_and_flagged():
    rng = random.Random(5)
    rows = [(label, "".join(rng.choice("0123456789") for _ in range(10_000 if k == 0 else 80))) for k, (label, _) in enumerate(ROWS_2021)]
    t0 = time.process_time()
    report = parse_bytes(fixture(rows, t4="9" * 10_000).encode(), "x.txt")
    assert time.process_time() - t0 < 5
    flagged = {(f.where["table"], f.where["row"]) for f in report.findings if f.code == "CELL_AMBIGUOUS"}
    assert ("requests", "new_received") in flagged and ("appeals", "reconsideration") in flagged
    for (r, c), v in _cells(report, "requests").items():
        assert v.value is None or v.status == "split"


def _check_every_cell(rep, report):
    flagged = {(f.where["table"], f.where["row"]) for f in report.findings if f.code == "CELL_AMBIGUOUS"}
    for t, rows in rep.values.items():
        for r, cols in rows.items():
            for c, want in cols.items():
                v = report.tables[t][r][c]
                if v.value is None and want is not None:
                    assert (t, r) in flagged, (t, r, c, v.status)
                else:
                    assert v.value == want, (t, r, c, want, v.value, v.status)


@SETTINGS
@given(
    seed=st.integers(0, 2**32),
    template_id=st.sampled_from(sorted(T.TEMPLATES)),
    realistic=st.booleans(),
    one_line=st.booleans(),
    traditional=st.booleans(),
    heading=st.sampled_from(HEADINGS),
    blank_share=st.sampled_from([0.0, 0.0, 0.05]),
)
def test_generated_run_together_reports_are_never_wrong(seed, template_id, realistic, one_line, traditional, heading, blank_share):
    rng = random.Random(seed)
    rep = random_report(rng, template_id, zero_share=0.05, realistic=realistic, blank_share=blank_share)
    text = write(rep, "runtogether", rng, heading=heading, one_line=one_line)
    report = parse_bytes(encode(text, "utf-8", traditional), "generated.txt")
    _check_every_cell(rep, report)
    assert {"active", "requests", "appeals"} <= report.found_tables
    if heading:  # numbered headings are found inside the one long line too
        assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]


def test_normal_layouts_never_reach_the_splitter(monkeypatch):
    import xxgk.extract.split as S

    def boom(*a, **k):
        raise AssertionError("find_runs called")

    monkeypatch.setattr(S, "find_runs", boom)
    for layout in ("tsv", "cells", "pipe"):
        rep = random_report(random.Random(3), "2021")
        parse_bytes(write(rep, layout, random.Random(3)).encode(), "x.txt")


def _series_files(folder, seed):
    from xxgk.synth.series import next_year

    rng = random.Random(seed)
    first = random_report(rng, "2021", 2021, "柳溪县望川镇人民政府")
    good = next_year(first, rng)
    bad = next_year(good, rng, consistent=False)
    for rep in (first, good, bad):
        (folder / f"{rep.year}.txt").write_text(write(rep, "runtogether", rng, one_line=False), encoding="utf-8")
    return first, good, bad


@pytest.mark.parametrize("seed", [1, 2])
def test_check_of_several_run_together_years_finds_the_breaks(tmp_path, seed):
    import json

    from typer.testing import CliRunner

    from xxgk.cli import app

    _, good, bad = _series_files(tmp_path, seed)
    r = CliRunner().invoke(app, ["check", "--json", str(tmp_path)])
    by_year = {}
    for line in r.stdout.splitlines():
        o = json.loads(line)
        by_year[o["meta"]["year"]] = {(f["code"], f["where"].get("row"), f["where"].get("column")) for f in o["findings"]}
    cross = ("CARRY_OVER_MISMATCH", "IN_FORCE_DISCONTINUITY")
    assert not [f for y in (2021, 2022) for f in by_year[y] if f[0] in cross]  # consistent years: silent
    over, forward = bad.values["requests"]["carried_over"], good.values["requests"]["carried_forward"]
    want = {("CARRY_OVER_MISMATCH", "carried_over", c) for c in over if over[c] != forward[c]}
    for row in ("regulations", "normative_documents"):
        b, g = bad.values["active"][row], good.values["active"][row]
        if b["in_force"] != g["in_force"] + b["issued"] - b["repealed"]:
            want.add(("IN_FORCE_DISCONTINUITY", row, "in_force"))
    assert want and {f for f in by_year[2023] if f[0] in cross} == want


def test_stored_run_together_years_find_the_breaks(tmp_path):
    from xxgk.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    _, good, bad = _series_files(tmp_path, 1)
    ids = {}
    for year in (2021, 2022, 2023):
        p = tmp_path / f"{year}.txt"
        ids[year] = store.add(parse_bytes(p.read_bytes(), p.name, path=str(p)))
    cross = store.findings(scope="corpus")
    assert {f.report_id for f in cross} == {ids[2023]}
    got = {(f.code, f.where.get("row")) for f in cross}
    assert ("CARRY_OVER_MISMATCH", "carried_over") in got
    # seed 1: both Table 2 rows of 2023 break; whether split or left ambiguous, the store finds them
    assert {("IN_FORCE_DISCONTINUITY", "regulations"), ("IN_FORCE_DISCONTINUITY", "normative_documents")} <= got


def test_a_row_label_in_the_prose_before_the_table_is_not_the_row():
    prose = "本年度共收到政府信息公开申请81件。全年办理行政许可事项1203，行政处罚信息公开率100%。"
    report = parse_bytes(fixture(prose=prose).encode(), "x.txt")
    assert report.tables["active"]["licensing"]["decisions"].value == 1234
    assert report.tables["active"]["penalty"]["decisions"].value == 56


def test_a_printed_arithmetic_error_is_read_as_printed_and_reported():
    # 行政复议 1+1+0+0 printed with total 3: the 15 digits split one way only, so they are read
    # as printed, and T4_SUM reports the error (the identities cannot be used to split it)
    report = parse_bytes(fixture(t4="110034001510102").encode(), "x.txt")
    app = report.tables["appeals"]
    assert [app["reconsideration"][c].value for c in ("upheld", "corrected", "other", "pending", "total")] == [1, 1, 0, 0, 3]
    assert [f.where.get("row") for f in report.findings if f.code == "T4_SUM"] == ["reconsideration"]


def test_the_previous_year_confirms_an_ambiguous_table2_row():
    from xxgk import checks

    def lined(text, year):  # title on a line of its own, so the agency is found
        return text.replace("2023", str(year)).replace("年度报告", "年度报告\n", 1).encode()

    prev = parse_bytes(lined(fixture().replace("77132470", "00525"), 2022), "2022.txt")
    cur = parse_bytes(lined(fixture(), 2023), "2023.txt")
    assert prev.tables["active"]["normative_documents"]["in_force"].value == 525
    assert cur.tables["active"]["normative_documents"]["in_force"].status == "ambiguous"
    checks.run_corpus([prev, cur], list(checks.RULES.values()))
    # of the 21 splits of 77132470 only 77|132|470 continues 525 + 77 − 132 = 470
    row = cur.tables["active"]["normative_documents"]
    assert [row[c].value for c in ("issued", "repealed", "in_force")] == [77, 132, 470]
    assert row["in_force"].status == "split"
    assert not [f for f in cur.findings if f.code == "CELL_AMBIGUOUS"]
    assert any(f.code == "CELL_SPLIT" and "2022年上年现行有效件数" in f.message for f in cur.findings)
    assert not [f for f in cur.findings if f.code == "IN_FORCE_DISCONTINUITY"]


def test_2019_template_annotated_labels_signed_changes_and_money():
    rows = [r for r in ROWS_2021 if not r[0].startswith(("（六）", "2.申请人", "3.其他"))]
    at = rows.index(("（七）总计", "761000077"))
    rows.insert(at, ("（六）其他处理", "0000000"))
    text = (
        "柳溪县望川镇人民政府2020年政府信息公开工作年度报告本报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。"
        "一、总体情况本年度共收到政府信息公开申请81件。二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量"
        "规章000规范性文件（指本机关印发的有正式文号的文件）333第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量"
        "行政许可12+315其他对外管理服务事项5-20第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚000行政强制000"
        "第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费7-2第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购3125.5"
        "三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
        + "".join(label + run for label, run in rows)
        + "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
        "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计000000000000000五、存在的主要问题及改进情况无。"
        "六、其他需要报告的事项无。"
    )
    report = parse_bytes(text.encode(), "x.txt")
    assert report.template == "2019"
    act = report.tables["active"]
    assert [act["normative_documents"][c].value for c in ("new_made", "new_published", "total_published")] == [3, 3, 3]
    assert [act["fees"][c].value for c in ("previous_items", "change")] == [7, -2]
    assert act["licensing"]["previous_items"].value == 12 and act["licensing"]["change"].value is None
    assert act["other_services"]["previous_items"].value == 5  # 5|—|20 or 5|-2|0: the rest left open
    assert act["procurement"]["amount_yuan"].value is None
    amb = {f.where["row"]: f.where["alternatives"] for f in report.findings if f.code == "CELL_AMBIGUOUS"}
    assert sorted(amb["licensing"]) == [[12, 3, 15], [12, 31, 5]]
    assert sorted(amb["other_services"], key=str) == [[5, -2, 0], [5, None, 20]]
    req = report.tables["requests"]
    assert [req["other"][c].value for c in ("natural_person", "total")] == [0, 0]
    assert [req["total_processed"][c].value for c in ("natural_person", "total")] == [76, 77]
    assert all(v.value == 0 for cols in report.tables["appeals"].values() for v in cols.values())


def test_a_row_the_table_reader_could_not_place_is_split_when_run_together():
    rep = random_report(random.Random(4), "2021", realistic=True)
    lines = []
    for line in write(rep, "tsv", random.Random(4), blank="/").split("\n"):
        if line.startswith(("行政规范性文件", "一、本年新收")):
            cells = line.split("\t")
            line = "\t".join([c for c in cells if not c.isdigit()] + ["".join(c for c in cells if c.isdigit())])
        lines.append(line)
    report = parse_bytes("\n".join(lines).encode(), "x.txt")
    for table, row in (("active", "normative_documents"), ("requests", "new_received")):
        got = {c: v.value for c, v in report.tables[table][row].items()}
        assert got == rep.values[table][row]
        assert {v.status for v in report.tables[table][row].values()} == {"split"}
    assert not [f for f in report.findings if f.code == "ROW_UNPLACED"]
