"""One document inside another: a web page embedded in a Word file (altChunk), plain text in a
web page's <pre>.  The inner document's lines and tables are appended, numbered on."""

from __future__ import annotations

from ..document import Document, Line, Table


def append(lines: list[Line], tables: list[Table], inner: Document) -> None:
    offset = len(lines)
    for line in inner.lines:
        line.no += offset
        lines.append(line)
    for table in inner.tables:
        if table.first_line is not None:
            table.first_line += offset
        if table.last_line is not None:
            table.last_line += offset
        for row in table.rows:
            for cell in row.cells:
                if cell.line is not None:
                    cell.line += offset
        tables.append(table)
