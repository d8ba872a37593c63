"""The intermediate document every reader produces and the extractor consumes.

One object model for every input format (in the spirit of pdfplumber's page model): the text
lines of the document in reading order, and the tables found in it as rows of cells.  Every cell
knows where it came from — line, page, and for PDF/OCR its box and recognition confidence — so
that a number in the final report can be traced back to the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Cell:
    text: str
    line: int | None = None  # 1-based source line (text formats) or paragraph index
    page: int | None = None  # 1-based page (PDF, images)
    bbox: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom in points/pixels
    confidence: float | None = None  # OCR confidence 0..1, None when not recognised by OCR
    rowspan: int = 1
    colspan: int = 1
    spanned: bool = False  # True for the copies a span expansion put in the covered grid slots
    para: int | None = None  # DOCX: 1-based index of the cell's first paragraph in the document


@dataclass(slots=True)
class Row:
    cells: list[Cell]


@dataclass(slots=True)
class Table:
    rows: list[Row]
    first_line: int | None = None  # where in `lines` the table sits (line numbers, 1-based)
    last_line: int | None = None
    page: int | None = None
    # True when rows are real table rows (HTML, DOCX, tab/pipe text); False when the reader only
    # knows a sequence of cells and grouped them into rows heuristically (one cell per line).
    rows_known: bool = True
    # True when an empty cell may be layout padding rather than a cell of the table (text split
    # on tabs or |: merged cells leave empty fields, lost cells leave none) — an empty field then
    # cannot be read as a blank by position alone
    padded: bool = False
    # True when every slot of the printed grid is there, merged ones as empty cells (a web page
    # turned into text with a `|` after every cell): an empty cell is a blank or a merge by position
    slotted: bool = False


@dataclass(slots=True)
class Line:
    no: int  # 1-based
    text: str  # as decoded, Traditional characters converted, trailing white space removed
    page: int | None = None
    in_table: bool = False  # the line was consumed by a table


@dataclass
class Document:
    lines: list[Line]
    tables: list[Table] = field(default_factory=list)
    format: str = "text"  # "text" | "html" | "docx" | "pdf" | "image"
    encoding: str | None = None
    layout: str | None = None  # text layout detected by the reader, e.g. "tsv", "cell-per-line"
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)  # reader-level remarks, e.g. OCR quality
    # reader remarks the checks turn into findings: (code, Chinese message, where), like Report.notes
    notes: list[tuple[str, str, dict]] = field(default_factory=list)
    # where the metadata may also be stated outside the text: the page's <title> (HTML) and the
    # input's file name; the extractor takes the agency and year from them when the text is silent
    page_title: str | None = None
    name: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def narrative(self) -> list[Line]:
        return [line for line in self.lines if not line.in_table]
