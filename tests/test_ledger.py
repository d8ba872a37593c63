"""xxgk ledger: Table 3 and Table 4 counted from a request ledger and a case list, with
expectations worked out by hand; statutory deadlines over holidays and adjusted working days."""

import datetime as dt
import json

import pytest
import yaml
from openpyxl import Workbook
from typer.testing import CliRunner

from xxgk import parse_bytes
from xxgk import template as T
from xxgk.cli import app
from xxgk.ledger import deadline, ledger_data, read_cases, read_ledger, watch
from xxgk.ledger.deadlines import add_workdays
from xxgk.ledger.read import Request, parse_date
from xxgk.render import from_mapping, render

runner = CliRunner()
D = dt.date

HEADER = ["编号", "收到日期", "申请人类型", "办理结果", "办结日期", "补正日期", "延期", "备注"]
LEDGER = [
    # row 2: received last year, answered in January → carried over, granted
    ["L01", "2023-12-20", "自然人", "予以公开", "2024-01-10", "", "", ""],
    # row 3: received last year, still open → carried over and carried forward (and long overdue)
    ["L02", "2023/12/28", "商业企业", "", "", "", "", ""],
    # row 4: answered last year → not in this year's table at all
    ["L03", "2023-11-01", "自然人", "（二）部分公开", "2023-11-20", "", "", ""],
    # row 5: just before National Day, answered on the deadline day
    ["L04", "2024年9月27日", "自然人", "本机关不掌握相关政府信息", "2024-10-30", "", "否", ""],
    # row 6: same day, answered one working day late
    ["L05", "2024-09-27", "科研机构", "granted", "2024-10-31", "", "", ""],
    # row 7: 补正 on 2024-11-10 and 延期: 40 working days from the completed request
    ["L06", "2024-11-01", "法律服务机构", "部分公开", "2024-12-30", "2024-11-10", "是", ""],
    # row 8: received at year end, open → carried forward
    ["L07", "2024-12-25", "其他", "", "", "", "", ""],
    # row 9: answered next January → carried forward
    ["L08", "2024-12-20", "社会公益组织", "信访举报投诉类申请", "2025-01-05", "", "", ""],
    # row 10: next year's request → ignored
    ["L09", "2025-01-03", "自然人", "", "", "", "", ""],
    # row 11: over the May Day holiday with its adjusted working Sunday/Saturday
    ["L10", "2024-04-26", "自然人", "3.其他", "2024-05-27", "", "", ""],
]


def _csv(path, rows, header=HEADER, encoding="utf-8-sig"):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def _expected_requests():
    tpl = T.get("2021")
    out = {r.id: {c: 0 for c in r.columns} for r in tpl.table("requests").rows}
    out["new_received"].update(natural_person=2, research=1, social_welfare=1, legal_service=1, other_org=1, total=6)
    out["carried_over"].update(natural_person=1, commercial=1, total=2)
    out["granted"].update(natural_person=1, research=1, total=2)
    out["partially_granted"].update(legal_service=1, total=1)
    out["unavailable_not_held"].update(natural_person=1, total=1)
    out["other_other"].update(natural_person=1, total=1)
    out["total_processed"].update(natural_person=3, research=1, legal_service=1, total=5)
    out["carried_forward"].update(commercial=1, social_welfare=1, other_org=1, total=3)
    return out


def test_table3_counted_across_the_year_boundary(tmp_path):
    tpl = T.get("2021")
    reqs, errors = read_ledger(_csv(tmp_path / "l.csv", LEDGER), tpl)
    assert errors == []
    data = ledger_data(reqs, 2024, tpl, agency="测试局")
    assert data["requests"] == _expected_requests()
    assert data["meta"] == {"agency": "测试局", "year": 2024, "title": "测试局2024年政府信息公开工作年度报告"}
    assert all(v is None for row in data["active"].values() for v in row.values())


def test_gbk_csv_and_xlsx_with_date_cells_read_the_same(tmp_path):
    tpl = T.get("2021")
    gbk, _ = read_ledger(_csv(tmp_path / "g.csv", LEDGER, encoding="gbk"), tpl)
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in LEDGER:
        cells = list(row)
        for i in (1, 4, 5):
            if cells[i]:
                cells[i] = dt.datetime.combine(parse_date(cells[i]), dt.time())  # a real Excel date cell
        ws.append(cells)
    wb.save(tmp_path / "l.xlsx")
    xlsx, errors = read_ledger(tmp_path / "l.xlsx", tpl)
    assert errors == []
    assert [(r.id, r.row, r.received, r.closed, r.corrected) for r in gbk] == [(r.id, r.row, r.received, r.closed, r.corrected) for r in xlsx]
    assert ledger_data(xlsx, 2024, tpl)["requests"] == _expected_requests()


