"""Scanned reports: the PDF fixture rasterised at 200 dpi (clean, and turned and noisy), read by
OCR.  Every cell comes out right, or flagged — never a wrong number with status "read".  The OCR
runs twice in this module (about a minute on two shared cores); the corrupted-digit tests replay
the recorded recogniser output."""

import hashlib
import io
import random
import socket

import pytest

pytest.importorskip("rapidocr_onnxruntime")
pytest.importorskip("reportlab")

from xxgk import parse_bytes  # noqa: E402
from xxgk.readers import ocr  # noqa: E402
from xxgk.synth import random_report  # noqa: E402
from xxgk.synth.pdfs import image_pdf, render_pages, write_pdf  # noqa: E402

pytestmark = pytest.mark.slow

REP = random_report(random.Random(21), "2021", zero_share=0.05)
RECORDED: dict[str, ocr.Reading] = {}


def _key(img) -> str:
    return hashlib.sha1(img.tobytes() + str(img.shape).encode()).hexdigest()


def _tiff(images) -> bytes:
    buf = io.BytesIO()
    images[0].save(buf, format="TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate")
    return buf.getvalue()


def _no_network(*a, **kw):
    raise AssertionError("network access attempted")


@pytest.fixture(scope="module")
def clean():
    """The clean scan as a two-page TIFF, parsed with the network cut off; readings recorded."""
    images = render_pages(write_pdf(REP), dpi=200)
    data = _tiff(images)
    real = ocr.recognise

    def recording(crops):
        out = real(crops)
        RECORDED.update({_key(c): r for c, r in zip(crops, out)})
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", _no_network)
        mp.setattr(socket, "create_connection", _no_network)
        mp.setattr(ocr, "recognise", recording)
        report = parse_bytes(data, "scan.tif")
    return data, report


@pytest.fixture(scope="module")
def noisy():
    images = render_pages(write_pdf(REP), dpi=200, angle=0.8, noise=14, seed=3)
    return parse_bytes(image_pdf(images), "scan.pdf")


def _cells(report):
    for t, rows in REP.values.items():
        for r, cols in rows.items():
            for c, want in cols.items():
                yield (t, r, c), want, report.tables[t][r][c]


def _flagged(report, t, r, c) -> bool:
    return any(f.where.get("table") == t and (f.where.get("row") in (r, None)) for f in report.findings)


def test_models_ship_inside_the_package():
    import os

    import rapidocr_onnxruntime

    pkg = os.path.dirname(rapidocr_onnxruntime.__file__)
    models = sorted(f for f in os.listdir(os.path.join(pkg, "models")) if f.endswith(".onnx"))
    assert any("rec" in m for m in models)


def test_clean_scan_every_cell_right(clean):
    _, report = clean
    wrong = [(slot, want, v.value, v.status) for slot, want, v in _cells(report) if v.value != want]
    assert wrong == []
    assert {v.status for _, _, v in _cells(report)} <= {"read", "inferred"}
    assert report.source.format == "image" and report.source.pages == 2
    assert (report.meta.agency, report.meta.year) == (REP.agency, REP.year)
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert not report.has_errors


def test_clean_scan_provenance_has_page_box_and_confidence(clean):
    _, report = clean
    prov = report.to_json()["provenance"]["requests.new_received.total"]
    assert prov["page"] == 1 and len(prov["bbox"]) == 4 and 0.0 < prov["confidence"] <= 1.0


def test_turned_noisy_scan_is_right_or_flagged(noisy):
    report = noisy
    assert report.source.format == "image"
    for (t, r, c), want, v in _cells(report):
        if v.value == want and v.status in ("read", "inferred"):
            continue
        assert v.status in ("doubtful", "unplaced", "missing"), ((t, r, c), want, v)
        assert _flagged(report, t, r, c), ((t, r, c), want, v)


def _replay(monkeypatch, target: str, text: str, prob: float):
    """Replay the recorded readings, with the one that read `target` changed to `text`."""
    hits = [k for k, r in RECORDED.items() if r.text == target]
    assert len(hits) == 1, f"{target!r} read {len(hits)} times"

    def replay(crops):
        out = []
        for c in crops:
            r = RECORDED[_key(c)]
            if _key(c) == hits[0]:
                r = ocr.Reading(text, [prob] * len(text), [""] * len(text))
            out.append(r)
        return out

    monkeypatch.setattr(ocr, "recognise", replay)


def _unique_total(report) -> tuple[str, str, int]:
    """A Table 3 row total whose digits no other recognised line reads the same."""
    counts: dict[str, int] = {}
    for r in RECORDED.values():
        counts[r.text] = counts.get(r.text, 0) + 1
    for row, cols in REP.values["requests"].items():
        v = cols["total"]
        if v >= 10 and counts.get(str(v)) == 1:
            return row, str(v), v
    pytest.skip("no uniquely read total")


