"""Merged cells → a proper grid, for the readers of formats with real tables (HTML, DOCX).

A reader hands over each row's cells with their spans (and, where the format says so, the grid
column each cell starts at); `expand` places them like a browser does and fills every slot a
span covers with a copy of the spanning cell marked ``spanned`` — the original keeps its
rowspan/colspan — so that every row is as wide as the grid says and a label or a number stands at
the column index it has in the printed form.
"""

from __future__ import annotations

from .. import limits
from ..document import Cell, Row
from .errors import ReadError

MAX_COLSPAN = limits.MAX_COLSPAN  # the HTML limit; a larger span is malformed, not a wider table


def _too_large(what: str) -> ReadError:
    return ReadError(f"文件中的表格过大（{what}），不是年报表格，已拒绝读取", "too-large-table")


def expand(rows: list[list[tuple[int | None, Cell]]], lines: list[int | None]) -> list[Row]:
    """rows: per table row, (start column or None for "next free", cell).  lines: the line number
    each row is emitted as; covered slots and gap fillers get their row's line.

    Spans are capped at the table's real width — the most cells any row has (for a table with
    start columns, the furthest start) — and at the rows left, and the grid is bounded
    (`limits.MAX_TABLE_CELLS` slots): a colspan or rowspan of millions in a small file is a
    damaged or hostile file, not a larger table, and gives a one-line error, not minutes and
    gigabytes."""
    height = len(rows)
    if height > limits.MAX_TABLE_ROWS:
        raise _too_large(f"{height}行，上限{limits.MAX_TABLE_ROWS}行")
    width = max((len(cells) + max((s or 0 for s, _ in cells), default=0) for cells in rows), default=1)
    width = max(1, min(width, MAX_COLSPAN))
    slots_left = limits.MAX_TABLE_CELLS
    covered: list[dict[int, Cell]] = [{} for _ in range(height)]
    out: list[Row] = []
    for r, cells in enumerate(rows):
        slots: dict[int, Cell] = {}
        taken = covered[r]
        c = 0
        for start, cell in cells:
            cell.colspan = max(1, min(cell.colspan, width))
            # rowspan 0 (HTML) or too large: to the end of the table
            if cell.rowspan <= 0 or cell.rowspan > height - r:
                cell.rowspan = height - r
            slots_left -= cell.rowspan * cell.colspan
            if slots_left < 0:
                raise _too_large(f"合并单元格展开后超过{limits.MAX_TABLE_CELLS}格")
            if start is not None:
                c = max(start, 0)
            while c in taken or c in slots:
                c += 1
            slots[c] = cell
            for dr in range(cell.rowspan):
                row_cover = covered[r + dr]
                for dc in range(cell.colspan):
                    if dr or dc:
                        row_cover.setdefault(c + dc, cell)
            c += cell.colspan
        line = lines[r]
        for col, origin in taken.items():
            if col not in slots:
                slots[col] = Cell(origin.text, line=line, page=origin.page, para=origin.para, spanned=True)
        row_width = max(slots) + 1 if slots else 0
        slots_left -= row_width
        if slots_left < 0:
            raise _too_large(f"展开后超过{limits.MAX_TABLE_CELLS}格")
        out.append(Row([slots.get(col) or Cell("", line=line) for col in range(row_width)]))
    return out


def row_text(row: Row) -> str:
    """A table row as one line of text: its cells tab-separated, covered slots empty."""
    return "\t".join("" if cell.spanned else cell.text for cell in row.cells).rstrip("\t")


def join_cell_lines(parts: list[str]) -> str:
    """The paragraphs of one cell as one text: Chinese joins without a space (a label broken
    across lines in a narrow cell), two Latin letters or digits keep one between them."""
    out = ""
    for part in parts:
        if out and part and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out
