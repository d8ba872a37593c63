"""DOCX → Document, straight from the package's XML with lxml.

python-docx would cost an object per run and still leave the work that matters here to us
(vMerge expansion, text boxes, list numbering), so the reader walks ``word/document.xml``
itself: body paragraphs and tables in document order, text boxes after the paragraph that anchors
them, tables nested in tables or text boxes (a table holding tables is page layout: its cells are
read as body text, only the innermost tables become Tables), merged cells (``gridSpan``,
``vMerge``, ``gridBefore``) expanded by `grid.expand`, and list numbering (``w:numPr``, direct or
through the paragraph style) rebuilt from ``numbering.xml`` so that headings keep their 一、/（一）/1.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..document import Cell, Document, Line, Table
from ..text import to_simplified
from . import register
from .compose import append
from .. import limits
from ..text import small_int
from .errors import ARCHIVE_ERRORS, ReadError
from .grid import expand, join_cell_lines, row_text
from .numbering import Numbering

try:
    from lxml import etree
except ImportError:  # pragma: no cover - the `formats` extra is not installed
    etree = None

MAX_PART = limits.MAX_PART
MAX_RATIO = limits.MAX_RATIO

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_P, _TBL, _TR, _TC, _R, _T = W + "p", W + "tbl", W + "tr", W + "tc", W + "r", W + "t"
_TXBX = W + "txbxContent"
_BREAKS = {W + "br", W + "cr"}
_SKIP = {W + "pPr", W + "rPr", W + "del", W + "delText", W + "instrText", W + "moveFrom", MC + "Fallback",
         W + "sectPr", W + "tblPr", W + "tblGrid", W + "trPr", W + "tcPr", W + "commentReference",
         W + "footnoteReference", W + "endnoteReference"}
_WS = re.compile(r"[ \t\u00a0\u3000]+")


def _part(z: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = z.getinfo(name)
    except KeyError:
        return None
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1024 * 1024:
        raise ReadError("DOCX 文件内容异常（解压后过大，疑似压缩炸弹），已拒绝读取", "zip-bomb")
    if info.file_size > MAX_PART:
        raise ReadError(f"DOCX 文件中的“{name}”解压后过大（{info.file_size // (1024 * 1024)} MB，上限{MAX_PART // (1024 * 1024)} MB），不是一份年报，已拒绝读取", "too-large")
    try:
        with z.open(info) as f:
            data = f.read(MAX_PART + 1)  # the header's size may lie: cap what is actually inflated
    except ARCHIVE_ERRORS:
        raise ReadError("DOCX 文件已损坏（压缩内容无法解开）", "corrupt-docx") from None
    if len(data) > MAX_PART:
        raise ReadError("DOCX 文件内容异常（解压后过大，疑似压缩炸弹），已拒绝读取", "zip-bomb")
    return data


_STRICT = b"http://purl.oclc.org/ooxml/wordprocessingml/main"  # "Strict Open XML" documents
_TRANSITIONAL = W[1:-1].encode()


def _xml(data: bytes, what: str):
    data = data.replace(_STRICT, _TRANSITIONAL)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError):
        raise ReadError(f"DOCX 文件已损坏（{what}不是有效的 XML）", "corrupt-docx") from None


def _main_part(z: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships (almost always word/document.xml)."""
    rels = _part(z, "_rels/.rels")
    if rels:
        m = re.search(rb'Type="[^"]*/officeDocument"[^>]*Target="/?([^"]+)"|Target="/?([^"]+)"[^>]*Type="[^"]*/officeDocument"', rels)
        if m:
            return (m.group(1) or m.group(2)).decode("utf-8", "replace")
    return "word/document.xml"


