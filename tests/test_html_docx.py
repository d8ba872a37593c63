"""HTML pages and Word files read into the same Document as text: the same values, the same
findings; merged cells expanded into the exact grid; encodings; legacy .doc; bad input."""

import functools
import io
import json
import random
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from xxgk import ReadError, parse_bytes
from xxgk import template as T
from xxgk.cli import app
from xxgk.readers import legacy, read_bytes, sniff
from xxgk.synth import random_report
from xxgk.synth.layouts import write
from xxgk.synth.webdocs import document_xml, package, to_docx, to_html

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _diff(rep, out):
    return [
        (t, r, c, want, out[t][r][c])
        for t, rows in rep.values.items()
        for r, cols in rows.items()
        for c, want in cols.items()
        if out[t][r][c] != want
    ]


def _findings(report):
    """Findings without where they sit (line numbers differ between formats) or info ones."""
    out = []
    for f in report.findings:
        if f.severity.value == "info":
            continue
        where = {k: v for k, v in f.where.items() if k != "line"}
        out.append((f.code, f.severity.value, json.dumps(where, sort_keys=True, ensure_ascii=False)))
    return sorted(out)


def _as_text(rep, blank):
    return parse_bytes(write(rep, "tsv", random.Random(0), heading="一、", blank=blank).encode(), "r.txt")


# ---- property: generated reports in HTML and DOCX parse back exactly ----------------------------

@SETTINGS
@given(
    seed=st.integers(0, 2**32),
    template_id=st.sampled_from(sorted(T.TEMPLATES)),
    blank_share=st.sampled_from((0.0, 0.0, 0.06)),
    blank=st.sampled_from(("", "/", "—")),
    encoding=st.sampled_from(("utf-8", "utf-8-sig", "gbk", "gb18030")),
    declare=st.booleans(),
    junk=st.booleans(),
    layout_table=st.booleans(),
    mess=st.booleans(),
    split=st.booleans(),
)
def test_html_parses_back_exactly(seed, template_id, blank_share, blank, encoding, declare, junk, layout_table, mess, split):
    rng = random.Random(seed)
    rep = random_report(rng, template_id, zero_share=0.05, blank_share=blank_share)
    data = to_html(rep, rng, encoding=encoding, declare=declare, junk=junk, layout_table=layout_table,
                   p_in_cells=mess, nbsp=mess, split=split, blank=blank)
    report = parse_bytes(data, "r.html")
    out = report.to_json(provenance=False)
    assert _diff(rep, out) == []
    assert (out["template"], out["meta"]["year"], out["meta"]["agency"]) == (rep.template, rep.year, rep.agency)
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert report.source.format == "html"
    assert _findings(report) == _findings(_as_text(rep, blank))


@SETTINGS
@given(
    seed=st.integers(0, 2**32),
    template_id=st.sampled_from(sorted(T.TEMPLATES)),
    blank_share=st.sampled_from((0.0, 0.0, 0.06)),
    blank=st.sampled_from(("", "/", "—")),
    numbered=st.booleans(),
    textbox=st.booleans(),
    nested=st.booleans(),
    split=st.booleans(),
)
def test_docx_parses_back_exactly(seed, template_id, blank_share, blank, numbered, textbox, nested, split):
    rng = random.Random(seed)
    rep = random_report(rng, template_id, zero_share=0.05, blank_share=blank_share)
    data = to_docx(rep, rng, numbered=numbered, textbox=textbox, nested=nested, split=split, blank=blank)
    report = parse_bytes(data, "r.docx")
    out = report.to_json(provenance=False)
    assert _diff(rep, out) == []
    assert (out["template"], out["meta"]["year"], out["meta"]["agency"]) == (rep.template, rep.year, rep.agency)
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert report.source.format == "docx"
    assert _findings(report) == _findings(_as_text(rep, blank))


