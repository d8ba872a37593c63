"""`xxgk notice`: a review opinion (DOCX) per report with problems, read back here, and 审核汇总.xlsx;
the desk's 下载审核意见."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from typer.testing import CliRunner

pytest.importorskip("docx")

from docx import Document  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from xxgk.cli import app  # noqa: E402
from xxgk.notice import Item, Subject, from_report, safe, summary_xlsx, to_docx  # noqa: E402
from xxgk.pipeline import parse_bytes  # noqa: E402
from xxgk.render import from_mapping, render  # noqa: E402
from xxgk.synth import random_report  # noqa: E402

BROKEN, CLEAN = "西山县松溪镇人民政府", "西山县教育局"


def _report_text(seed: int, agency: str, broken: bool) -> bytes:
    r = random_report(random.Random(seed), "2021", 2024, agency, zero_share=0.3)
    if broken:
        r.values["requests"]["new_received"]["natural_person"] += 3  # T3_BALANCE, T3_ROW_SUM (errors)
        r.values["active"]["regulations"]["in_force"] = None  # BLANK_CELL (warning)
    data = {"template": "2021", "meta": {"agency": agency, "year": 2024}, **r.canonical(), "sections": r.sections}
    return render(from_mapping(data), "txt")


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


@pytest.fixture
def batch(tmp_path):
    d = tmp_path / "reports"
    d.mkdir()
    (d / "松溪镇.txt").write_bytes(_report_text(5, BROKEN, True))
    (d / "教育局.txt").write_bytes(_report_text(6, CLEAN, False))
    return d


def test_notice_quotes_every_finding_and_the_register_lists_every_report(batch, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["notice", str(batch), "-o", str(out), "--deadline", "2025年2月10日",
                                   "--office", "西山县人民政府办公室"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{BROKEN}-2024-审核意见.docx", "审核汇总.xlsx"])
    rep = parse_bytes((batch / "松溪镇.txt").read_bytes(), "松溪镇.txt")
    shown = [f for f in rep.findings if f.severity.value in ("error", "warning")]
    assert {f.code for f in shown} >= {"T3_BALANCE", "T3_ROW_SUM", "BLANK_CELL"}
    doc = Document(str(out / f"{BROKEN}-2024-审核意见.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    for f in shown:
        assert f.message in text, f.code
    assert text.index("一、必须整改（2处）") < text.index("T3_BALANCE") < text.index("二、建议修改（1处）") < text.index("BLANK_CELL")
    assert f"关于{BROKEN}2024年政府信息公开工作年度报告的审核意见" in text
    assert "请于2025年2月10日前" in text and text.rstrip().splitlines()[-2] == "西山县人民政府办公室"
    assert "【待补充：整改期限】" not in text
    assert "原文第" in text  # the source line of each table finding
    sec = doc.sections[0]
    assert (round(sec.page_width.cm, 1), round(sec.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(sec.top_margin.cm, 1), round(sec.left_margin.cm, 1)) == (3.7, 2.8)
    wb = load_workbook(out / "审核汇总.xlsx")
    rows = list(wb["报告"].iter_rows(values_only=True))
    assert rows[0][:8] == ("机关", "年度", "模板", "文件", "错误", "警告", "问题代码", "审核状态")
    by = {r[0]: r for r in rows[1:]}
    assert set(by) == {BROKEN, CLEAN}
    errors = sum(1 for f in shown if f.severity.value == "error")
    assert by[BROKEN][4:6] == (errors, len(shown) - errors) and by[CLEAN][4:6] == (0, 0)
    assert by[CLEAN][8] == "无需整改"
    frows = list(wb["问题"].iter_rows(values_only=True))[1:]
    assert sorted(r[5] for r in frows) == sorted(f.message for f in shown)


def test_placeholders_without_deadline_and_office(batch, tmp_path):
    res = CliRunner().invoke(app, ["notice", str(batch / "松溪镇.txt"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    text = _docx_text((tmp_path / "o" / f"{BROKEN}-2024-审核意见.docx").read_bytes())
    assert "【待补充：整改期限】" in text and "【待补充：审核单位】" in text and "【待补充：成文日期】" in text


def test_dismissed_findings_are_left_out_and_confirmed_ones_marked(batch, tmp_path):
    from xxgk.store import open_store

    db = str(tmp_path / "c.db")
    assert CliRunner().invoke(app, ["ingest", str(batch), "--db", db, "-q", "-j", "1"]).exit_code == 0
    store = open_store(db)
    rid = store.reports(agency=BROKEN)[0].id
    found = [f for f in store.findings(report_id=rid) if f.severity in ("error", "warning")]
    dismissed = next(f for f in found if f.code == "T3_ROW_SUM")
    confirmed = next(f for f in found if f.code == "T3_BALANCE")
    store.review(dismissed.key, "dismissed", "合计为原文笔误，已核实")
    store.review(confirmed.key, "confirmed")
    store.close()
    for args in (["--db", db, "--year", "2024"], [str(batch), "--db", db]):  # from the corpus; from files + reviews
        out = tmp_path / f"out{len(args)}"
        res = CliRunner().invoke(app, ["notice", *args, "-o", str(out)])
        assert res.exit_code == 0, res.output
        text = _docx_text((out / f"{BROKEN}-2024-审核意见.docx").read_bytes())
        assert dismissed.message not in text
        assert confirmed.message + "（已确认）" in text
        for f in found:
            if f is not dismissed:
                assert f.message in text
        frows = list(load_workbook(out / "审核汇总.xlsx")["问题"].iter_rows(values_only=True))[1:]
        state = {r[5]: r[8] for r in frows}
        assert state[dismissed.message] == "已排除" and state[confirmed.message] == "已确认"
        rows = list(load_workbook(out / "审核汇总.xlsx")["报告"].iter_rows(values_only=True))[1:]
        assert next(r for r in rows if r[0] == BROKEN)[7] == "部分审核（确认1、排除1）"


def test_all_dismissed_means_no_notice():
    s = Subject("某镇", 2024, "2021", "a.txt", None, [Item("T4_SUM", "error", "表四不平", {}, "k", "dismissed")])
    assert not s.needs_notice


def test_register_neutralises_formula_like_text():
    assert [safe(v) for v in ("=1+1", "+86", "-3", "@SUM(A1)", "\t=x", "正常", 5, None)] == \
        ["'=1+1", "'+86", "'-3", "'@SUM(A1)", "'\t=x", "正常", 5, None]
    s = Subject("=HYPERLINK(\"http://x\")", 2024, "2021", "-a.txt", None,
                [Item("T4_SUM", "error", "=cmd|' /C calc'!A0", {"table": "appeals"})])
    wb = load_workbook(io.BytesIO(summary_xlsx([s])))
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2, values_only=True):
            for v in row:
                assert not (isinstance(v, str) and v[:1] in "=+-@"), v
    assert list(wb["问题"].iter_rows(min_row=2, values_only=True))[0][5] == "'=cmd|' /C calc'!A0"
    assert to_docx(s)  # the DOCX takes the text as text


def test_notice_from_report_keys_match_the_corpus(batch, tmp_path):
    """A notice made from files finds the corpus's reviews: same keys as the store gives."""
    from xxgk.store import open_store

    rep = parse_bytes((batch / "松溪镇.txt").read_bytes(), "松溪镇.txt")
    store = open_store(str(tmp_path / "k.db"))
    rid = store.add(rep)
    assert [f.key for f in from_report(rep).findings] == [f.key for f in store.findings(report_id=rid)]
    store.close()


