"""DOCX (python-docx): A4 with the GB/T 9704 official-document margins, CJK fonts set for East
Asian text (eastAsia), and the tables with real merges (gridSpan / vMerge) and borders."""

from __future__ import annotations

import io
import re
import zipfile

from .data import ReportData
from .skeleton import PLACEHOLDER, blocks

BODY_FONT, TITLE_FONT, HEADING_FONT, TABLE_FONT = "仿宋", "宋体", "黑体", "宋体"
BODY_PT, TITLE_PT, HEADING_PT, TABLE_PT = 16, 22, 16, 9
TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6

# column widths (cm) per table, summing to the text width
_WIDTHS = {
    "active": (5.7, 3.3, 3.3, 3.3),
    "requests": (1.4, 1.8, 4.6) + (1.11,) * 7,
    "appeals": (1.04,) * 15,
}
_TODO = re.compile(r"(【待补充：[^】]*】)")


def _font(run, name: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), name)


def _runs(paragraph, text: str, font: str, size: float, bold: bool = False) -> None:
    """Add text, highlighting the 【待补充：…】 marks for the author."""
    from docx.enum.text import WD_COLOR_INDEX

    for part in _TODO.split(text):
        if not part:
            continue
        run = paragraph.add_run(part)
        _font(run, font, size, bold)
        if part.startswith(PLACEHOLDER):
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _setup(doc) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _borders(table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tblPr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "single")
        e.set(qn("w:sz"), "6")  # 3/4 pt
        e.set(qn("w:space"), "0")
        e.set(qn("w:color"), "000000")
        borders.append(e)
    # Word rejects out-of-order children: tblBorders goes before shd/tblLayout/tblCellMar/tblLook
    tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def _row_flags(row, header: bool) -> None:
    from docx.oxml import OxmlElement

    trPr = row._tr.get_or_add_trPr()
    trPr.append(OxmlElement("w:cantSplit"))
    if header:
        trPr.append(OxmlElement("w:tblHeader"))  # repeated at the top of each page


def _table(doc, grid) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    matrix = grid.matrix()
    height, width = len(matrix), grid.width
    widths = _WIDTHS.get(grid.table) or (TEXT_WIDTH_CM / width,) * width
    table = doc.add_table(rows=height, cols=width)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    for c, col in enumerate(table.columns):
        col.width = Cm(widths[c])
    # python-docx's table.cell() rescans the whole table; take the cells once, before merging
    # (merging keeps each region's top-left <w:tc> and never touches another region's)
    cells = table._cells
    at = lambda r, c: cells[r * width + c]  # noqa: E731
    for r in range(height):
        for c in range(width):
            at(r, c).width = Cm(widths[c])
    header_rows = {"requests": 3, "appeals": 3}.get(grid.table, 0)
    for r, row in enumerate(table.rows):
        _row_flags(row, r < header_rows)
    for r, row_cells in enumerate(matrix):  # merge first, then write into the merged cell
        for c, cell in enumerate(row_cells):
            if cell is not None and (cell.rowspan > 1 or cell.colspan > 1):
                at(r, c).merge(at(r + cell.rowspan - 1, c + cell.colspan - 1))
    # keep the table with its heading: short tables whole, Table 3 its header block and first row
    keep_rows = header_rows + 1 if grid.table == "requests" else height - 1
    for r, row_cells in enumerate(matrix):
        for c, cell in enumerate(row_cells):
            if cell is None:
                continue
            target = at(r, c)
            target.paragraphs[0].paragraph_format.keep_with_next = r < keep_rows
            target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = target.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if cell.role == "label" else WD_ALIGN_PARAGRAPH.CENTER
            pf = p.paragraph_format
            pf.space_before = pf.space_after = Pt(0)
            pf.line_spacing = 1.0
            pf.first_line_indent = Pt(0)
            if cell.text:
                _font(p.add_run(cell.text), TABLE_FONT, TABLE_PT, bold=cell.role in ("group", "header"))


def to_docx(rd: ReportData) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    _setup(doc)
    doc.core_properties.title = rd.display_title()
    doc.core_properties.language = "zh-CN"
    doc.core_properties.author = rd.agency or ""  # not python-docx's "python-docx"
    doc.core_properties.comments = ""
    for b in blocks(rd):
        if b.kind == "table":
            _table(doc, b.grid)
            spacer = doc.add_paragraph()
            spacer.paragraph_format.space_after = Pt(0)
            continue
        p = doc.add_paragraph()
        pf = p.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing = Pt(28)
        if b.kind == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pf.space_after = Pt(16)
            pf.line_spacing = Pt(36)
            _runs(p, b.text, TITLE_FONT, TITLE_PT, bold=True)
        elif b.kind == "heading":
            pf.first_line_indent = Pt(2 * HEADING_PT)
            pf.keep_with_next = True
            _runs(p, b.text, HEADING_FONT, HEADING_PT)
        else:
            pf.first_line_indent = Pt(2 * BODY_PT)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _runs(p, b.text, BODY_FONT, BODY_PT)
    buf = io.BytesIO()
    doc.save(buf)
    return _stable(buf.getvalue())


def _stable(package: bytes) -> bytes:
    """The package with every part dated 1980-01-01, so the same report gives the same bytes
    (python-docx stamps the time of writing into the zip headers)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), src.read(info), zipfile.ZIP_DEFLATED)
    return out.getvalue()