def _misread(digits: str) -> str:
    last = str((int(digits[-1]) + 3) % 10)
    return digits[:-1] + last


def test_low_confidence_misread_is_settled_by_the_identities(clean, monkeypatch):
    data, report = clean
    row, digits, want = _unique_total(report)
    _replay(monkeypatch, digits, _misread(digits), 0.55)
    got = parse_bytes(data, "scan.tif")
    v = got.tables["requests"][row]["total"]
    assert (v.value, v.status, v.raw) == (want, "inferred", _misread(digits))
    settled = [f for f in got.findings if f.code == "OCR_SETTLED" and f.where.get("row") == row]
    assert len(settled) == 1 and f"应为{want}" in settled[0].message and settled[0].where["column"] == "total"
    assert not got.has_errors


def test_low_confidence_unrelated_reading_stays_flagged(clean, monkeypatch):
    data, report = clean
    row, digits, want = _unique_total(report)
    _replay(monkeypatch, digits, digits + "7", 0.55)  # a digit too many: not a one-digit misread
    got = parse_bytes(data, "scan.tif")
    v = got.tables["requests"][row]["total"]
    assert (v.status, v.raw) == ("doubtful", digits + "7")
    flagged = [f for f in got.findings if f.code == "OCR_LOW_CONFIDENCE" and f.where.get("row") == row]
    assert len(flagged) == 1 and f"“{digits}7”" in flagged[0].message and "扫描件" in flagged[0].message
    assert flagged[0].severity.value == "warning"


def test_confident_misread_is_caught_by_the_accounting_rules(clean, monkeypatch):
    data, report = clean
    row, digits, want = _unique_total(report)
    _replay(monkeypatch, digits, _misread(digits), 0.99)
    got = parse_bytes(data, "scan.tif")
    codes = {f.code for f in got.findings if f.where.get("row") == row or row in (f.where.get("rows") or [])}
    assert "T3_ROW_SUM" in codes
    assert got.has_errors


def _mixed_pdf() -> bytes:
    """Page 1 with its text layer, page 2 a scan of the same report's page 2."""
    import pypdfium2 as pdfium

    text_pdf = write_pdf(REP)
    scan = image_pdf(render_pages(text_pdf, dpi=200)[1:])
    out = pdfium.PdfDocument.new()
    out.import_pages(pdfium.PdfDocument(text_pdf), [0])
    out.import_pages(pdfium.PdfDocument(scan), [0])
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def test_pdf_with_one_scanned_page_is_ocred_and_continues_the_table():
    report = parse_bytes(_mixed_pdf(), "mixed.pdf")
    assert report.source.format == "pdf" and report.source.pages == 2
    for (t, r, c), want, v in _cells(report):
        assert v.value == want and v.status in ("read", "inferred"), ((t, r, c), want, v)
    assert report.tables["appeals"]["reconsideration"]["total"].page == 2
    assert report.tables["requests"]["new_received"]["total"].confidence is None  # from the text layer


def test_scanned_page_without_ocr_is_skipped_with_a_warning(monkeypatch):
    from xxgk.readers import read_bytes

    monkeypatch.setattr(ocr, "available", lambda: False)
    doc = read_bytes(_mixed_pdf(), "mixed.pdf")
    assert doc.warnings == ["第2页是扫描图像，未安装OCR组件，未能识别"]
    assert {line.page for line in doc.lines} == {1}
    report = parse_bytes(_mixed_pdf(), "mixed.pdf")
    skipped = [f for f in report.findings if f.code == "SCANNED_PAGE_SKIPPED"]
    assert len(skipped) == 1 and skipped[0].where == {"pages": [2]} and "pip install 'xxgk[ocr]'" in skipped[0].message


def test_low_resolution_jpeg_page_is_right_or_flagged():
    page2 = render_pages(write_pdf(REP), dpi=150)[1]  # enlarged to ~200 dpi before OCR
    buf = io.BytesIO()
    page2.save(buf, format="JPEG", quality=85)
    report = parse_bytes(buf.getvalue(), "page2.jpg")
    assert report.source.format == "image" and report.source.pages == 1
    right = 0
    for (t, r, c), want, v in _cells(report):
        if t != "appeals":
            continue
        if v.value == want and v.status in ("read", "inferred"):
            right += 1
        else:
            assert v.status in ("doubtful", "unplaced", "missing") and _flagged(report, t, r, c), ((t, r, c), want, v)
    assert right >= 12  # of the 15 cells of Table 4


@pytest.mark.parametrize("text, dash", [("-6", True), ("6", False), ("−12", True), ("12", False)])
def test_minus_sign_is_seen_in_the_ink(text, dash):
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from .support import cjk_font

    font = ImageFont.truetype(cjk_font(), 28)
    img = Image.new("L", (120, 48), 255)
    ImageDraw.Draw(img).text((10, 5), text, fill=0, font=font)
    assert ocr._leading_dash(np.asarray(img)) is dash