def test_deadline_over_national_day_counted_by_hand():
    # Received Fri 2024-09-27; counting starts the next day.  Working days: Sun 09-29 (adjusted
    # working day) 1, Mon 09-30 2; 10-01..10-07 holiday; 10-08..10-11 3..6; Sat 10-12 (adjusted
    # working day) 7; 10-14..10-18 8..12; 10-21..10-25 13..17; 10-28, 10-29, 10-30 18..20.
    assert add_workdays(D(2024, 9, 27), 20) == D(2024, 10, 30)
    req = Request(5, "L04", D(2024, 9, 27), "natural_person", None, None)
    assert deadline(req) == D(2024, 10, 30)


def test_deadline_over_may_day_counted_by_hand():
    # Received Fri 2024-04-26: Sun 04-28 (adjusted) 1, 04-29 2, 04-30 3; 05-01..05-05 holiday;
    # 05-06..05-10 4..8; Sat 05-11 (adjusted) 9; 05-13..05-17 10..14; 05-20..05-24 15..19; 05-27 20.
    assert add_workdays(D(2024, 4, 26), 20) == D(2024, 5, 27)


def test_deadline_with_correction_and_extension_counted_by_hand():
    # 补正 arrived Sun 2024-11-10; 40 working days from the next day: 11-11..11-15 5, ..11-22 10,
    # ..11-29 15, ..12-06 20, ..12-13 25, ..12-20 30, ..12-27 35, 12-30, 12-31 37; 2025-01-01
    # holiday; 01-02, 01-03 39; (Sat 01-04 is not a working day) Mon 2025-01-06 40.
    req = Request(7, "L06", D(2024, 11, 1), "legal_service", "partially_granted", D(2024, 12, 30), D(2024, 11, 10), True)
    assert deadline(req) == D(2025, 1, 6)
    req.extended = False
    assert deadline(req) == D(2024, 12, 6)  # 20 working days from the 补正 date
    req.corrected = None
    # from receipt Fri 11-01: 11-04..08 5, ..15 10, ..22 15, ..29 20
    assert deadline(req) == D(2024, 11, 29)


def test_overdue_watch_as_of_year_end_and_october(tmp_path):
    tpl = T.get("2021")
    reqs, _ = read_ledger(_csv(tmp_path / "l.csv", LEDGER), tpl)
    items = watch(reqs, D(2024, 12, 31), 2024)
    # L02: deadline from 2023-12-28: 12-29 1; 2024-01-01 holiday; 01-02..05 2..5; 08..12 6..10;
    # 15..19 11..15; 22..26 16..20 → 2024-01-26.  L05 answered 10-31, one working day after 10-30.
    assert [(w.request.id, w.state, w.deadline) for w in items] == [
        ("L02", "逾期未办结", D(2024, 1, 26)),
        ("L05", "超期办结", D(2024, 10, 30)),
    ]
    assert items[0].workdays > 200 and items[1].workdays == 1
    october = {(w.request.id, w.state, w.workdays) for w in watch(reqs, D(2024, 10, 28), 2024)}
    assert ("L04", "即将到期", 2) in october and ("L05", "即将到期", 2) in october
    assert {w[0] for w in october} == {"L02", "L04", "L05"}


def test_ledger_cli_overdue_table(tmp_path):
    p = _csv(tmp_path / "l.csv", LEDGER)
    r = runner.invoke(app, ["ledger", str(p), "--year", "2024", "--overdue", "--as-of", "2024-12-31"])
    assert r.exit_code == 0, r.output
    assert "L02" in r.stdout and "L05" in r.stdout and "逾期未办结" in r.stdout and "超期办结" in r.stdout
    assert "L04" not in r.stdout


def test_calendar_years_not_covered_are_named(tmp_path):
    p = _csv(tmp_path / "l.csv", [["X1", "2031-03-02", "自然人", "", "", "", "", ""]])
    r = runner.invoke(app, ["ledger", str(p), "--year", "2031", "--overdue", "--as-of", "2031-05-01"])
    assert r.exit_code == 2
    assert "只覆盖" in r.output and "2031" in r.output and "Traceback" not in r.output


BAD = [
    ["B1", "2024-01-05", "自然人", "予以公开", "2024-01-10", "", "", ""],
    ["B2", "2024-02-05", "个体户", "", "", "", "", ""],  # row 3: unknown applicant type
    ["B3", "2024-03-10", "商业企业", "予以公开", "2024-03-01", "", "", ""],  # row 4: closed before received
    ["B1", "2024-04-01", "自然人", "", "", "", "", ""],  # row 5: duplicate 编号
    ["B5", "2024-13-45", "自然人", "", "", "", "", ""],  # row 6: not a date
    ["B6", "2024-05-06", "自然人", "同意公开吧", "2024-05-08", "", "", ""],  # row 7: unknown result
    ["B7", "2024-05-06", "自然人", "", "", "", "也许", ""],  # row 8: 延期 not 是/否
]


