"""The vocabulary in which a template version is declared.

A template is pure data: tables, their rows and columns (ids, official labels, the spellings met
in practice), the layout groups the national form prints, and the accounting identities.  The
reader, the checks, the generator, the renderer and the exports all read these objects; nothing
else in the code base names a row or a column of the national form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property


class Kind(str, Enum):
    COUNT = "count"  # non-negative integer
    SIGNED = "signed"  # integer that may be negative (2019 本年增/减)
    MONEY = "money"  # decimal amount


@dataclass(frozen=True)
class Column:
    id: str
    label: str  # official header text
    keys: tuple[str, ...] = ()  # folded phrases that identify this header in real documents
    kind: Kind = Kind.COUNT
    unit: str | None = None  # "万元" / "元" for money columns


@dataclass(frozen=True)
class Row:
    id: str
    label: str  # official label, as printed on the national form
    keys: tuple[str, ...]  # folded phrases that identify the row label in real documents
    columns: tuple[str, ...]  # column ids this row has
    exact: tuple[str, ...] = ()  # folded labels that only match when the whole cell is this text
    group: str | None = None  # id of the printed group it sits under (merged cell on the form)
    number: str = ""  # its printed numbering, e.g. "（一）", "1."
    short: str = ""  # short name for messages, e.g. "本年新收"
    # sub-rows some agencies print under this row instead of it (folded labels, numbering
    # stripped); when the row itself carries no numbers, its cells are the sum of theirs
    parts: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class Group:
    """A merged label cell of the printed form that spans several rows (or a Table 2 block)."""

    id: str
    label: str
    keys: tuple[str, ...] = ()
    parent: str | None = None
    columns: tuple[str, ...] = ()  # Table 2 blocks: the block's column headers


@dataclass(frozen=True)
class Identity:
    """An accounting identity: Σ left == Σ right, evaluated for every column (axis="column",
    left/right are row ids) or for every row (axis="row", left/right are column ids)."""

    code: str
    axis: str  # "column" | "row"
    left: tuple[str, ...]
    right: tuple[str, ...]
    description: str  # Chinese, shown by `xxgk rules` and in messages


@dataclass(frozen=True)
class Table:
    key: str  # "active" | "requests" | "appeals"
    number: int  # 2, 3, 4 in the national form
    title: str  # the section heading that introduces it
    name: str  # short Chinese name for messages, e.g. "表三"
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    groups: tuple[Group, ...] = ()
    identities: tuple[Identity, ...] = ()
    anchors: tuple[str, ...] = ()  # folded phrases whose presence shows the table is there

    def row(self, row_id: str) -> Row:
        return self._rows[row_id]

    def column(self, col_id: str) -> Column:
        return self._cols[col_id]

    @cached_property
    def _rows(self) -> dict[str, Row]:
        return {r.id: r for r in self.rows}

    @cached_property
    def _cols(self) -> dict[str, Column]:
        return {c.id: c for c in self.columns}

    def cells(self):
        """Every (row, column) of the table, in reading order."""
        cols = self._cols
        for r in self.rows:
            for c in r.columns:
                yield r, cols[c]


@dataclass(frozen=True)
class Section:
    number: int  # 1..6
    title: str  # official title
    keys: tuple[str, ...]  # folded phrases a heading for it contains (any one)
    table: str | None = None  # key of the table the section holds


@dataclass(frozen=True)
class Template:
    id: str  # "2021" | "2019"
    issued_by: str
    first_year: int  # first report year it applies to
    signature: tuple[str, ...]  # folded phrases that only this version prints
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    notes: dict[str, str] = field(default_factory=dict)

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    @property
    def table_keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.tables)
