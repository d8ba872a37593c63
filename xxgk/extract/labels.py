"""Match table cells to the rows and column headers of a template declaration."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..template import Template, get
from ..text import fold, strip_numbering

_MISS = object()
_MAX_LABEL = 48  # a cell longer than this (folded, numbering stripped) is prose, not a label


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
