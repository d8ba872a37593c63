"""PDF with a text layer: generated reports drawn as ruled tables (merged cells, Table 3 broken
across pages with and without its header repeated, running header and page numbers) parse back
to exactly their numbers, with the findings of the same report read as text."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("pypdfium2")
pytest.importorskip("reportlab")

from xxgk import parse_bytes  # noqa: E402
from xxgk import template as T  # noqa: E402
from xxgk.readers import read_bytes  # noqa: E402
from xxgk.report import Severity  # noqa: E402
from xxgk.synth import random_report  # noqa: E402
from xxgk.synth.layouts import write  # noqa: E402
from xxgk.synth.pdfs import PdfStyle, write_pdf  # noqa: E402


def _diff(rep, report):
    return [
        (t, r, c, want, report.tables[t][r][c].value)
        for t, rows in rep.values.items()
        for r, cols in rows.items()
        for c, want in cols.items()
        if report.tables[t][r][c].value != want
    ]


def _codes(report):
    return sorted(f.code for f in report.findings if f.severity is not Severity.INFO)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    template_id=st.sampled_from(sorted(T.TEMPLATES)),
    repeat_header=st.booleans(),
    break_row=st.sampled_from([None, 4, 9, 15, 22]),
)
def test_text_layer_pdf_parses_back_exactly(seed, template_id, repeat_header, break_row):
    rep = random_report(random.Random(seed), template_id, zero_share=0.05)
    pdf = write_pdf(rep, PdfStyle(repeat_header=repeat_header, break_row=break_row))
    report = parse_bytes(pdf, "r.pdf")
    assert _diff(rep, report) == []
    assert (report.template, report.meta.year, report.meta.agency) == (rep.template, rep.year, rep.agency)
    as_text = parse_bytes(write(rep, "tsv", random.Random(seed), heading="一、").encode(), "r.txt")
    assert _codes(report) == _codes(as_text)
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("template_id", ["2021", "2019"])
def test_same_report_as_text_and_as_pdf(template_id):
    rep = random_report(random.Random(11), template_id, zero_share=0.05, blank_share=0.04)
    pdf = parse_bytes(write_pdf(rep, PdfStyle(repeat_header=True, break_row=10)), "r.pdf")
    txt = parse_bytes(write(rep, "tsv", random.Random(3), heading="一、", blank="/").encode(), "r.txt")
    want = txt.to_json(provenance=False, sections=False)
    got = pdf.to_json(provenance=False, sections=False)
    for key in T.TABLE_KEYS:
        assert got[key] == want[key]
    assert got["meta"]["agency"] == want["meta"]["agency"] and got["template"] == want["template"]
    assert sorted(f.code for f in pdf.findings) == sorted(f.code for f in txt.findings)
    assert "BLANK_CELL" in {f.code for f in pdf.findings}


@pytest.fixture(scope="module")
def broken_table_pdf():
    rep = random_report(random.Random(5), "2021", zero_share=0.05)
    return rep, write_pdf(rep, PdfStyle(repeat_header=True, break_row=12))


def test_table_continued_on_next_page_is_one_table(broken_table_pdf):
    rep, pdf = broken_table_pdf
    doc = read_bytes(pdf, "r.pdf")
    assert doc.format == "pdf" and doc.pages == 2
    assert len(doc.tables) == 3  # Table 3's two parts are one table
    requests = doc.tables[1]
    pages = sorted({c.page for row in requests.rows for c in row.cells})
    assert pages == [1, 2]
    # the repeated header rows are kept as rows; the extractor skips them
    headers = [k for k, row in enumerate(requests.rows) if any(c.text == "自然人" and not c.spanned for c in row.cells)]
    assert len(headers) == 2


def test_furniture_is_dropped_and_paragraphs_are_joined(broken_table_pdf):
    rep, pdf = broken_table_pdf
    doc = read_bytes(pdf, "r.pdf")
    texts = [line.text for line in doc.lines if not line.in_table]
    assert not any(t.startswith("- ") or t.endswith("政府信息公开") for t in texts)
    assert texts[0] == rep.title
    period = [t for t in texts if "统计期限" in t]
    assert len(period) == 1 and period[0].endswith(f"{rep.year}年12月31日止。")


def test_merged_cells_are_expanded_with_spanned_copies(broken_table_pdf):
    _, pdf = broken_table_pdf
    doc = read_bytes(pdf, "r.pdf")
    active = doc.tables[0]
    first = active.rows[0].cells  # 第二十条第（一）项 across the whole table
    assert first[0].colspan == 4 and not first[0].spanned
    assert [c.spanned for c in first[1:]] == [True, True, True]
    assert {c.text for c in first} == {"第二十条第（一）项"}


def test_every_number_carries_page_and_box(broken_table_pdf):
    rep, pdf = broken_table_pdf
    report = parse_bytes(pdf, "r.pdf")
    prov = report.to_json()["provenance"]
    granted = prov["requests.granted.total"]
    assert granted["status"] == "read" and granted["page"] == 1 and len(granted["bbox"]) == 4
    x0, top, x1, bottom = granted["bbox"]
    assert 0 < x0 < x1 < 595 and 0 < top < bottom < 842
    after_break = prov["requests.carried_forward.total"]
    assert after_break["page"] == 2 and after_break["raw"] == str(rep.values["requests"]["carried_forward"]["total"])
    assert report.source.format == "pdf" and report.source.pages == 2


@pytest.mark.parametrize("seed, template_id", [(1, "2021"), (2, "2019"), (6, "2021")])
def test_table_without_ruling_lines_parses_back_exactly(seed, template_id):
    rep = random_report(random.Random(seed), template_id, zero_share=0.05)
    report = parse_bytes(write_pdf(rep, PdfStyle(ruled=False, break_row=None)), "r.pdf")
    assert report.source.layout == "unruled"
    assert _diff(rep, report) == []
    assert _codes(report) == []


def test_grid_drawn_as_one_path_is_a_table():
    import io

    from reportlab.pdfgen import canvas

    from xxgk.synth.pdfs import _font

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    c.setFont(_font(), 10)
    c.drawString(60, 780, "表格")
    path = c.beginPath()
    xs, ys = [60, 200, 300, 400], [700, 680, 660]
    for y in ys:
        path.moveTo(xs[0], y)
        path.lineTo(xs[-1], y)
    for x in xs:
        path.moveTo(x, ys[0])
        path.lineTo(x, ys[-1])
    c.drawPath(path, stroke=1, fill=0)
    for r, row in enumerate([["行政许可", "12", "3"], ["行政处罚", "45", "6"]]):
        for k, text in enumerate(row):
            c.drawString(xs[k] + 5, ys[r] - 14, text)
    c.save()
    doc = read_bytes(buf.getvalue(), "grid.pdf")
    assert [[cell.text for cell in row.cells] for t in doc.tables for row in t.rows] == [
        ["行政许可", "12", "3"],
        ["行政处罚", "45", "6"],
    ]


def test_title_at_the_top_of_a_page_without_furniture_is_kept():
    rep = random_report(random.Random(8), "2021", zero_share=0.05)
    pdf = write_pdf(rep, PdfStyle(furniture=False, break_row=None))
    doc = read_bytes(pdf, "r.pdf")
    assert doc.lines[0].text == rep.title
    report = parse_bytes(pdf, "r.pdf")
    assert _diff(rep, report) == [] and report.meta.agency == rep.agency


def test_page_with_rotate_flag_reads_in_its_own_coordinates():
    import io

    import pypdfium2 as pdfium

    rep = random_report(random.Random(3), "2021", zero_share=0.05)
    doc = pdfium.PdfDocument(write_pdf(rep))
    for page in doc:
        page.set_rotation(90)
    buf = io.BytesIO()
    doc.save(buf)
    report = parse_bytes(buf.getvalue(), "rotated.pdf")
    assert _diff(rep, report) == []
    assert report.meta.agency == rep.agency
    x0, top, x1, bottom = report.tables["requests"]["granted"]["total"].bbox
    assert 0 < top < bottom < 842 and 0 < x0 < x1 < 595


def test_findings_in_a_pdf_name_the_page(tmp_path):
    from typer.testing import CliRunner

    from xxgk.cli import app

    rep = random_report(random.Random(8), "2021", zero_share=0.05)
    rep.values["requests"]["carried_forward"]["commercial"] = None  # a blank in the last Table 3 row
    report = parse_bytes(write_pdf(rep), "r.pdf")
    (blank,) = [f for f in report.findings if f.code == "BLANK_CELL"]
    value = report.tables["requests"]["carried_forward"]["natural_person"]
    assert blank.where["line"] == value.line and blank.where["page"] == value.page
    path = tmp_path / "r.pdf"
    path.write_bytes(write_pdf(rep))
    out = CliRunner().invoke(app, ["check", str(path)]).stdout
    (shown,) = [line for line in out.splitlines() if "BLANK_CELL" in line]
    assert shown.endswith(f"（第{value.page}页）")
    # a text report has no pages: its findings keep the line
    text = parse_bytes(write(rep, "tsv", random.Random(1)).encode("utf-8"), "r.txt")
    (blank,) = [f for f in text.findings if f.code == "BLANK_CELL"]
    assert "page" not in blank.where and blank.where["line"]