class _Reader:
    def __init__(self, numbering: Numbering, chunks: dict[str, bytes] | None = None):
        self.numbering = numbering
        self.chunks = chunks or {}  # altChunk relationship id → the embedded part's bytes
        self.lines: list[Line] = []
        self.tables: list[Table] = []
        self.para = 0  # paragraphs seen, in document order
        self.chars = 0  # characters read so far

    # -- text ----------------------------------------------------------------------------------
    def _runs(self, el, parts: list[str], boxes: list) -> None:
        for child in el:
            tag = child.tag
            if tag == _T:
                parts.append(child.text or "")
            elif tag == W + "tab":
                parts.append(" ")
            elif tag in _BREAKS:
                parts.append("\n")
            elif tag == W + "noBreakHyphen":
                parts.append("-")
            elif tag == _TXBX:
                boxes.append(child)
            elif tag in _SKIP or not isinstance(tag, str):
                continue
            else:
                self._runs(child, parts, boxes)

    def paragraph_text(self, p, boxes: list) -> str:
        self.para += 1
        parts: list[str] = []
        self._runs(p, parts, boxes)
        text = "".join(parts)
        prefix = self.numbering.label(p)
        return prefix + text if prefix and text.strip() else text

    def emit(self, text: str) -> None:
        self.count(len(text))
        for piece in text.split("\n"):
            piece = _WS.sub(" ", piece).strip()
            if piece:
                self.lines.append(Line(len(self.lines) + 1, piece))

    def count(self, chars: int) -> None:
        """Stop reading as soon as the text is longer than any report's (limits.MAX_TEXT_CHARS)."""
        self.chars += chars
        if self.chars > limits.MAX_TEXT_CHARS or len(self.lines) > limits.MAX_LINES:
            raise ReadError(f"DOCX 文字内容过多（超过{limits.MAX_TEXT_CHARS // 10000}万字或{limits.MAX_LINES}行），不是一份年报，已拒绝读取", "too-much-text")

    # -- blocks --------------------------------------------------------------------------------
    def block(self, container) -> None:
        for child in container:
            tag = child.tag
            if tag == _P:
                boxes: list = []
                self.emit(self.paragraph_text(child, boxes))
                for box in boxes:
                    self.block(box)
            elif tag == _TBL:
                self.table(child)
            elif tag == MC + "AlternateContent":
                choice = child.find(MC + "Choice")
                if choice is not None:
                    self.block(choice)
            elif tag == W + "altChunk":
                self.alt_chunk(child)
            elif tag in _SKIP or not isinstance(tag, str):
                continue
            else:  # w:sdt / w:sdtContent / w:customXml / w:ins …: read what they hold
                self.block(child)

    def alt_chunk(self, el) -> None:
        """An embedded HTML (or MHT) part some web editors and OA systems write instead of Word
        paragraphs: read by the HTML reader, its lines and tables put here in document order."""
        data = self.chunks.get(el.get(R + "id"))
        if not data:
            return
        html = _mht_html(data) if data.lstrip()[:64].lower().startswith((b"mime-version", b"content-type")) else data
        try:
            from .html import read_html

            doc = read_html(html or b"")
        except ReadError:
            return  # an empty or unreadable chunk: the rest of the document is still read
        append(self.lines, self.tables, doc)

    def table(self, tbl) -> None:
        if next(tbl.iterdescendants(_TBL), None) is not None:
            for tr in _rows(tbl):  # a layout table: its cells are body text (nested tables included)
                for tc in tr:
                    if tc.tag == _TC:
                        self.block(tc)
                    elif tc.tag in (W + "sdt", W + "customXml"):  # a cell in a content control
                        for inner in tc.iterfind(f"{W}sdtContent/{W}tc") if tc.tag == W + "sdt" else tc.iterfind(_TC):
                            self.block(inner)
            return
        first = len(self.lines) + 1
        raw: list[list[tuple[int | None, Cell]]] = []
        lines: list[int] = []
        origins: dict[int, Cell] = {}  # grid column → cell a vMerge below it continues
        boxes: list = []  # text boxes anchored in cells: read after the table
        # spans and skipped columns are capped at the table's real width (its w:tblGrid): a span
        # of 100,000,000 columns is a damaged or hostile file, not a wider table
        grid = _child(tbl, W + "tblGrid")
        width = sum(1 for c in grid if c.tag == W + "gridCol") if grid is not None else 0
        width = min(width, limits.MAX_COLSPAN) if width else limits.MAX_COLSPAN
        for tr in _rows(tbl):
            no = first + len(raw)
            if len(raw) >= limits.MAX_TABLE_ROWS:
                raise ReadError(f"DOCX 中的表格行数过多（超过{limits.MAX_TABLE_ROWS}行），不是年报表格，已拒绝读取", "too-large-table")
            trpr = _child(tr, W + "trPr")
            col = min(max(0, _val_int(_child(trpr, W + "gridBefore"), 0)), width)
            cells: list[tuple[int | None, Cell]] = []
            for tc in tr.iter(_TC):  # (a data table holds no nested table: every w:tc is this row's)
                pr = _child(tc, W + "tcPr")
                span = min(max(1, _val_int(_child(pr, W + "gridSpan"), 1)), max(1, width - col))
                vmerge = _child(pr, W + "vMerge")
                start_para = self.para + 1
                text = self.cell_text(tc, boxes)
                if vmerge is not None and vmerge.get(W + "val", "continue") == "continue" and col in origins:
                    origins[col].rowspan += 1  # covered: expand() fills the slot
                else:
                    cell = Cell(text, line=no, colspan=span, para=start_para)
                    cells.append((col, cell))
                    for c in range(col, col + span):
                        origins[c] = cell
                col += span
            raw.append(cells)
            lines.append(no)
        if raw:
            rows = expand(raw, lines)
            for row, no in zip(rows, lines):
                text = row_text(row)
                self.count(len(text))
                self.lines.append(Line(no, text, in_table=True))
            self.tables.append(Table(rows, first_line=first, last_line=first + len(rows) - 1, rows_known=True, padded=False))
        for box in boxes:
            self.block(box)

    def cell_text(self, tc, boxes: list) -> str:
        parts = []
        for p in _paragraphs(tc):
            t = _WS.sub(" ", self.paragraph_text(p, boxes)).strip()
            if t:
                parts.append(t)
        return join_cell_lines(parts).replace("\n", "")