@pytest.mark.parametrize("seed", [3, 11])
def test_text_html_docx_agree_on_values_and_findings(seed):
    rep = random_report(random.Random(seed), "2021", zero_share=0.05, blank_share=0.04)
    rep.values["requests"]["new_received"]["total"] = (rep.values["requests"]["new_received"]["total"] or 0) + 1
    text = _as_text(rep, "")
    html = parse_bytes(to_html(rep, seed, split=True, layout_table=True), "r.html")
    docx = parse_bytes(to_docx(rep, seed, split=True, textbox=True), "r.docx")
    canon = {k: text.to_json(provenance=False)[k] for k in T.TABLE_KEYS}
    codes = sorted(f.code for f in text.findings)
    assert "T3_BALANCE" in codes and "BLANK_CELL" in codes
    for other in (html, docx):
        assert {k: other.to_json(provenance=False)[k] for k in T.TABLE_KEYS} == canon
        assert sorted(f.code for f in other.findings) == codes


def test_values_keep_provenance_to_line_and_cell():
    rep = random_report(random.Random(4), "2021", zero_share=0.05)
    for data, name in ((to_html(rep, 4), "r.html"), (to_docx(rep, 4), "r.docx")):
        doc = read_bytes(data, name)
        report = parse_bytes(data, name)
        v = report.tables["requests"]["new_received"]["total"]
        assert v.status == "read" and v.raw == str(rep.values["requests"]["new_received"]["total"])
        ti, ri, ci = v.cell
        cell = doc.tables[ti].rows[ri].cells[ci]
        assert (cell.text, cell.line) == (v.raw, v.line)
        line = doc.lines[v.line - 1]
        assert line.no == v.line and line.in_table and line.text.split("\t")[ci] == v.raw
        assert doc.tables[ti].rows_known is True and doc.tables[ti].padded is False
        if name.endswith(".docx"):
            assert cell.para is not None and cell.para > 0


# ---- merged cells → the exact grid --------------------------------------------------------------

def _grid(table):
    return [[(c.text, c.rowspan, c.colspan, c.spanned) for c in row.cells] for row in table.rows]


def test_html_spans_expand_to_the_exact_grid():
    page = """<html><body><p>表前</p><table>
    <tr><th rowspan="2">A</th><th colspan="2">B</th><td>C</td></tr>
    <tr><td>1</td><td rowspan="2">2<br>二</td><td>&nbsp;3&nbsp;</td></tr>
    <tr><td colspan=2><p>D</p><p>E</p></td><td>4</td></tr>
    </table><p>表后</p></body></html>""".encode()
    doc = read_bytes(page, "t.html")
    (table,) = doc.tables
    assert _grid(table) == [
        [("A", 2, 1, False), ("B", 1, 2, False), ("B", 1, 1, True), ("C", 1, 1, False)],
        [("A", 1, 1, True), ("1", 1, 1, False), ("2二", 2, 1, False), ("3", 1, 1, False)],
        [("D E", 1, 2, False), ("D E", 1, 1, True), ("2二", 1, 1, True), ("4", 1, 1, False)],
    ]
    assert [[c.line for c in row.cells] for row in table.rows] == [[2] * 4, [3] * 4, [4] * 4]
    assert [(line.no, line.text, line.in_table) for line in doc.lines] == [
        (1, "表前", False), (2, "A\tB\t\tC", True), (3, "\t1\t2二\t3", True), (4, "D E\t\t\t4", True), (5, "表后", False),
    ]
    assert (table.first_line, table.last_line, table.rows_known, table.padded) == (2, 4, True, False)


def _tc(text, span=1, vmerge=None):
    pr = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        "" if vmerge is None else ('<w:vMerge w:val="restart"/>' if vmerge == "restart" else "<w:vMerge/>"))
    return f'<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>'


