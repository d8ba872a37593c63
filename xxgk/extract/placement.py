"""Placing the numbers of a table row into its columns — with certainty, or not at all.

A row read from a real document may carry more or fewer numbers than the row has columns: PDF
extraction drops empty cells and merges neighbours, Word tables grow phantom columns.  When the
count does not match, every way of placing the numbers is tried; the template's accounting
identities then solve the missing cell or rule out a placement.  The row is placed only when all
surviving placements give the same numbers; otherwise its cells stay unknown and a note says why.
"""

from __future__ import annotations

from decimal import Decimal

from ..document import Cell
from ..template import Identity, Table
from ..text import CellValue

Number = int | Decimal


class Token:
    """One value cell of the stream: a number, a blank mark or an empty slot, and where it is."""

    __slots__ = ("value", "cell", "pos", "is_number")

    def __init__(self, value: CellValue, cell: Cell, pos: tuple[int, int, int]):
        self.value = value
        self.cell = cell
        self.pos = pos  # (document table, row, cell)
        self.is_number = value.kind == "number"

    def __repr__(self) -> str:
        return f"Token({self.value!r}, {self.cell.text!r}, {self.pos})"


def direct(tokens: list[Token], n: int) -> list[Token] | None:
    """The unambiguous readings: exactly n cells; exactly n numbers; n cells once the empty
    padding at both ends is dropped; or n once every empty cell is dropped (a blank written as
    /, —, 无 is a real cell, an empty string may be padding)."""
    if len(tokens) == n:
        return tokens
    numbers = [t for t in tokens if t.is_number]
    if len(numbers) == n:
        return numbers
    lo, hi = 0, len(tokens)
    while lo < hi and not tokens[lo].cell.text.strip():
        lo += 1
    while hi > lo and not tokens[hi - 1].cell.text.strip():
        hi -= 1
    if hi - lo == n:
        return tokens[lo:hi]
    marked = [t for t in tokens if t.cell.text.strip()]
    if len(marked) == n:
        return marked
    return None


def alternatives(tokens: list[Token], n: int) -> list[list[Token | None]]:
    """Every placement of n±1 numbers into n slots (None marks the slot a number is missing from)."""
    numbers = [t for t in tokens if t.is_number]
    if len(numbers) == n - 1:
        return [numbers[:p] + [None] + numbers[p:] for p in range(n)]
    if len(numbers) == n + 1:
        return [numbers[:p] + numbers[p + 1 :] for p in range(n + 1)]
    return []


Slot = tuple[str, str]  # (row id, column id)


def _instances(table: Table, rows: set[str]) -> list[tuple[Identity, list[Slot], list[Slot]]]:
    """Every identity instance (per column / per row) that touches one of `rows`."""
    out = []
    col_ids = [c.id for c in table.columns]
    for ident in table.identities:
        if ident.axis == "column":
            if not rows & (set(ident.left) | set(ident.right)):
                continue
            for c in col_ids:
                out.append((ident, [(r, c) for r in ident.left], [(r, c) for r in ident.right]))
        else:
            for r in rows:
                if c_in_row(table, r, ident):
                    out.append((ident, [(r, c) for c in ident.left], [(r, c) for c in ident.right]))
    return out


def c_in_row(table: Table, row: str, ident: Identity) -> bool:
    cols = set(table.row(row).columns)
    return set(ident.left) <= cols and set(ident.right) <= cols


def resolve(
    table: Table,
    slots: list[Slot],
    options: list[list[Token | None]],
    known: dict[Slot, Number | None],
) -> list[tuple[Number, Token | None]] | None:
    """Choose among placements using the identities.  `known` holds numbers already placed in
    other rows of the table.  Returns the (number, token) per slot, or None when not certain."""
    instances = _instances(table, {r for r, _ in slots})
    survivors: list[list[tuple[Number, Token | None]]] = []
    for option in options:
        values: dict[Slot, Number | None] = dict(known)
        for slot, tok in zip(slots, option):
            values[slot] = tok.value.number if tok is not None else None
        missing = [s for s, tok in zip(slots, option) if tok is None]
        for slot in missing:  # solve the missing cell from any instance that names it
            for ident, left, right in instances:
                if slot not in left and slot not in right:
                    continue
                others = [s for s in left + right if s != slot]
                if any(values.get(s) is None for s in others):
                    continue
                lsum = sum(values[s] for s in left if s != slot)
                rsum = sum(values[s] for s in right if s != slot)
                values[slot] = (rsum - lsum) if slot in left else (lsum - rsum)
                break
        if any(values.get(s) is None for s in slots):
            return None  # a placement we cannot complete: not certain
        if any(values[s] < 0 for s in slots if table.column(s[1]).kind.value == "count"):
            continue
        ok = True
        for ident, left, right in instances:
            operands = left + right
            if any(values.get(s) is None for s in operands):
                continue
            if sum(values[s] for s in left) != sum(values[s] for s in right):
                ok = False
                break
        if ok:
            survivors.append([(values[s], tok) for s, tok in zip(slots, option)])
    if not survivors:
        return None
    first = [v for v, _ in survivors[0]]
    if all([v for v, _ in s] == first for s in survivors[1:]):
        if len(survivors) == 1:
            return survivors[0]
        return [(v, None) for v in first]  # same numbers, but which cell held which is unknown
    return None