def test_notice_needs_paths_or_db(tmp_path):
    res = CliRunner().invoke(app, ["notice", "-o", str(tmp_path)])
    assert res.exit_code == 2 and "--db" in res.output


def test_desk_download_buttons(batch, tmp_path):
    from tests.web_support import Desk, need

    need("fastapi", "httpx")
    desk = Desk(tmp_path / "d.db")
    try:
        from xxgk.store.ingest import ingest

        ingest(desk.store, [batch], jobs=1)
        broken = desk.store.reports(agency=BROKEN)[0].id
        clean = desk.store.reports(agency=CLEAN)[0].id
        page = desk.client.get(f"/reports/{broken}")
        assert f'href="/reports/{broken}/notice.docx">下载审核意见' in page.text
        assert "notice.docx" not in desk.client.get(f"/reports/{clean}").text
        r = desk.client.get(f"/reports/{broken}/notice.docx")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxml")
        text = _docx_text(r.content)
        for f in desk.store.findings(report_id=broken):
            if f.severity in ("error", "warning"):
                assert f.message in text
        assert desk.client.get(f"/reports/{clean}/notice.docx").status_code == 404
        listing = desk.client.get("/reports?year=2024")
        assert 'href="/notices.zip?year=2024">下载审核意见' in listing.text
        z = desk.client.get("/notices.zip?year=2024")
        assert z.status_code == 200
        names = zipfile.ZipFile(io.BytesIO(z.content)).namelist()
        assert sorted(names) == sorted([f"{BROKEN}-2024-审核意见.docx", "审核汇总.xlsx"])
        assert desk.client.get("/notices.zip?year=1999").status_code == 404
    finally:
        desk.close()


def test_control_characters_in_quoted_text_do_not_break_the_files():
    s = Subject("某镇\x00", 2024, "2021", "a.txt", None,
                [Item("NARRATIVE_SUM", "warning", "第一部分“共\x0c3条\x01”", {"line": 1})], lines=["共\x0c3条\x01\x1f"])
    text = _docx_text(to_docx(s, office="办\x02公室"))
    assert "共 3条 " in text and "\x0c" not in text
    wb = load_workbook(io.BytesIO(summary_xlsx([s])))
    assert list(wb["问题"].iter_rows(min_row=2, values_only=True))[0][5] == "第一部分“共 3条 ”"


def test_unwritable_output_is_one_line(batch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = CliRunner().invoke(app, ["notice", str(batch), "-o", str(blocker)])
    assert res.exit_code == 2 and "无法写入" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(app, ["sum", str(batch / "教育局.txt"), "-o", str(blocker / "x.yaml")])
    assert res.exit_code == 2 and "无法写入" in res.output
