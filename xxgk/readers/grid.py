"""Merged cells → a proper grid, for the readers of formats with real tables (HTML, DOCX).

A reader hands over each row's cells with their spans (and, where the format says so, the grid
column each cell starts at); `expand` places them like a browser does and fills every slot a
span covers with a copy of the spanning cell marked ``spanned`` — the original keeps its
rowspan/colspan — so that every row is as wide as the grid says and a label or a number stands at
the column index it has in the printed form.
"""

from __future__ import annotations

from ..document import Cell, Row

MAX_COLSPAN = 1000  # the HTML limit; a larger span is malformed, not a wider table


def expand(rows: list[list[tuple[int | None, Cell]]], lines: list[int | None]) -> list[Row]:
    """rows: per table row, (start column or None for "next free", cell).  lines: the line number
    each row is emitted as; covered slots and gap fillers get their row's line."""
    height = len(rows)
    covered: list[dict[int, Cell]] = [{} for _ in range(height)]
    out: list[Row] = []
    for r, cells in enumerate(rows):
        slots: dict[int, Cell] = {}
        taken = covered[r]
        c = 0
        for start, cell in cells:
            cell.colspan = max(1, min(cell.colspan, MAX_COLSPAN))
            # rowspan 0 (HTML) or too large: to the end of the table
            if cell.rowspan <= 0 or cell.rowspan > height - r:
                cell.rowspan = height - r
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
        width = max(slots) + 1 if slots else 0
        out.append(Row([slots.get(col) or Cell("", line=line) for col in range(width)]))
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