def _paragraphs(container):
    """The paragraphs of a table cell in order (content controls entered, fallbacks skipped)."""
    for child in container:
        tag = child.tag
        if tag == _P:
            yield child
        elif tag == MC + "AlternateContent":
            choice = child.find(MC + "Choice")
            if choice is not None:
                yield from _paragraphs(choice)
        elif tag not in _SKIP and tag != _TBL and isinstance(tag, str):
            yield from _paragraphs(child)


def _rows(tbl):
    for child in tbl:
        if child.tag == _TR:
            yield child
        elif child.tag == W + "sdt":  # rows in a content control
            yield from child.iterfind(f"{W}sdtContent/{W}tr")
        elif child.tag == W + "customXml":
            yield from child.iterfind(_TR)


def _child(el, tag: str):
    """The first child with this tag (cheaper than lxml's find(), which goes through ElementPath)."""
    if el is not None:
        for child in el:
            if child.tag == tag:
                return child
    return None


def _val_int(el, default: int) -> int:
    if el is None:
        return default
    return small_int(el.get(W + "val"), default, digits=9)


def _mht_html(data: bytes) -> bytes | None:
    """The HTML part of an MHT (MIME) document."""
    import email

    message = email.message_from_bytes(data)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            charset = part.get_content_charset()
            if payload and charset and b"charset" not in payload[:4096].lower():
                payload = f'<meta charset="{charset}">'.encode() + payload
            return payload
    return None


def _chunks(z: zipfile.ZipFile, main: str) -> dict[str, bytes]:
    """altChunk relationship id → part bytes, from the main part's relationships."""
    folder, _, file = main.rpartition("/")
    rels = _part(z, f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels")
    out: dict[str, bytes] = {}
    if not rels:
        return out
    for m in re.finditer(rb"<Relationship\b[^>]*>", rels):
        tag = m.group(0)
        if b"/aFChunk" not in tag:
            continue
        rid = re.search(rb'\bId="([^"]+)"', tag)
        target = re.search(rb'\bTarget="([^"]+)"', tag)
        if rid and target:
            t = target.group(1).decode("utf-8", "replace")
            path = t.lstrip("/") if t.startswith("/") else (f"{folder}/{t}" if folder else t)
            part = _part(z, path)
            if part:
                out[rid.group(1).decode()] = part
    return out


def read_package(data: bytes) -> tuple[object, Numbering, dict[str, bytes]]:
    """The main document's XML root, the numbering definitions and the embedded HTML chunks, or
    a one-line ReadError."""
    if etree is None:
        raise ReadError("读取 DOCX 需要 lxml，请重新安装 xxgk（pip install xxgk）", "missing-extra")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except ARCHIVE_ERRORS:
        raise ReadError("DOCX 文件已损坏（不是完整的 zip 压缩包）", "corrupt-docx") from None
    with z:
        main = _main_part(z)
        xml = _part(z, main)
        if xml is None:
            raise ReadError("不是有效的 DOCX 文件（缺少正文 word/document.xml）", "docx-no-document")
        root = _xml(xml, "正文")
        numbering = _part(z, "word/numbering.xml")
        styles = _part(z, "word/styles.xml")
        numbering_root = _xml(numbering, "编号定义") if numbering else None
        styles_root = _xml(styles, "样式") if styles else None
        chunks = _chunks(z, main) if b"altChunk" in xml else {}
    return root, Numbering(numbering_root, styles_root), chunks


@register("docx")
def read_docx(data: bytes, name: str = "") -> Document:
    root, numbering, chunks = read_package(data)
    body = root.find(W + "body")
    if body is None:
        raise ReadError("不是有效的 DOCX 文件（正文为空）", "docx-no-document")
    reader = _Reader(numbering, chunks)
    reader.block(body)
    if not reader.lines:
        raise ReadError("DOCX 文件中没有文字内容", "empty")
    for line in reader.lines:
        line.text = to_simplified(line.text)
    for table in reader.tables:
        for row in table.rows:
            for cell in row.cells:
                cell.text = to_simplified(cell.text)
    return Document(lines=reader.lines, tables=reader.tables, format="docx", encoding=None, layout="docx")
