"""Median time per page: text-layer PDF (our PDFium reader, the whole parse, and pdfplumber for
comparison) and OCR of scanned pages at 200 dpi.

Usage: python scripts/bench_pdf.py [N_REPORTS] [N_OCR_PAGES]
Wall-clock times (the OCR runs onnxruntime threads); run on an idle machine for stable figures."""

from __future__ import annotations

import random
import statistics
import sys
import time

from xxgk import parse_bytes
from xxgk.readers.pdf import read_pdf
from xxgk.synth import random_report
from xxgk.synth.pdfs import PdfStyle, random_style, render_pages, write_pdf


def per_page(fn, pdfs: list[tuple[bytes, int]]) -> float:
    """Median over the documents of (time of fn(document) / its pages)."""
    out = []
    for data, pages in pdfs:
        t = time.perf_counter()
        fn(data)
        out.append((time.perf_counter() - t) / pages)
    return statistics.median(out)


def pdfium_chars(data: bytes) -> None:
    """Only what PDFium gives: every glyph and its box, every path object's bounds."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(data)
    for page in doc:
        tp = page.get_textpage()
        n = tp.count_chars()
        tp.get_text_range(0, n)
        for i in range(n):
            tp.get_charbox(i, loose=True)
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH]):
            obj.get_bounds()
        tp.close()
        page.close()
    doc.close()


def pdfplumber_tables(data: bytes) -> None:
    """pdfplumber's equivalent: chars, lines and its ruled-table finder."""
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.extract_text()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    n_ocr = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    rng = random.Random(7)
    pdfs = []
    for _ in range(n):
        rep = random_report(rng, zero_share=0.05)
        data = write_pdf(rep, random_style(rng))
        pdfs.append((data, read_pdf(data).pages))
    parse_bytes(pdfs[0][0], "warm.pdf")
    print(f"text-layer PDF, {n} generated reports, {sum(p for _, p in pdfs)} pages; median per page:")
    print(f"  pypdfium2 glyph boxes + path bounds only : {per_page(pdfium_chars, pdfs) * 1000:7.1f} ms")
    print(f"  xxgk PDF reader (Document)               : {per_page(lambda d: read_pdf(d), pdfs) * 1000:7.1f} ms")
    print(f"  xxgk parse (read + extract + check)      : {per_page(lambda d: parse_bytes(d, 'b.pdf'), pdfs) * 1000:7.1f} ms")
    try:
        print(f"  pdfplumber extract_tables + extract_text : {per_page(pdfplumber_tables, pdfs[: max(3, n // 5)]) * 1000:7.1f} ms")
    except ImportError:
        print("  pdfplumber not installed (test extra): comparison skipped")

    from xxgk.readers import ocr

    if not ocr.available():
        print("OCR: the ocr extra is not installed")
        return
    images = []
    while len(images) < n_ocr:
        images += render_pages(write_pdf(random_report(rng, zero_share=0.05), PdfStyle()), dpi=ocr.DPI)
    images = images[:n_ocr]
    ocr.engine()
    times = []
    for k, img in enumerate(images):
        t = time.perf_counter()
        ocr.ocr_page(img, k + 1)
        times.append(time.perf_counter() - t)
    print(f"OCR at {ocr.DPI} dpi, {len(images)} pages, {ocr._threads()} onnxruntime thread(s): "
          f"median {statistics.median(times):.2f} s per page (min {min(times):.2f}, max {max(times):.2f})")


if __name__ == "__main__":
    main()