def test_bad_rows_are_reported_with_row_numbers(tmp_path):
    p = _csv(tmp_path / "bad.csv", BAD)
    reqs, errors = read_ledger(p, T.get("2021"))
    assert [r.id for r in reqs] == ["B1"]
    rows = {e.row: e.message for e in errors}
    assert set(rows) == {3, 4, 5, 6, 7, 8}
    assert "个体户" in rows[3] and "早于收到日期" in rows[4] and "第2行重复" in rows[5]
    assert "2024-13-45" in rows[6] and "同意公开吧" in rows[7] and "也许" in rows[8]
    out = tmp_path / "d.json"
    r = runner.invoke(app, ["ledger", str(p), "--year", "2024", "-o", str(out)])
    assert r.exit_code == 1 and not out.exists()
    for n in (3, 4, 5, 6, 7, 8):
        assert f"第{n}行" in r.output
    r = runner.invoke(app, ["ledger", str(p), "--year", "2024", "-o", str(out), "--keep-going"])
    assert r.exit_code == 0 and "第3行" in r.output and "跳过6行" in r.output
    assert json.loads(out.read_text(encoding="utf-8"))["requests"]["new_received"]["total"] == 1


def test_missing_required_column_is_one_clear_error(tmp_path):
    p = _csv(tmp_path / "x.csv", [["A", "2024-01-01", "自然人"]], header=["编号", "收到日期", "申请人类型"])
    r = runner.invoke(app, ["ledger", str(p), "--year", "2024"])
    assert r.exit_code == 2 and "办理结果" in r.output and "办结日期" in r.output


CASES_HEADER = ["编号", "类型", "结果", "收到日期", "审结日期"]
CASES = [
    ["F1", "行政复议", "维持", "2024-03-01", "2024-05-01"],
    ["F2", "行政复议", "", "2024-11-01", ""],  # open → 尚未审结
    ["F3", "行政诉讼（未经复议直接起诉）", "纠正", "2024-02-01", "2024-08-01"],
    ["F4", "复议后起诉", "其他结果", "2024-06-01", "2025-02-01"],  # decided after the year → 尚未审结
    ["F5", "行政复议", "维持", "2023-05-01", "2023-06-01"],  # last year's case
]


def test_table4_from_case_list(tmp_path):
    cases, errors = read_cases(_csv(tmp_path / "c.csv", CASES, header=CASES_HEADER))
    assert errors == []
    data = ledger_data([], 2024, T.get("2021"), cases)
    assert data["appeals"] == {
        "reconsideration": {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2},
        "litigation_direct": {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1},
        "litigation_after_reconsideration": {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1},
    }


