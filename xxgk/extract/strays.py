"""Non-numbers where a row's numbers go: say what the source holds, never hide it.

A cell that reads “1e5”, “十二”, “N/A” or “12件3” in the numbers of a form row is not a number
the reader can take.  It ends the row's numbers (what follows is not read), and then either the
identities fill the cell in (status "inferred") or the cell and the rest of the row stay empty.
Both are a change of what the source says, so each gives a CELL_NOT_NUMBER warning that quotes the
cell — the value the sums imply is offered as that, not passed off as read — instead of an
info-level CELL_INFERRED note or a BLANK_CELL message saying that the row is missing.
"""

from __future__ import annotations

import re

from ..document import Cell
from ..report import Value
from ..text import CellValue, fold
from .placement import Token, resolve

_VALUE_LIKE = re.compile(r"[0-9零〇○一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_NUMBER_WORDS = set("零〇○一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟件个条项次人份元")
_MAX_STRAY = 24  # folded characters: a longer text is a note or a label, not a misread number


def stray_text(text: str) -> bool:
    """Does this text sit where a number should be (rather than being a note, a header or a label)?"""
    f = fold(text)
    if f.isdigit():
        return True  # a number with more digits than any count (see limits.MAX_NUMBER_DIGITS)
    if not f or len(f) > _MAX_STRAY:
        return False
    words = [ch for ch in _HAN.findall(f) if ch not in _NUMBER_WORDS]
    if len(words) > 1:
        return False  # words, not a number written otherwise: a heading, a label, a note
    return bool(_VALUE_LIKE.search(f)) or (f.isascii() and len(f) <= 10)


def note(result, tpl, occurrences) -> None:
    """Add a CELL_NOT_NUMBER note for every row whose numbers were cut by a non-number, and drop
    the CELL_INFERRED note of that row (the warning replaces it)."""
    seen: set[tuple[str, str]] = set()
    for occ in occurrences:
        if not occ.stray or len(occ.rows) != 1 or not stray_text(occ.stray[1]):
            continue
        table = tpl.table(occ.table)
        row = table.row(occ.rows[0])
        key = (occ.table, row.id)
        if key in seen:
            continue
        seen.add(key)
        cells = result.values[occ.table][row.id]
        after, text, pos = occ.stray
        k = len(row.columns) - 1 - after  # its column, counted from the row's last cell
        col = row.columns[k] if 0 <= k < len(row.columns) else None
        if col is not None and cells[col].status not in ("read", "doubtful", "inferred"):
            _settle(result.values[occ.table], table, row, col, text, occ.line, pos)
        name = f"{table.name}「{row.label}」"
        where_col = f"{table.column(col).label}" if col else "一格"
        quoted = text.strip()
        if len(quoted) > _MAX_STRAY:
            quoted = f"{quoted[:12]}…（共{len(quoted)}个字符）"
        inferred = [c for c in row.columns if cells[c].status == "inferred"]
        empty = [c for c in row.columns if cells[c].status in ("missing", "blank", "unplaced")]
        if inferred:
            shown = [col] if col in inferred else inferred  # the cell in question, else all the row's
            values = "、".join(f"{table.column(c).label}{cells[c].value}" for c in shown)
            message = (f"{name}{where_col}读到“{quoted}”，不是数字；按勾稽关系推算为{values}，已暂填推算值（不是原件所写），"
                       "请对照原件核实并更正")
        elif empty:
            names = "、".join(table.column(c).label for c in empty)
            message = (f"{name}{where_col}读到“{quoted}”，不是数字，该格及其后的数未能读取（{names}共{len(empty)}格为空），"
                       "请对照原件核实并更正")
        else:
            message = f"{name}{where_col}读到“{quoted}”，不是数字，已忽略，请对照原件核实"
        result.notes.append(("CELL_NOT_NUMBER", message, {
            "table": occ.table, "row": row.id, "column": col, "line": occ.line, "raw": quoted,
        }))
        result.notes[:] = [n for n in result.notes if not (n[0] == "CELL_INFERRED" and n[2].get("table") == occ.table
                                                          and n[2].get("row") == row.id)]


def _settle(values, table, row, col, text, line, pos) -> None:
    """The non-number's own cell: the value the identities imply, given the row's other cells
    and the numbers read elsewhere in the table (status "inferred", how "not-number", the raw
    text kept), else empty with the raw text kept; the row's unread cells after it are missing,
    not blank (the source's cells there were not read, not found empty)."""
    cells = values[row.id]
    slots = [(row.id, c) for c in row.columns]
    known = {(r, c): v.value for r, cols in values.items() if r != row.id
             for c, v in cols.items() if v.status == "read"}
    option: list[Token | None] = []
    for _, c in slots:
        v = cells[c]
        if c == col:
            option.append(None)
        elif v.value is None or v.status not in ("read", "inferred"):
            option = []
            break
        else:
            option.append(Token(CellValue("number", v.value), Cell(v.raw or ""), v.cell or (0, 0, 0)))
    got = resolve(table, slots, [option], known) if option else None
    k = row.columns.index(col)
    if got is not None:
        cells[col] = Value(got[k][0], "inferred", text, line, cell=pos, how="not-number")
    else:
        cells[col] = Value(None, "missing", text, line, cell=pos, how="not-number")
    for c in row.columns[k + 1:]:
        if cells[c].value is None and cells[c].status == "blank":
            cells[c] = Value(None, "missing", line=line)
