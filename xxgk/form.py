"""The national form as grids of cells with their merges, built from the template declaration.

Everything that draws the tables — the text layouts of the generator, the DOCX/HTML/text
renderer, the format fixtures, the web desk — starts from these grids, so that the printed
layout (merged label cells, the header block of each table) is written down once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from . import template as T

REQUESTS_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@dataclass(slots=True)
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    role: str = "value"  # "group" | "header" | "label" | "value"
    slot: tuple[str, str, str] | None = None  # (table, row, column) of a value cell


@dataclass
class Grid:
    table: str  # table key
    width: int
    rows: list[list[GridCell]] = field(default_factory=list)  # HTML-like: covered slots omitted

    def matrix(self) -> list[list[GridCell | None]]:
        """The full width × height matrix; slots covered by a merge are None."""
        height = len(self.rows)
        out: list[list[GridCell | None]] = [[None] * self.width for _ in range(height)]
        taken = [[False] * self.width for _ in range(height)]
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while c < self.width and taken[r][c]:
                    c += 1
                if c >= self.width:
                    raise ValueError(f"{self.table}: row {r} is wider than {self.width}")
                out[r][c] = cell
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        if r + dr < height and c + dc < self.width:
                            taken[r + dr][c + dc] = True
                c += cell.colspan
        return out

    def owners(self) -> list[list[tuple[int, int]]]:
        """For every slot, the (row, column) of the cell that covers it (its own if none does)."""
        m = self.matrix()
        owner = [[(r, c) for c in range(self.width)] for r in range(len(m))]
        for r, row in enumerate(m):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        if r + dr < len(m) and c + dc < self.width:
                            owner[r + dr][c + dc] = (r, c)
        return owner

    def text_rows(self) -> list[list[str]]:
        return [[cell.text if cell else "" for cell in row] for row in self.matrix()]


def fmt(v) -> str:
    """A value as printed in a table cell ('' for blank)."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")
    return str(v)


Getter = Callable[[str, str, str], object]  # (table, row, column) → value


def _value(table: str, row: str, col: str, get: Getter, colspan: int = 1) -> GridCell:
    return GridCell(fmt(get(table, row, col)), colspan=colspan, slot=(table, row, col))


def active_grid(tpl: T.Template, get: Getter) -> Grid:
    table = tpl.table("active")
    width = 1 + max(len(g.columns) for g in table.groups)
    grid = Grid("active", width)
    for g in table.groups:
        grid.rows.append([GridCell(g.label, colspan=width, role="group")])
        heads = [GridCell("信息内容", role="header")]
        for k, c in enumerate(g.columns):
            span = width - len(g.columns) if k == len(g.columns) - 1 else 1
            heads.append(GridCell(table.column(c).label, colspan=span, role="header"))
        grid.rows.append(heads)
        for r in table.rows:
            if r.group != g.id:
                continue
            cells = [GridCell(r.label, role="label")]
            for k, c in enumerate(r.columns):
                span = width - len(r.columns) if k == len(r.columns) - 1 else 1
                cells.append(_value("active", r.id, c, get, span))
            grid.rows.append(cells)
    return grid


def requests_grid(tpl: T.Template, get: Getter) -> Grid:
    table = tpl.table("requests")
    cols = table.columns
    grid = Grid("requests", 3 + len(cols))
    applicants = [c for c in cols if c.id != "total"]
    grid.rows.append([
        GridCell(REQUESTS_NOTE, rowspan=3, colspan=3, role="header"),
        GridCell("申请人情况", colspan=len(cols), role="header"),
    ])
    grid.rows.append([
        GridCell(applicants[0].label, rowspan=2, role="header"),
        GridCell("法人或其他组织", colspan=len(applicants) - 1, role="header"),
        GridCell(cols[-1].label, rowspan=2, role="header"),
    ])
    grid.rows.append([GridCell(c.label, role="header") for c in applicants[1:]])
    groups = {g.id: g for g in table.groups}
    members: dict[str, int] = {}
    for r in table.rows:
        g = r.group
        while g:
            members[g] = members.get(g, 0) + 1
            g = groups[g].parent
    started: set[str] = set()
    for r in table.rows:
        chain = []
        g = r.group
        while g:
            chain.append(g)
            g = groups[g].parent
        chain.reverse()
        cells = []
        for gid in chain:
            if gid not in started:
                started.add(gid)
                cells.append(GridCell(groups[gid].label, rowspan=members[gid], role="group"))
        cells.append(GridCell(r.label, colspan=3 - len(chain), role="label"))
        cells += [_value("requests", r.id, c.id, get) for c in cols]
        grid.rows.append(cells)
    return grid


def appeals_grid(tpl: T.Template, get: Getter) -> Grid:
    table = tpl.table("appeals")
    heads = table.columns
    n = len(heads)
    blocks = table.rows
    grid = Grid("appeals", n * len(blocks))
    first, *litigation = blocks
    grid.rows.append([
        GridCell(first.label, colspan=n, role="group"),
        GridCell("行政诉讼", colspan=n * len(litigation), role="group"),
    ])
    grid.rows.append(
        [GridCell(h.label, rowspan=2, role="header") for h in heads]
        + [GridCell(b.label.replace("行政诉讼", "").strip(), colspan=n, role="group") for b in litigation]
    )
    grid.rows.append([GridCell(h.label, role="header") for _ in litigation for h in heads])
    grid.rows.append([_value("appeals", b.id, h.id, get) for b in blocks for h in heads])
    return grid


GRIDS = {"active": active_grid, "requests": requests_grid, "appeals": appeals_grid}


def grids(tpl: T.Template, get: Getter) -> dict[str, Grid]:
    return {key: build(tpl, get) for key, build in GRIDS.items()}


def getter_from_values(values: dict) -> Getter:
    """A getter over canonical nested values: values[table][row][column]."""
    return lambda t, r, c: values[t][r][c]
