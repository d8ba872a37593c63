"""Input bytes → Document.  `read_bytes` detects the format from the content (not the file name)
and dispatches to the reader for it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..document import Document
from .decode import decode
from .. import limits
from .errors import ARCHIVE_ERRORS, ReadError
from .text import read_text

MAX_BYTES = limits.MAX_BYTES


def sniff(data: bytes, name: str = "") -> str:
    """The format of an input, from its first bytes (the name only breaks ties)."""
    head = data[:2048]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data, name)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"  # legacy .doc / .wps / .xls
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF8", b"BM")) or head[8:12] == b"WEBP":
        return "image"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lowered[:512] or b"<body" in lowered or b"<table" in lowered:
        return "html"
    if lowered.startswith(b"<") and name.lower().endswith((".html", ".htm", ".shtml", ".xhtml")):
        return "html"
    return "text"


def _zip_kind(data: bytes, name: str = "") -> str:
    """docx, xlsx or zip (any other archive, also a damaged one that is not recognisably a DOCX)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except ARCHIVE_ERRORS:
        # a damaged package: its local headers still name the parts, or its name says what it was
        if b"word/document.xml" in data or b"word/_rels" in data or name.lower().endswith((".docx", ".docm", ".dotx")):
            return "docx"
        return "zip"
    return kind_of_members(names)


def kind_of_members(names) -> str:
    """docx, xlsx or zip, from the member names of a readable zip file."""
    names = set(names)
    if "word/document.xml" in names or any(n.startswith("word/") for n in names):
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def is_archive(data: bytes, name: str = "") -> bool:
    """Whether these bytes are a zip archive of files (not a DOCX or XLSX, which are zip files
    too): what every entrance that opens archives asks — `xxgk check`, `xxgk ingest`, the desk."""
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06") and sniff(data, name) == "zip"


def read_bytes(data: bytes, name: str = "") -> Document:
    if len(data) > MAX_BYTES:
        raise ReadError(f"文件过大（{len(data) // (1024 * 1024)} MB），超过 {MAX_BYTES // (1024 * 1024)} MB 上限", "too-large")
    fmt = sniff(data, name)
    cap = {"text": limits.MAX_TEXT_BYTES, "html": limits.MAX_HTML_BYTES}.get(fmt)
    if cap and len(data) > cap:
        what = "文本文件" if fmt == "text" else "网页"
        raise ReadError(f"{what}过大（{len(data) // (1024 * 1024)} MB），超过{cap // (1024 * 1024)} MB上限，不是一份年报", "too-large")
    if fmt == "text":
        text, encoding, warnings = decode(data)
        bounded_text(text)
        doc = read_text(text, encoding=encoding)
        lossy(doc, warnings)
        return bounded(doc)
    reader = _FORMAT_READERS.get(fmt)
    if reader is None:
        raise ReadError(f"暂不支持读取此格式（{fmt}）", "unsupported-format")
    return bounded(reader(data, name))


def bounded_text(text: str, limit: int = limits.MAX_TEXT_CHARS) -> None:
    """A decoded text or page longer than any report could be is refused before it is parsed."""
    if len(text) > limit:
        raise ReadError(f"文字内容过多（{len(text) // 10000}万字，上限{limit // 10000}万字），不是一份年报，已拒绝读取", "too-much-text")
    lines = text.count("\n") + 1
    if lines > limits.MAX_LINES:
        raise ReadError(f"行数过多（{lines}行，上限{limits.MAX_LINES}行），不是一份年报，已拒绝读取", "too-many-lines")


def bounded(doc: Document) -> Document:
    """A document within the limits on lines, tables and cells (`xxgk.limits`), or a one-line
    ReadError: whatever a reader made of the input, the extractor gets a bounded amount of work."""
    chars = sum(map(len, [line.text for line in doc.lines]))
    if chars > limits.MAX_TEXT_CHARS:
        raise ReadError(f"文字内容过多（{chars // 10000}万字，上限{limits.MAX_TEXT_CHARS // 10000}万字），不是一份年报，已拒绝读取", "too-much-text")
    if len(doc.lines) > limits.MAX_LINES:
        raise ReadError(f"行数过多（{len(doc.lines)}行，上限{limits.MAX_LINES}行），不是一份年报，已拒绝读取", "too-many-lines")
    if len(doc.tables) > limits.MAX_TABLES:
        raise ReadError(f"表格过多（{len(doc.tables)}个，上限{limits.MAX_TABLES}个），不是一份年报，已拒绝读取", "too-many-tables")
    cells = 0
    for table in doc.tables:
        if len(table.rows) > limits.MAX_TABLE_ROWS:
            raise ReadError(f"文件中的表格过大（{len(table.rows)}行，上限{limits.MAX_TABLE_ROWS}行），不是年报表格，已拒绝读取", "too-large-table")
        cells += sum(map(len, [row.cells for row in table.rows]))
    if cells > limits.MAX_DOC_CELLS:
        raise ReadError(f"表格单元格过多（{cells}格，上限{limits.MAX_DOC_CELLS}格），不是一份年报，已拒绝读取", "too-many-cells")
    return doc


def lossy(doc: Document, warnings: list[str]) -> None:
    """Decoding remarks (bytes that could not be decoded, a cut last character): kept on the
    document and noted for the checks, since a report read from a damaged file may be incomplete."""
    doc.warnings.extend(warnings)
    doc.notes.extend(("DECODE_LOSSY", f"{w}，报告内容可能不完整，请核对原件", {}) for w in warnings)


def load(path: str | Path) -> bytes:
    """A file's bytes, or a ReadError saying in one line why they cannot be had."""
    try:
        return Path(path).read_bytes()
    except IsADirectoryError:
        raise ReadError("是目录，不是文件", "directory") from None
    except FileNotFoundError:
        raise ReadError("文件不存在", "not-found") from None
    except PermissionError:
        raise ReadError("没有读取权限", "permission") from None
    except OSError as exc:
        raise ReadError(f"无法读取文件：{exc.strerror or exc}", "os-error") from None


def read_path(path: str | Path) -> Document:
    return read_bytes(load(path), Path(path).name)


# Readers for other formats register here (format name → callable(bytes, name) -> Document).
_FORMAT_READERS: dict = {}


def _refuse(message: str, reason: str):
    def reader(data: bytes, name: str = "") -> Document:
        raise ReadError(message, reason)

    return reader


_FORMAT_READERS["zip"] = _refuse("是压缩包（zip），不是报告文件；请解压后读取其中的文件", "zip")
_FORMAT_READERS["xlsx"] = _refuse("是 Excel 表格（.xlsx），不是年报文档，暂不支持读取", "unsupported-format")


def register(fmt: str):
    def deco(fn):
        _FORMAT_READERS[fmt] = fn
        return fn

    return deco


# Readers of the optional formats register themselves on import; their third-party libraries are
# imported only when a file of that format is read (a core install still imports cleanly).
from . import image as _image  # noqa: E402,F401
from . import pdf as _pdf  # noqa: E402,F401

__all__ = ["Document", "ReadError", "is_archive", "kind_of_members", "load", "lossy", "read_bytes", "read_path", "read_text", "sniff", "register"]


# the readers of other formats register themselves (HTML and DOCX need the optional `formats`
# extra, lxml; without it they say so in one line when called)
from . import docx as _docx  # noqa: E402,F401
from . import html as _html  # noqa: E402,F401
from . import legacy as _legacy  # noqa: E402,F401