def test_docx_merges_expand_to_the_exact_grid():
    rows = [
        _tc("A", vmerge="restart") + _tc("B", span=2) + _tc("C"),
        _tc("", vmerge="continue") + _tc("1") + _tc("2", vmerge="restart") + _tc("3"),
        _tc("D", span=2) + _tc("", vmerge="continue") + _tc("4"),
        '<w:trPr><w:gridBefore w:val="1"/></w:trPr>' + _tc("5") + _tc("6"),
    ]
    body = "<w:p><w:r><w:t>表前</w:t></w:r></w:p><w:tbl>" + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>"
    doc = read_bytes(package(document_xml(body)), "t.docx")
    (table,) = doc.tables
    assert _grid(table) == [
        [("A", 2, 1, False), ("B", 1, 2, False), ("B", 1, 1, True), ("C", 1, 1, False)],
        [("A", 1, 1, True), ("1", 1, 1, False), ("2", 2, 1, False), ("3", 1, 1, False)],
        [("D", 1, 2, False), ("D", 1, 1, True), ("2", 1, 1, True), ("4", 1, 1, False)],
        [("", 1, 1, False), ("5", 1, 1, False), ("6", 1, 1, False)],
    ]
    # paragraph index of each cell's first paragraph (表前 is paragraph 1; a continued cell's
    # paragraph is counted though the cell is covered)
    assert [[c.para for c in row.cells if not c.spanned] for row in table.rows] == [
        [2, 3, 4], [6, 7, 8], [9, 11], [None, 12, 13]]
    assert [line.text for line in doc.lines] == ["表前", "A\tB\t\tC", "\t1\t2\t3", "D\t\t\t4", "\t5\t6"]


def test_docx_list_numbering_becomes_heading_prefixes():
    num = lambda lvl: f'<w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="1"/></w:numPr></w:pPr>'  # noqa: E731
    style = '<w:pPr><w:pStyle w:val="1"/></w:pPr>'
    paras = [(style, "总体情况"), (num(1), "主动公开"), (num(1), "依申请公开"), (num(2), "网站"), (num(2), "微博"),
             (num(1), "平台建设"), (style, "主动公开政府信息情况"), (num(1), "规章")]
    body = "".join(f"<w:p>{pr}<w:r><w:t>{t}</w:t></w:r></w:p>" for pr, t in paras)
    doc = read_bytes(package(document_xml(body)), "n.docx")
    assert [line.text for line in doc.lines] == [
        "一、总体情况", "（一）主动公开", "（二）依申请公开", "1.网站", "2.微博", "（三）平台建设",
        "二、主动公开政府信息情况", "（一）规章"]


def test_docx_text_box_is_read_once_and_in_place():
    inner = "<w:p><w:r><w:t>框内文字</w:t></w:r></w:p>"
    box = (f'<w:p><w:r><w:t>锚点段落</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
           f"<wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict>"
           f"<v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent>"
           "</w:r></w:p><w:p><w:r><w:t>其后</w:t></w:r></w:p>")
    doc = read_bytes(package(document_xml(box)), "b.docx")
    assert [line.text for line in doc.lines] == ["锚点段落", "框内文字", "其后"]


def test_nested_layout_table_is_not_the_report_table():
    page = """<html><body><table class="layout"><tr><td>栏目导航</td><td><p>正文</p>
    <table><tr><td>x</td><td>1</td></tr></table></td></tr></table></body></html>""".encode()
    doc = read_bytes(page, "n.html")
    assert [_grid(t) for t in doc.tables] == [[[("x", 1, 1, False), ("1", 1, 1, False)]]]
    assert [(line.text, line.in_table) for line in doc.lines] == [("栏目导航", False), ("正文", False), ("x\t1", True)]


def test_page_furniture_is_dropped_but_not_the_report():
    page = """<html><head><title>标题</title><script>var a='脚本';</script></head><body>
    <div class="nav">首页 政务公开</div><div class="breadcrumb">当前位置：首页 &gt; 政府信息公开工作年度报告</div>
    <header class="header"><h1>某镇2024年政府信息公开工作年度报告</h1></header>
    <div class="content">正文<span>第一段</span></div><div class="share">分享到：微信</div>
    <footer>版权所有</footer></body></html>""".encode()
    doc = read_bytes(page, "f.html")
    assert [line.text for line in doc.lines] == ["某镇2024年政府信息公开工作年度报告", "正文第一段"]


