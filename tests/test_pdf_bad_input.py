"""Bad PDF and image files: one-line Chinese ReadError with a stable reason, never a traceback;
`xxgk check` reports them and goes on with the other files."""

import io
import random

import pytest
from typer.testing import CliRunner

pytest.importorskip("pypdfium2")
pytest.importorskip("reportlab")
Image = pytest.importorskip("PIL.Image")

from xxgk import ReadError, parse_bytes  # noqa: E402
from xxgk.cli import app  # noqa: E402
from xxgk.synth import random_report  # noqa: E402
from xxgk.synth.pdfs import image_bytes, write_pdf  # noqa: E402


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return write_pdf(random_report(random.Random(3), "2021", zero_share=0.05))


def _encrypted() -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(100, 100, "report")
    c.save()
    return buf.getvalue()


def _zero_pages() -> bytes:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _huge_png() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (11000, 10000), 1).save(buf, "PNG")  # 110 megapixels, a few KB on disk
    return buf.getvalue()


def _blank_png() -> bytes:
    return image_bytes(Image.new("L", (300, 300), 255))


CASES = {
    "encrypted": (lambda pdf: _encrypted(), "pdf-encrypted"),
    "truncated": (lambda pdf: pdf[: len(pdf) // 2], "pdf-broken"),
    "garbage": (lambda pdf: b"%PDF-1.7\n" + bytes(range(256)) * 10, "pdf-broken"),
    "zero-pages": (lambda pdf: _zero_pages(), "pdf-no-pages"),
    "huge-image": (lambda pdf: _huge_png(), "image-too-large"),
    "corrupt-png": (lambda pdf: _blank_png()[:60] + b"\x00" * 100, "image-broken"),
    "truncated-png": (lambda pdf: _blank_png()[:-30], "image-broken"),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_bad_file_is_one_line_read_error(pdf, kind):
    make, reason = CASES[kind]
    with pytest.raises(ReadError) as exc:
        parse_bytes(make(pdf), "bad")
    assert exc.value.reason == reason
    message = str(exc.value)
    assert "\n" not in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_huge_image_is_refused_before_decoding(monkeypatch):
    from PIL import ImageFile

    def no_decode(self, *a, **kw):
        raise AssertionError("pixels decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decode)
    with pytest.raises(ReadError) as exc:
        parse_bytes(_huge_png(), "huge.png")
    assert exc.value.reason == "image-too-large"


def test_check_reports_bad_files_and_goes_on(pdf, tmp_path):
    (tmp_path / "a-good.pdf").write_bytes(pdf)
    (tmp_path / "b-encrypted.pdf").write_bytes(_encrypted())
    (tmp_path / "c-truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    (tmp_path / "d-corrupt.png").write_bytes(_blank_png()[:60] + b"\x00" * 100)
    result = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2
    out = result.output
    assert "Traceback" not in out
    assert "PDF已加密" in out and "PDF文件已损坏" in out and "图片文件已损坏" in out
    assert "a-good.pdf" in out and "2021年模板" in out


def test_missing_ocr_extra_gives_one_line(monkeypatch):
    from xxgk.readers import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    png = image_bytes(Image.new("L", (400, 400), 255))
    with pytest.raises(ReadError) as exc:
        parse_bytes(png, "scan.png")
    assert exc.value.reason == "missing-ocr-extra" and "pip install 'xxgk[ocr]'" in str(exc.value)


def test_missing_pdf_extra_gives_one_line(pdf, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pypdfium2", None)
    monkeypatch.setitem(sys.modules, "pypdfium2.raw", None)
    with pytest.raises(ReadError) as exc:
        parse_bytes(pdf, "r.pdf")
    assert exc.value.reason == "missing-pdf-extra" and "pip install xxgk" in str(exc.value)
