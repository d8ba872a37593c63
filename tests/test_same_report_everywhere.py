"""Issue 4's promise: one report in every form it is published in — text in each layout, the web
page and Word file of the renderer and of the messy-page fixtures, a PDF from reportlab, the PDF
LibreOffice makes of the rendered Word file, and a 200-dpi scan — reads to the same values and the
same findings (apart from provenance and how sure the OCR was)."""

import random
import shutil
import subprocess

import pytest

from xxgk import parse_bytes
from xxgk.render import from_mapping, render
from xxgk.synth import random_report
from xxgk.synth.layouts import LAYOUTS, write

# codes that describe how a number was read, not what the report says
READING_CODES = {"CELL_INFERRED", "NOT_EVALUATED", "OCR_SETTLED", "OCR_LOW_CONFIDENCE"}


def _report(seed: int, template_id: str):
    rep = random_report(random.Random(seed), template_id, zero_share=0.05)
    # one sum the prose states wrongly, so that every form must also agree on a warning
    rep.sections[1] = rep.sections[1] + "\n本年度通过政府网站主动公开政府信息9条，其中机构职能类2条，政策文件类3条。"
    return rep


def _data(rep):
    return from_mapping({
        "template": rep.template, "meta": {"agency": rep.agency, "year": rep.year}, **rep.canonical(),
        "sections": {str(k): v for k, v in rep.sections.items()},
    })


def _forms(rep) -> dict[str, tuple[bytes, str]]:
    rng = random.Random(3)
    forms = {f"text/{layout}": (write(rep, layout, rng).encode("utf-8"), "r.txt") for layout in LAYOUTS}
    rd = _data(rep)
    forms["render/txt"] = (render(rd, "txt"), "r.txt")
    forms["render/md"] = (render(rd, "md"), "r.md")
    forms["render/html"] = (render(rd, "html"), "r.html")
    forms["render/docx"] = (render(rd, "docx"), "r.docx")
    pdfs = pytest.importorskip("xxgk.synth.pdfs")
    forms["reportlab/pdf"] = (pdfs.write_pdf(rep), "r.pdf")
    webdocs = pytest.importorskip("xxgk.synth.webdocs")
    forms["page/html"] = (webdocs.to_html(rep, rng), "r.html")
    forms["word/docx"] = (webdocs.to_docx(rep, rng), "r.docx")
    return forms


def _outcome(report):
    values = {(t, r, c): report.value(t, r, c) for t in ("active", "requests", "appeals")
              for r, cols in report.tables[t].items() for c in cols}
    codes = sorted(f.code for f in report.findings if f.code not in READING_CODES)
    return report.meta.agency, report.meta.year, report.template, values, codes


@pytest.mark.parametrize("seed, template_id", [(1, "2021"), (2, "2019")])
def test_every_form_reads_to_the_same_values_and_findings(seed, template_id):
    rep = _report(seed, template_id)
    outcomes = {name: _outcome(parse_bytes(data, fname)) for name, (data, fname) in _forms(rep).items()}
    reference = outcomes.pop("text/tsv")
    assert reference[3] == {(t, r, c): v for t, rows in rep.canonical().items() for r, cols in rows.items() for c, v in cols.items()}
    assert reference[4] == ["NARRATIVE_SUM"]
    for name, outcome in outcomes.items():
        assert outcome == reference, name


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_the_pdf_libreoffice_makes_of_the_rendered_word_file_reads_back(tmp_path):
    rep = _report(4, "2021")
    (tmp_path / "r.docx").write_bytes(render(_data(rep), "docx"))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "r.docx")],
                   check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "r.pdf").read_bytes()
    report = parse_bytes(pdf, "r.pdf")
    assert report.source.format == "pdf" and report.source.pages >= 3
    assert _outcome(report) == _outcome(parse_bytes(write(rep, "tsv", 1).encode("utf-8"), "r.txt"))
    # every number keeps its page and cell box
    v = report.tables["requests"]["new_received"]["total"]
    assert v.page is not None and v.bbox is not None and v.status == "read"


@pytest.mark.slow
def test_a_clean_scan_reads_to_the_same_values_as_the_text():
    pytest.importorskip("rapidocr_onnxruntime")
    pdfs = pytest.importorskip("xxgk.synth.pdfs")
    rep = _report(5, "2021")
    scan = pdfs.image_pdf(pdfs.render_pages(pdfs.write_pdf(rep), dpi=200))
    report = parse_bytes(scan, "scan.pdf")
    assert _outcome(report) == _outcome(parse_bytes(write(rep, "tsv", 1).encode("utf-8"), "r.txt"))