# ---- encodings ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "encoding, declare, detected",
    [("gbk", True, "gb18030"), ("gbk", False, "gb18030"), ("utf-8-sig", False, "utf-8-sig"), ("utf-8", True, "utf-8")],
)
def test_html_encodings(encoding, declare, detected):
    rep = random_report(random.Random(8), "2021", zero_share=0.05)
    data = to_html(rep, 8, encoding=encoding, declare=declare)
    assert (b"charset=gb2312" in data) == (encoding == "gbk" and declare)
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    report = parse_bytes(data, "e.html")
    assert report.source.encoding == detected
    assert report.meta.agency == rep.agency
    assert _diff(rep, report.to_json(provenance=False)) == []


def test_html_declared_wrongly_falls_back_to_detection():
    data = '<html><head><meta charset="utf-8"></head><body><p>政府信息公开工作年度报告</p></body></html>'.encode("gbk")
    doc = read_bytes(data, "w.html")
    assert (doc.encoding, doc.lines[0].text) == ("gb18030", "政府信息公开工作年度报告")


# ---- legacy .doc --------------------------------------------------------------------------------

def test_legacy_doc_via_libreoffice(tmp_path):
    import subprocess

    exe = legacy.soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    rep = random_report(random.Random(21), "2019", zero_share=0.05)
    src = tmp_path / "r.docx"
    src.write_bytes(to_docx(rep, 21, split=True))
    subprocess.run([exe, f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--headless", "--norestore",
                    "--convert-to", "doc", "--outdir", str(tmp_path), str(src)],
                   check=True, timeout=180, capture_output=True, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    data = (tmp_path / "r.doc").read_bytes()
    assert sniff(data) == "ole"
    report = parse_bytes(data, "r.doc")
    assert (report.source.format, report.meta.agency, report.template) == ("doc", rep.agency, "2019")
    assert _diff(rep, report.to_json(provenance=False)) == []
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]


OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 600


def test_legacy_doc_without_libreoffice_says_so_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(legacy, "soffice", lambda: None)
    with pytest.raises(ReadError) as exc:
        parse_bytes(OLE_DOC, "old.doc")
    assert str(exc.value) == "旧版 Word 格式（.doc/.wps）需要安装 LibreOffice 才能读取"
    assert exc.value.reason == "needs-libreoffice"
    (tmp_path / "old.wps").write_bytes(OLE_DOC)
    result = CliRunner().invoke(app, ["check", str(tmp_path / "old.wps")])
    assert result.exit_code == 2
    assert "LibreOffice" in result.output and "Traceback" not in result.output


# ---- bad input ----------------------------------------------------------------------------------

