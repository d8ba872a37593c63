"""Match table cells to the rows and column headers of a template declaration."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..template import Template, get
from ..text import fold, strip_numbering

_MISS = object()
_MAX_LABEL = 48  # a cell longer than this (folded, numbering stripped) is prose, not a label
# a note printed inside a label or header cell: "规范性文件（含……）", "上一年项目数量（指2019年事项数）"
_NOTE = re.compile(r"\([^()]*\)|\([^()]*$")


@dataclass(frozen=True)
class LabelIndex:
    exact: dict[str, tuple[str, str]]  # folded core → (table key, row id)
    contains: tuple[tuple[str, str, str], ...]  # (key phrase, table key, row id), longest first
    groups: frozenset[str]  # folded group phrases (merged cells that are not rows)
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def match(self, text: str) -> tuple[str, str] | None:
        hit = self._cache.get(text, _MISS)
        if hit is _MISS:
            hit = self._cache[text] = self._match(text)
        return hit

    def _match(self, text: str) -> tuple[str, str] | None:
        core = strip_numbering(fold(text))
        if len(core) > 12 and "(" in core[4:]:
            core = without_notes(core)  # "其他对外管理服务事项(指行政许可以外的……)"
        if not core or len(core) > _MAX_LABEL:
            return None
        hit = self.exact.get(core)
        if hit:
            return hit
        for key, table, row in self.contains:
            if key in core:
                return table, row
        return None


@lru_cache(maxsize=None)
def label_index(template_id: str) -> LabelIndex:
    tpl: Template = get(template_id)
    exact: dict[str, tuple[str, str]] = {}
    contains: list[tuple[str, str, str]] = []
    groups: set[str] = set()
    for table in tpl.tables:
        if table.key == "appeals":
            continue  # Table 4 is read by position under its header, not by row labels
        for row in table.rows:
            for e in row.exact:
                exact[fold(e)] = (table.key, row.id)
            exact[strip_numbering(fold(row.label))] = (table.key, row.id)
            for k in row.keys:
                contains.append((fold(k), table.key, row.id))
        for g in table.groups:
            groups.update(fold(k) for k in g.keys)
    contains.sort(key=lambda t: -len(t[0]))
    return LabelIndex(exact, tuple(contains), frozenset(groups))


def without_notes(folded: str) -> str:
    """Folded label text without the notes in brackets that some reports print inside the cell
    (a bracket a page cut off counts too); the whole text when nothing else is left."""
    core = folded
    for _ in range(3):
        stripped = _NOTE.sub("", core)
        if stripped == core:
            break
        core = stripped
    return core or folded


@dataclass(frozen=True)
class HeaderIndex:
    """Column headers of the tables read by row labels: folded header text → column id, plus
    the short forms (a cut-off header such as 本年新 stands for the next column it can start)."""

    exact: dict[str, dict[str, str]]  # table key → folded key → column id
    order: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]  # table key → (column id, folded keys) in order
    money: tuple[tuple[str, str, tuple[str, ...]], ...]  # (table key, column id, folded keys) of money columns
    prefixes: dict[str, dict[str, tuple[str, ...]]]  # table key → short form → the columns it may start, in order

    def columns(self, key: str, texts: list[str]) -> dict[str, int]:
        """Column id → index among `texts` for the header cells of table `key` in one row."""
        exact = self.exact[key]
        found: dict[str, int] = {}
        for ci, text in enumerate(texts):
            f = fold(text)
            if not f:
                continue
            col = exact.get(f)
            if col is None and "(" in f:
                col = exact.get(without_notes(f))
            if col is None and 2 < len(f) < 8:
                # a header cut short: the first column of those it starts, not yet seen, in order
                col = next((c for c in self.prefixes[key].get(f, ()) if c not in found), None)
            if col is not None and col not in found:
                found[col] = ci
        return found


@lru_cache(maxsize=None)
def header_index(template_id: str) -> HeaderIndex:
    tpl: Template = get(template_id)
    exact: dict[str, dict[str, str]] = {}
    order: dict[str, tuple] = {}
    money = []
    for table in tpl.tables:
        if table.key == "appeals":
            continue
        exact[table.key] = {fold(k): c.id for c in table.columns for k in (c.label, *c.keys)}
        order[table.key] = tuple((c.id, tuple(fold(k) for k in (c.label, *c.keys))) for c in table.columns)
        money += [(table.key, c.id, tuple(fold(k) for k in (c.label, *c.keys))) for c in table.columns if c.unit]
    prefixes: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, cols in order.items():
        pre: dict[str, list[str]] = {}
        for col, keys in cols:
            for k in keys:
                for n in range(3, min(len(k), 8)):
                    ids = pre.setdefault(k[:n], [])
                    if col not in ids:
                        ids.append(col)
        prefixes[key] = {p: tuple(ids) for p, ids in pre.items()}
    return HeaderIndex(exact, order, tuple(money), prefixes)
