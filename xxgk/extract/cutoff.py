"""Cut-off pages: a document that stops inside a table may have lost the end of its last number
(an excerpt cut mid-row: "…8\t2" where the source said 21).  The last token of such a document is
not taken as a value unless the accounting identities confirm it exactly, the page broke after
the whole line, or it is a count's lone 0; otherwise it is left null ("doubtful", the reading kept
in provenance) with a CELL_CUT_OFF note.  Everything read
before the cut stays as read; the rows, tables and sections after it are reported missing by the
usual MISSING_* / BLANK_CELL findings."""

from __future__ import annotations

from ..document import Document
from ..report import Report
from ..template import Kind, Template
from .settle import _instances, _name


def last_token(doc: Document) -> tuple[int, int, int] | None:
    """(table, row, cell) of the document's last non-empty text when it is a table cell on the
    document's last non-blank line; None when the document ends in prose."""
    last = None
    for line in reversed(doc.lines):
        if line.text.strip():
            last = line
            break
    if last is None or not last.in_table or not doc.tables:
        return None
    for ti in range(len(doc.tables) - 1, -1, -1):
        rows = doc.tables[ti].rows
        for ri in range(len(rows) - 1, -1, -1):
            cells = rows[ri].cells
            for ci in range(len(cells) - 1, -1, -1):
                cell = cells[ci]
                if not cell.text.strip() or cell.spanned:
                    continue
                end = max(cell.line + 3, doc.tables[ti].last_line or 0) if cell.line is not None else 0
                if cell.line is not None and not cell.line <= last.no <= end:
                    return None  # the last line holds no cell text (furniture, a stray mark)
                return (ti, ri, ci)
    return None


def _confirmed(cells, slot, instances, value) -> bool:
    """Identities whose other operands were all read (not inferred: an inference may rest on the
    cut number itself) give exactly `value`."""
    out = set()
    for left, right in instances:
        if slot not in left and slot not in right:
            continue
        others = [s for s in left + right if s != slot]
        if any(cells[r][c].status != "read" or cells[r][c].value is None for r, c in others):
            continue
        lsum = sum(cells[r][c].value for r, c in left if (r, c) != slot)
        rsum = sum(cells[r][c].value for r, c in right if (r, c) != slot)
        out.add(rsum - lsum if slot in left else lsum - rsum)
    return out == {value}


def _row_cut_short(doc: Document, ti: int, ri: int) -> bool:
    """The last row holds fewer filled cells than the row before it: the cut fell inside the row,
    so which column each of its cells belongs to is not known (leading padding looks like blanks)."""
    rows = doc.tables[ti].rows
    if ri == 0:
        return True

    def filled(row) -> int:  # layout padding (leading/trailing empty fields) does not count
        return sum(1 for c in row.cells if c.text.strip())

    return filled(rows[ri]) < filled(rows[ri - 1])


def _ends_with_line_break(doc: Document) -> bool:
    """A text document whose last line is empty ended with a line break: the page was cut after
    a whole line, so its last token is whole (the row it ends may still be cut short)."""
    return doc.format == "text" and bool(doc.lines) and not doc.lines[-1].text


def _closed_by_separator(doc: Document) -> bool:
    """A text document whose last non-blank line ends with `|`: the last cell was closed by its
    separator before the cut (`4.保护第三方合法权益 | 1 | `), so its number is whole."""
    if doc.format != "text":
        return False
    for line in reversed(doc.lines):
        text = line.text.rstrip()
        if text:
            return text.endswith("|")
    return False


def distrust_cut_token(doc: Document, report: Report, tpl: Template) -> None:
    pos = last_token(doc)
    if pos is None:
        return
    whole_row = _row_cut_short(doc, pos[0], pos[1])
    token_whole = _ends_with_line_break(doc) or _closed_by_separator(doc)
    for table in tpl.tables:
        cells = report.tables[table.key]
        hit = [(row, col, v) for row, cols in cells.items() for col, v in cols.items()
               if v.cell is not None and v.cell[:2] == pos[:2] and (whole_row or v.cell[2] >= pos[2])]
        if not hit:
            continue
        # a number inferred in a cut row may rest on the cut number: no longer trusted
        rows = {row for row, _, _ in hit}
        hit += [(row, col, v) for row in rows for col, v in cells[row].items()
                if v.status == "inferred" and (row, col, v) not in hit]
        instances = list(_instances(table))
        cut = []
        for row, col, v in hit:
            if v.how == "cut" and v.cell != pos:
                continue  # the table reader placed the row's cells before the cut by order (ROW_CUT)
            if v.cell is not None and v.cell[:2] == pos[:2] and v.cell[2] > pos[2]:
                # an empty slot after the last text: the cut may have eaten its number
                if v.status == "blank":
                    v.status = "missing"
                continue
            if v.value is not None and v.status != "inferred" and _confirmed(cells, (row, col), instances, v.value):
                continue  # the identities confirm the number as read
            if (not whole_row or v.how == "cut") and v.status in ("read", "blank") and v.cell == pos:
                if token_whole:
                    continue  # the page broke after the whole line, or after the cell's closing |
                if v.value == 0 and v.raw.strip() == "0" and table.column(col).kind is not Kind.MONEY:
                    continue  # no count is written with a leading 0: a lone 0 is whole
            cut.append((row, col, v))
        for row, col, v in cut:
            v.value, v.status = None, ("doubtful" if v.status in ("read", "doubtful", "inferred") else "missing")
        if cut:
            row, col, v = cut[-1]
            raws = "、".join(f"“{c[2].raw}”" for c in cut if c[2].raw)
            if whole_row:
                msg = (f"文档在{table.name}「{table.row(row).name}」一行中途结束，该行已读到的{raws or '内容'}"
                       f"无法确定所在列，已留空，请核对完整原件")
            else:
                msg = f"文档在{_name(table, row, col)}处中途结束，最后一个数{raws}可能被截断，已留空，请核对完整原件"
            where = {"table": table.key, "row": row, "column": col, "line": v.line, "page": v.page}
            report.notes.append(("CELL_CUT_OFF", msg, where))
        return