def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@functools.cache
def _bad_files() -> dict[str, tuple[bytes, str]]:
    good = to_docx(random_report(random.Random(2), "2021"), 2)
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document>" + b" " * (70 * 1024 * 1024)})
    return {
        "truncated.docx": (good[: len(good) // 2], "corrupt-docx"),
        "no-document.docx": (_zip({"[Content_Types].xml": b"<Types/>", "word/styles.xml": b"<w:styles/>"}), "docx-no-document"),
        "bad-xml.docx": (_zip({"word/document.xml": b"<w:document><w:body><w:p>"}), "corrupt-docx"),
        "bomb.docx": (bomb, "zip-bomb"),
        "archive.zip": (_zip({"a.txt": b"hello"}), "zip"),
        "broken.html": (b"<html><body><div><span></div></table><!-- ", "empty"),
        "empty.html": (b"", "empty"),
        "empty.docx": (b"", "empty"),
    }


@pytest.mark.parametrize("name", sorted(_bad_files()))
def test_bad_files_raise_one_line_read_error(name):
    data, reason = _bad_files()[name]
    with pytest.raises(ReadError) as exc:
        parse_bytes(data, name)
    assert exc.value.reason == reason
    assert "\n" not in str(exc.value) and str(exc.value)


def test_check_goes_on_past_bad_files(tmp_path):
    for name, (data, _) in _bad_files().items():
        (tmp_path / name).write_bytes(data)
    rep = random_report(random.Random(5), "2021", zero_share=0.05)
    (tmp_path / "good.html").write_bytes(to_html(rep, 5))
    (tmp_path / "good.docx").write_bytes(to_docx(rep, 5))
    result = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "内部错误" not in result.output
    bad_lines = [line for line in result.output.splitlines() if any(n in line for n in _bad_files())]
    assert len(bad_lines) == len(_bad_files())
    for name in ("good.html", "good.docx"):
        verdict = f"✓ {tmp_path / name}  {rep.agency} · {rep.year}年度 · 2021年模板  错误0 警告0 提示0"
        assert verdict in result.output.splitlines()


# ---- sniffing -----------------------------------------------------------------------------------

def test_sniff_tells_docx_xlsx_and_plain_zip_apart():
    import openpyxl

    buf = io.BytesIO()
    openpyxl.Workbook().save(buf)
    assert sniff(to_docx(random_report(random.Random(1), "2021"), 1)) == "docx"
    assert sniff(buf.getvalue()) == "xlsx"
    assert sniff(_zip({"a.txt": b"x"})) == "zip"
    assert sniff(_zip({"word/document.xml": b"<x/>"})[:40] + b"word/document.xml") == "docx"  # damaged package
    assert (sniff(b"PK\x03\x04garbage", "r.docx"), sniff(b"PK\x03\x04garbage", "r.zip")) == ("docx", "zip")
    with pytest.raises(ReadError) as exc:
        parse_bytes(buf.getvalue(), "t.xlsx")
    assert exc.value.reason == "unsupported-format"


def test_sniff_html_without_doctype():
    rep = random_report(random.Random(6), "2021")
    assert sniff(to_html(rep, 6, doctype=False)) == "html"
    assert sniff(b"  <div><p>\xe6\x94\xbf\xe5\xba\x9c</p><table><tr><td>1</td></tr></table></div>") == "html"
    assert sniff(b"<p>x</p>", "page.shtml") == "html"


def test_html_utf8_with_a_stray_byte_keeps_its_declared_encoding():
    page = '<html><head><meta charset="utf-8"></head><body><p>政府信息公开工作年度报告</p><p>第二段</p></body></html>'
    data = page.encode("utf-8").replace("第二段".encode(), b"\xff" + "第二段".encode())
    doc = read_bytes(data, "s.html")
    assert (doc.encoding, [line.text for line in doc.lines]) == ("utf-8", ["政府信息公开工作年度报告", "\ufffd第二段"])
    assert doc.warnings == ["网页含少量无法按声明的编码解码的字节，已用替换字符代替"]


def test_without_the_formats_extra_the_message_names_it(monkeypatch):
    from xxgk.readers import docx as docx_reader
    from xxgk.readers import html as html_reader

    monkeypatch.setattr(html_reader, "lxml", None)
    monkeypatch.setattr(docx_reader, "etree", None)
    rep = random_report(random.Random(9), "2021")
    for data, name in ((to_html(rep, 9), "r.html"), (to_docx(rep, 9), "r.docx")):
        with pytest.raises(ReadError) as exc:
            parse_bytes(data, name)
        assert exc.value.reason == "missing-extra"
        assert str(exc.value) == f"读取 {name[2:].upper()} 需要 lxml，请重新安装 xxgk（pip install xxgk）"


def test_html_title_only_in_the_head_is_kept():
    rep = random_report(random.Random(12), "2021", zero_share=0.05)
    page = to_html(rep, 12).decode()
    page = page.replace(f'<h1 class="title">{rep.title}</h1>', "").replace(
        f"<title>{rep.title}</title>", f"<title>{rep.title}_某某人民政府门户网站</title>")
    assert page.count(rep.title) == 1
    doc = read_bytes(page.encode(), "t.html")
    assert doc.lines[0].text == rep.title
    report = parse_bytes(page.encode(), "t.html")
    assert (report.meta.agency, report.meta.year) == (rep.agency, rep.year)
    assert _diff(rep, report.to_json(provenance=False)) == []


@pytest.mark.parametrize(
    "stream, reason, message",
    [
        ("EncryptedPackage", "encrypted", "文件已加密（设有打开密码），请去除密码后再读取"),
        ("Workbook", "unsupported-format", "是旧版 Excel 表格（.xls），不是年报文档，暂不支持读取"),
    ],
)
def test_ole_files_that_are_not_word_documents_are_refused_without_libreoffice(monkeypatch, stream, reason, message):
    monkeypatch.setattr(legacy, "soffice", lambda: pytest.fail("LibreOffice must not be started"))
    data = OLE_DOC.replace("WordDocument".encode("utf-16-le"), stream.encode("utf-16-le"))
    with pytest.raises(ReadError) as exc:
        parse_bytes(data, "x.doc")
    assert (exc.value.reason, str(exc.value)) == (reason, message)


def test_xhtml_encoding_declaration_is_honoured():
    page = '<?xml version="1.0" encoding="big5"?>\n<html><body><p>政府資訊公開工作年度報告</p></body></html>'
    doc = read_bytes(page.encode("big5"), "x.xhtml")
    # the declared name (read as its HKSCS superset), not the detector's "big5"
    assert (doc.encoding, [line.text for line in doc.lines]) == ("big5hkscs", ["政府资讯公开工作年度报告"])


def test_docx_text_box_in_a_table_cell_is_read_after_the_table():
    box = ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
           "<w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
           "</mc:AlternateContent></w:r>")
    body = (f"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>甲</w:t></w:r>{box}</w:p></w:tc>{_tc('1')}</w:tr></w:tbl>"
            "<w:p><w:r><w:t>表后</w:t></w:r></w:p>")
    doc = read_bytes(package(document_xml(body)), "c.docx")
    assert [(line.text, line.in_table) for line in doc.lines] == [("甲\t1", True), ("框内", False), ("表后", False)]


def test_docx_with_an_embedded_web_page_alt_chunk():
    from xxgk.synth.webdocs import to_docx_altchunk

    rep = random_report(random.Random(14), "2019", zero_share=0.05)
    data = to_docx_altchunk(rep, 14, encoding="gbk", declare=True, split=True)
    assert sniff(data) == "docx"
    doc = read_bytes(data, "a.docx")
    assert doc.lines[0].text == "（本文由网页导出）" and [line.no for line in doc.lines] == list(range(1, len(doc.lines) + 1))
    for table in doc.tables:
        assert all(doc.lines[c.line - 1].in_table for row in table.rows for c in row.cells)
    report = parse_bytes(data, "a.docx")
    assert (report.source.format, report.meta.agency, report.meta.year) == ("docx", rep.agency, rep.year)
    assert _diff(rep, report.to_json(provenance=False)) == []
    assert _findings(report) == _findings(_as_text(rep, ""))


def test_docx_alt_chunk_in_mht_form():
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    mht = MIMEMultipart("related")
    mht.attach(MIMEText("<html><body><p>某镇2024年政府信息公开工作年度报告</p><table><tr><td>规章</td><td>3</td></tr></table>"
                        "</body></html>", "html", "gb2312"))
    body = '<w:p><w:r><w:t>前言</w:t></w:r></w:p><w:altChunk r:id="rIdChunk1"/><w:p><w:r><w:t>结语</w:t></w:r></w:p>'
    doc = read_bytes(package(document_xml(body), chunks={"rIdChunk1": mht.as_bytes()}), "m.docx")
    assert [(line.no, line.text, line.in_table) for line in doc.lines] == [
        (1, "前言", False), (2, "某镇2024年政府信息公开工作年度报告", False), (3, "规章\t3", True), (4, "结语", False)]
    assert [[(c.text, c.line) for c in row.cells] for row in doc.tables[0].rows] == [[("规章", 3), ("3", 3)]]


def test_parse_and_ingest_read_html_and_docx(tmp_path):
    rep = random_report(random.Random(16), "2021", zero_share=0.05)
    (tmp_path / "a.html").write_bytes(to_html(rep, 16))
    (tmp_path / "b.docx").write_bytes(to_docx(random_report(random.Random(17), "2019", zero_share=0.05), 17))
    (tmp_path / "c.docx").write_bytes(b"PK\x03\x04garbage")
    result = CliRunner().invoke(app, ["parse", "--compact", str(tmp_path / "a.html")])
    assert result.exit_code == 0
    out = json.loads(result.output)
    assert (out["source"]["format"], out["source"]["encoding"], out["meta"]["agency"]) == ("html", "utf-8", rep.agency)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = CliRunner().invoke(app, ["ingest", str(tmp_path), "--db", db])
    assert result.exit_code == 2  # an input could not be read
    assert "新入库 2 个" in result.output and "失败 1 个" in result.output
    assert "c.docx: DOCX 文件已损坏（不是完整的 zip 压缩包）" in result.output


def test_report_pasted_as_plain_text_in_pre_keeps_its_lines_and_tables():
    from html import escape

    rep = random_report(random.Random(18), "2021", zero_share=0.05)
    text = write(rep, "tsv", random.Random(0), heading="一、")
    page = f'<html><body><div class="nav">首页</div><p>正文如下：</p><pre>{escape(text)}</pre><p>（完）</p></body></html>'
    doc = read_bytes(page.encode(), "p.html")
    assert doc.lines[0].text == "正文如下：" and doc.lines[1].text == rep.title and doc.lines[-1].text == "（完）"
    assert [line.no for line in doc.lines] == list(range(1, len(doc.lines) + 1))
    assert all(doc.lines[c.line - 1].in_table for t in doc.tables for row in t.rows for c in row.cells)
    report = parse_bytes(page.encode(), "p.html")
    assert (report.meta.agency, report.meta.year) == (rep.agency, rep.year)
    assert _diff(rep, report.to_json(provenance=False)) == []
    assert _findings(report) == _findings(_as_text(rep, ""))


def test_docx_rows_and_cells_in_content_controls():
    sdt_row = f"<w:sdt><w:sdtPr/><w:sdtContent><w:tr>{_tc('乙')}{_tc('2')}</w:tr></w:sdtContent></w:sdt>"
    sdt_cell = f"<w:sdt><w:sdtPr/><w:sdtContent>{_tc('3')}</w:sdtContent></w:sdt>"
    body = f"<w:tbl><w:tr>{_tc('甲')}{_tc('1')}</w:tr>{sdt_row}<w:tr>{_tc('丙')}{sdt_cell}</w:tr></w:tbl>"
    doc = read_bytes(package(document_xml(body)), "s.docx")
    assert [[c.text for c in row.cells] for row in doc.tables[0].rows] == [["甲", "1"], ["乙", "2"], ["丙", "3"]]


def test_menu_links_without_a_telling_class_are_not_taken_for_the_title():
    rep = random_report(random.Random(19), "2021", zero_share=0.05)
    menu = ('<ul class="list"><li><a href="/">首页</a></li><li><a href="/nb/">政府信息公开工作年度报告</a></li>'
            '<li>附件：<a href="/f.pdf">年报.pdf</a></li></ul>')
    page = to_html(rep, 19, junk=False).decode().replace("<body>\n", "<body>\n" + menu, 1)
    doc = read_bytes(page.encode(), "m.html")
    assert [line.text for line in doc.lines[:2]] == ["附件：年报.pdf", rep.title]
    report = parse_bytes(page.encode(), "m.html")
    assert (report.meta.title, report.meta.agency) == (rep.title, rep.agency)
