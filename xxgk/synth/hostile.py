"""Hostile and damaged inputs, built from the synthetic reports: the fixtures of the bounds tests
(tests/test_limits.py) and the mutators of the fuzz harness (scripts/fuzz.py).

Everything here is made from invented content (`xxgk.synth`); nothing is a real page.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
import zlib

# -- zip packages ------------------------------------------------------------------------------


def rezip(data: bytes, change=None, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The package with each member's bytes passed through `change(name, bytes) -> bytes | None`
    (None drops the member)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", method) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if change is not None:
                body = change(info.filename, body)
            if body is not None:
                member = zipfile.ZipInfo(info.filename, date_time=info.date_time)  # reproducible bytes
                member.compress_type = method
                zout.writestr(member, body)
    return out.getvalue()


def member_span(data: bytes, name: str) -> tuple[int, int]:
    """(start, end) of a member's compressed bytes inside the archive."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(name)
    off = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[off + 26 : off + 30])
    start = off + 30 + name_len + extra_len
    return start, start + info.compress_size


def damage_deflate(data: bytes, name: str, rng: random.Random, flips: int = 8) -> bytes:
    """The archive with bytes inside one member's deflate stream changed (a bad block, not a bad header)."""
    start, end = member_span(data, name)
    b = bytearray(data)
    if end - start < 4:
        return data
    for _ in range(flips):
        k = rng.randrange(start, end)
        b[k] ^= rng.randrange(1, 256)
    return bytes(b)


def zip_headers(data: bytes, *, version: int | None = None, method: int | None = None, flags: int | None = None) -> bytes:
    """Every local and central header with its 'version needed', compression method or flags set."""
    b = bytearray(data)
    for sig, vpos, fpos, mpos in ((b"PK\x03\x04", 4, 6, 8), (b"PK\x01\x02", 6, 8, 10)):
        i = b.find(sig)
        while i >= 0:
            if version is not None:
                b[i + vpos] = version & 0xFF
            if flags is not None:
                b[i + fpos : i + fpos + 2] = struct.pack("<H", flags)
            if method is not None:
                b[i + mpos : i + mpos + 2] = struct.pack("<H", method)
            i = b.find(sig, i + 4)
    return bytes(b)