def test_ledger_to_yaml_to_report_checks_clean(tmp_path):
    led = _csv(tmp_path / "l.csv", LEDGER)
    cas = _csv(tmp_path / "c.csv", CASES, header=CASES_HEADER)
    out = tmp_path / "d.yaml"
    r = runner.invoke(app, ["ledger", str(led), "--year", "2024", "--cases", str(cas), "--agency", "东湖区测试局", "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["schema"] == "xxgk.report/1" and data["template"] == "2021"
    assert set(data["requests"]) == {row.id for row in T.get("2021").table("requests").rows}
    for row in data["active"].values():  # the author fills Table 2
        for c in row:
            row[c] = 0
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    txt = tmp_path / "r.txt"
    r = runner.invoke(app, ["render", str(out), "-o", str(txt)])
    assert r.exit_code == 0, r.output
    rep = parse_bytes(txt.read_bytes(), "r.txt")
    assert rep.meta.agency == "东湖区测试局" and rep.meta.year == 2024
    assert rep.to_json()["requests"] == _expected_requests()
    assert not rep.has_errors
    assert {f.code for f in rep.findings if f.severity.value == "warning"} == {"DRAFT_PLACEHOLDER"}
    assert from_mapping(data).canonical()["appeals"]["reconsideration"]["total"] == 2
    assert b"\xe3\x80\x90" in render(from_mapping(data), "txt")  # 【 of the placeholder


BASE = """\
template: "2021"
meta: {agency: 东湖区测试局, year: 2024}
表二:
  规章: {本年制发件数: 0, 本年废止件数: 0, 现行有效件数: 2}
  行政规范性文件: {本年制发件数: 3, 本年废止件数: 1, 现行有效件数: 14}
  行政许可: {本年处理决定数量: 12}
  行政处罚: {本年处理决定数量: 5}
  行政强制: {本年处理决定数量: 0}
  行政事业性收费: {本年收费金额（单位：万元）: 0}
sections:
  1: 2024年，本局认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开和依申请公开工作平稳有序。
  5: 存在的主要问题是公开内容的深度不够，改进措施是加强培训、完善审核。
  6: 本机关2024年度未收取信息处理费。
"""


@pytest.mark.parametrize("fmt", ["docx", "html", "md", "txt"])
def test_ledger_into_the_author_s_data_file_then_render_is_a_clean_report(tmp_path, fmt):
    # the two commands of the issue: ledger counts Tables 3 and 4 into the data file the author
    # keeps (Table 2 and the prose), render writes the report — which checks clean
    data = tmp_path / "2024.yaml"
    data.write_text(BASE, encoding="utf-8")
    led = _csv(tmp_path / "l.csv", LEDGER)
    cas = _csv(tmp_path / "c.csv", CASES, header=CASES_HEADER)
    r = runner.invoke(app, ["ledger", str(led), "--year", "2024", "--cases", str(cas), "--into", str(data)])
    assert r.exit_code == 0, r.output
    out = tmp_path / f"report.{fmt}"
    r = runner.invoke(app, ["render", str(data), "--to", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    rep = parse_bytes(out.read_bytes(), out.name)
    got = rep.to_json()
    assert got["requests"] == _expected_requests()
    assert got["appeals"]["reconsideration"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2}
    assert got["active"]["normative_documents"] == {"issued": 3, "repealed": 1, "in_force": 14}
    assert (rep.meta.agency, rep.meta.year) == ("东湖区测试局", 2024)
    assert [f.code for f in rep.findings if f.severity.value != "info"] == []  # clean: no error, no warning


def test_ledger_into_refuses_another_year(tmp_path):
    data = tmp_path / "2024.yaml"
    data.write_text(BASE, encoding="utf-8")
    led = _csv(tmp_path / "l.csv", LEDGER)
    r = runner.invoke(app, ["ledger", str(led), "--year", "2023", "--into", str(data)])
    assert r.exit_code == 2
    assert "2024年度的数据，与 --year 2023 不符" in r.output
    assert data.read_text(encoding="utf-8") == BASE


def test_2019_ledger_maps_2021_other_results_to_the_single_other_row(tmp_path):
    rows = [["X1", "2020-03-01", "自然人", "申请人无正当理由逾期不补正", "2020-03-20", "", "", ""]]
    reqs, errors = read_ledger(_csv(tmp_path / "l.csv", rows), T.get("2019"))
    assert errors == [] and reqs[0].result == "other"
    data = ledger_data(reqs, 2020, T.get("2019"))
    assert data["template"] == "2019" and data["requests"]["other"]["total"] == 1


@pytest.mark.parametrize("text,expected", [
    ("2024-01-05", D(2024, 1, 5)), ("2024/1/5", D(2024, 1, 5)), ("2024年1月5日", D(2024, 1, 5)),
    ("2024.01.05", D(2024, 1, 5)), ("20240105", D(2024, 1, 5)), ("2024-01-05 09:30", D(2024, 1, 5)),
    (45296, D(2024, 1, 5)), ("", None), (None, None),
])
def test_date_forms(text, expected):
    assert parse_date(text) == expected


def test_ledger_into_a_data_file_that_does_not_exist_yet_creates_it(tmp_path):
    # README's writing steps on the first try: the year's data file does not exist yet
    data = tmp_path / "2024.yaml"
    led = _csv(tmp_path / "l.csv", LEDGER)
    cas = _csv(tmp_path / "c.csv", CASES, header=CASES_HEADER)
    r = runner.invoke(app, ["ledger", str(led), "--year", "2024", "--cases", str(cas), "--agency", "东湖区测试局",
                            "--into", str(data)])
    assert r.exit_code == 0, r.output
    made = from_mapping(yaml.safe_load(data.read_text(encoding="utf-8"))).canonical()
    assert made["requests"] == _expected_requests()
    assert made["appeals"]["reconsideration"]["total"] == 2
    rd = from_mapping(yaml.safe_load(data.read_text(encoding="utf-8")))
    assert rd.year == 2024 and rd.agency == "东湖区测试局"
    # run again: now it exists, and Table 3 is recounted into it
    assert runner.invoke(app, ["ledger", str(led), "--year", "2024", "--into", str(data)]).exit_code == 0
    bad = tmp_path / "2024.xlsx"
    r = runner.invoke(app, ["ledger", str(led), "--year", "2024", "--into", str(bad)])
    assert r.exit_code == 2 and ".yaml 或 .json" in r.output and not bad.exists()