def zip_bomb(name: str = "report.txt", size: int = 300 * 1024 * 1024) -> bytes:
    """A zip whose one member inflates to `size` bytes of spaces (compressed ~1000:1)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * (1024 * 1024)
    body = b"".join(comp.compress(chunk) for _ in range(size // len(chunk))) + comp.flush()
    crc = 0
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    # built by hand (zipfile would inflate nothing but would write the whole size): a local
    # header, the stream, a central directory
    nb = name.encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(body), size, len(nb), 0) + nb
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(body), size, len(nb), 0, 0, 0, 0, 0, 0) + nb
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(body), 0)
    return local + body + central + end


# -- DOCX ------------------------------------------------------------------------------------


def docx_xml(data: bytes, fn, part: str = "word/document.xml") -> bytes:
    """The DOCX with one XML part rewritten by `fn(bytes) -> bytes`."""
    return rezip(data, lambda name, body: fn(body) if name == part else body)


def docx_grid_span(data: bytes, span: int = 100_000_000, count: int = 3) -> bytes:
    return docx_xml(data, lambda x: x.replace(b"<w:tcPr>", f'<w:tcPr><w:gridSpan w:val="{span}"/>'.encode(), count))


def docx_nested(data: bytes, depth: int = 5000) -> bytes:
    """The body wrapped in `depth` content controls."""
    def fn(x: bytes) -> bytes:
        return x.replace(b"<w:body>", b"<w:body>" + b"<w:sdt><w:sdtContent>" * depth, 1).replace(
            b"<w:sectPr", b"</w:sdtContent></w:sdt>" * depth + b"<w:sectPr", 1)
    return docx_xml(data, fn)


def with_entities(xml: bytes, levels: int = 10, fanout: int = 10) -> bytes:
    """A billion-laughs DTD before the root element, the last entity used in the text."""
    ents = ['<!ENTITY e0 "lol">'] + [f'<!ENTITY e{k} "{("&e" + str(k - 1) + ";") * fanout}">' for k in range(1, levels)]
    m = re.search(rb"<(?!\?)[A-Za-z]", xml)
    root = re.match(rb"<([A-Za-z:]+)", xml[m.start():]).group(1).decode() if m else "root"
    dtd = f'<!DOCTYPE {root} [{"".join(ents)}]>'.encode()
    body = xml[: m.start()] + dtd + xml[m.start():] if m else dtd + xml
    return body.replace(b"<w:t>", f"<w:t>&e{levels - 1};".encode(), 1).replace(b"<td>", f"<td>&e{levels - 1};".encode(), 1)


# -- HTML ------------------------------------------------------------------------------------


def html_table(rows: int, cols: int = 2, colspan: int | None = None, rowspan: int | None = None, tables: int = 1) -> bytes:
    span = (f' colspan="{colspan}"' if colspan else "") + (f' rowspan="{rowspan}"' if rowspan else "")
    row = f"<tr><td{span}>申请</td>" + "<td>1</td>" * (cols - 1) + "</tr>"
    table = "<table>" + row * rows + "</table>"
    return f"<html><head><meta charset='utf-8'></head><body><p>2023年政府信息公开工作年度报告</p>{table * tables}</body></html>".encode()


def html_nested(depth: int = 100_000) -> bytes:
    return ("<html><body>" + "<div>" * depth + "收到申请12件。" + "</div>" * depth + "</body></html>").encode()


# -- PDF -------------------------------------------------------------------------------------


def raw_pdf(contents: list[bytes], size: tuple[float, float] = (595, 842)) -> bytes:
    """A minimal PDF (Helvetica text, any drawing) with one page per content stream."""
    objs: list[bytes] = []
    n = len(contents)
    kids = " ".join(f"{4 + 2 * k} 0 R" for k in range(n))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for k, content in enumerate(contents):
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size[0]} {size[1]}] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * k} 0 R >>".encode())
        objs.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


_BODY = ["Annual report on government information disclosure 2023", "Requests received 12 carried over 3",
         "Granted 7 partially granted 2 withheld 1", "Reconsideration 0 litigation 1", "Fees collected 0"]


def pdf_text(lines: list[str] | None = None, y0: float = 800) -> bytes:
    """Lines of Helvetica text from the top of a page (the default: a few lines of invented body text)."""
    lines = _BODY if lines is None else lines
    out = []
    for k, line in enumerate(lines):
        out.append(f"BT /F1 10 Tf 56 {y0 - 14 * k:.1f} Td ({line}) Tj ET")
    return "\n".join(out).encode()


def pdf_rules(count: int, seed: int = 0) -> bytes:
    """A page of `count` thin ruling lines (strokes) and a line of text."""
    rng = random.Random(seed)
    parts = [pdf_text(), b"0.5 w"]
    for _ in range(count):
        x, y = rng.uniform(40, 500), rng.uniform(40, 780)
        if rng.random() < 0.5:
            parts.append(f"{x:.1f} {y:.1f} m {x + rng.uniform(10, 90):.1f} {y:.1f} l S".encode())
        else:
            parts.append(f"{x:.1f} {y:.1f} m {x:.1f} {y + rng.uniform(10, 60):.1f} l S".encode())
    return raw_pdf([b"\n".join(parts)])


def pdf_grid_path(count: int) -> bytes:
    """One path object of `count` segments (a whole grid drawn as one path)."""
    segs = [f"{56 + (k % 400):.1f} {100 + (k // 400) * 2:.1f} m {80 + (k % 400):.1f} {100 + (k // 400) * 2:.1f} l" for k in range(count)]
    return raw_pdf([pdf_text() + b"\n0.5 w\n" + "\n".join(segs).encode() + b"\nS"])


def pdf_pages(count: int) -> bytes:
    return raw_pdf([pdf_text(_BODY[:2] + [f"section {k + 1} of the report"]) for k in range(count)])


# -- numbers and text --------------------------------------------------------------------------

_NUM = re.compile(rb"(?<![0-9])[0-9]{1,6}(?![0-9])")


def huge_number(data: bytes, rng: random.Random, digits: int = 5000) -> bytes:
    """One number of the input replaced by `digits` digits."""
    spots = list(_NUM.finditer(data))
    if not spots:
        return data + b"9" * digits
    m = rng.choice(spots)
    return data[: m.start()] + b"9" * digits + data[m.end():]


def control_chars(data: bytes, rng: random.Random, count: int = 20) -> bytes:
    b = bytearray(data)
    for _ in range(count):
        b.insert(rng.randrange(len(b) + 1), rng.choice(b"\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f"))
    return bytes(b)


def ocr_noise_bands(seed: int = 1, bands: int = 40) -> bytes:
    """A PNG that OCR used to take minutes over: the top of a report page scanned at 60 dpi, then
    rows of short dashes (scanner noise) — each row looks like a text line hundreds of
    characters long to the line finder, and the recogniser's work grows with the line widths."""
    import numpy as np
    from PIL import Image

    from . import random_report
    from .pdfs import render_pages, write_pdf

    page = render_pages(write_pdf(random_report(random.Random(seed), "2021")), dpi=60)[0]
    head = np.asarray(page.crop((0, 0, page.width, page.height // 6)).convert("L"))
    band = np.full((10, head.shape[1]), 255, np.uint8)
    for x in range(0, head.shape[1] - 6, 9):
        band[:2, x : x + 6] = 0
    buf = io.BytesIO()
    Image.fromarray(np.vstack([head, np.tile(band, (bands, 1))])).save(buf, "PNG")
    return buf.getvalue()
