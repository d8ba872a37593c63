"""The org tree in the corpus: which organs a consolidated report covers (`xxgk org load`), and
the pass that compares every parent's report of every year with the sum of its children's
reports of that year (CONSOLIDATED_MISMATCH; CONSOLIDATED_INCOMPLETE when a child's report is
missing or the versions differ, or when cells are not compared because a child left them blank).  The findings are stored with scope "corpus" (they are about
several reports, like the cross-year ones) on the parent's report; the pass runs after each
cross-year pass (Store.update_cross_year), and recomputes every parent: trees are small.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

import sqlalchemy as sa

from ..agency import agency_key
from ..consolidate import Consolidation, Part, cell_name, cells, compare, part_values, sum_parts
from ..checks.registry import finding
from . import schema as S
from . import totals
from .crossyear import _META
from .rows import FINDING_COLUMNS, build_report, finding_rows

CODES = ("CONSOLIDATED_MISMATCH", "CONSOLIDATED_INCOMPLETE")


def load(store, edges: Iterable[tuple[str, str]], replace: bool = False) -> int:
    T = S.org_tree
    now = datetime.now(timezone.utc)
    n = 0
    with store.engine.begin() as conn:
        if replace:
            conn.execute(T.delete())
        for parent, child in edges:
            pk, ck = agency_key(parent), agency_key(child)
            conn.execute(T.delete().where(T.c.parent_key == pk, T.c.child_key == ck))
            conn.execute(T.insert().values(parent_key=pk, child_key=ck, parent=parent, child=child, loaded_at=now))
            n += 1
    return n


def edges(store) -> list[tuple[str, str]]:
    T = S.org_tree
    with store.engine.connect() as conn:
        return [(p, c) for p, c in conn.execute(sa.select(T.c.parent, T.c.child).order_by(T.c.parent_key, T.c.child_key))]


def unmatched(store) -> list[str]:
    """Names of the tree with no report in the corpus."""
    out = []
    with store.engine.connect() as conn:
        names = dict.fromkeys(n for e in edges(store) for n in e)
        for name in names:
            if not store._agency_keys(conn, name)[1]:
                out.append(name)
    return out


@dataclass
class YearCheck:
    """One parent, one year: its report(s), the children's picked reports, and the sum."""

    parent: str
    year: int
    parent_rows: list[dict]  # the parent's reports of the year (several files of one report possible)
    children: list[tuple[str, dict | None]]  # child name → its report row (None: none that year)
    problem: str | None = None  # why no comparison is made
    cons: Consolidation | None = None
    parent_values: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)


def _pick(rows: list[dict]) -> dict | None:
    """One report of an organ and a year: without errors first, then the latest stored."""
    if not rows:
        return None
    return sorted(rows, key=lambda r: (r["has_errors"], -r["id"]))[0]


def _reports_of(store, conn, name: str) -> list[dict]:
    keys = store._agency_keys(conn, name)[1]
    if not keys:
        return []
    R = S.reports
    cols = [R.c[c] for c in _META] + [R.c.has_errors]
    return [dict(r._mapping) for r in conn.execute(
        sa.select(*cols).where(R.c.agency_key.in_(keys), R.c.is_report, R.c.year.is_not(None)))]


def _values(store, conn, row: dict, part: bool = False) -> tuple[dict, set[str]]:
    cells_ = store._cells_by_report(conn, [row["id"]], provenance=False).get(row["id"], [])
    rep = build_report(row, cells_)
    if part:
        return part_values(rep), rep.found_tables
    vals = {(t, r, c): rep.tables[t][r][c].value for t, r, c in cells(rep.template)}
    return vals, rep.found_tables


def checks_for(store, conn, parent: str, children: Sequence[str], year: int | None = None) -> list[YearCheck]:
    """The comparison of one parent, for each year its reports are stored (or only `year`)."""
    mine = _reports_of(store, conn, parent)
    by_year: dict[int, list[dict]] = defaultdict(list)
    for r in mine:
        by_year[r["year"]].append(r)
    kids = {c: _reports_of(store, conn, c) for c in children}
    out = []
    for y in sorted(by_year):
        if year is not None and y != year:
            continue
        picked = [(c, _pick([r for r in kids[c] if r["year"] == y])) for c in children]
        yc = YearCheck(parent, y, by_year[y], picked)
        out.append(yc)
        missing = [c for c, r in picked if r is None]
        head = _pick(by_year[y])
        if missing:
            yc.problem = f"以下下级机关缺少{y}年度报告：{'、'.join(missing)}"
        else:
            odd = [c for c, r in picked if r["template"] != head["template"]]
            if odd:
                yc.problem = f"以下下级机关的报告不是{head['template']}年模板：{'、'.join(odd)}"
        if yc.problem:
            yc.findings = [finding("CONSOLIDATED_INCOMPLETE", f"{y}年度汇总核对未进行：{yc.problem}", year=y)]
            continue
        parts = []
        for c, r in picked:
            vals, _ = _values(store, conn, r, part=True)
            parts.append(Part(r["agency"] or c, r["source_path"] or r["source_name"], r["sha256"], vals))
        yc.cons = sum_parts(head["template"], y, parts)
        yc.parent_values, found_tables = _values(store, conn, head)
        yc.findings = compare(yc.parent_values, yc.cons, found_tables)
        for f in yc.cons.findings:  # SUM_BLANK: those cells are not compared — say so
            yc.findings.append(finding("CONSOLIDATED_INCOMPLETE", f"{y}年度部分单元格未核对：{f.message}", year=y,
                                       table=f.where.get("table"), cells=f.where.get("cells")))
    return out


def update(store) -> int:
    """Recompute the consolidated findings of every parent; returns how many were written."""
    F, R = S.findings, S.reports
    with store.engine.begin() as conn:
        old = conn.execute(sa.select(F.c.report_id).where(F.c.code.in_(CODES)).group_by(F.c.report_id)).scalars().all()
        conn.execute(F.delete().where(F.c.code.in_(CODES)))
        tree: dict[str, list[str]] = defaultdict(list)
        for p, c in conn.execute(sa.select(S.org_tree.c.parent, S.org_tree.c.child)
                                 .order_by(S.org_tree.c.parent_key, S.org_tree.c.child_key)):
            tree[p].append(c)
        rows: list[tuple] = []
        touched = set(old)
        for parent, children in tree.items():
            for yc in checks_for(store, conn, parent, children):
                for r in yc.parent_rows:
                    rows.extend((r["id"],) + f for f in finding_rows(r["sha256"], yc.findings, "corpus"))
                    touched.add(r["id"])
        store._bulk(conn, "findings", FINDING_COLUMNS, rows)
        flipped: list[int] = []
        for part in store._chunked(sorted(touched)):
            flipped += store._recount(conn, part)
        totals.sync_errors(conn, flipped)
    return len(rows)


def desk_view(store, name: str) -> list[dict[str, Any]]:
    """For the agency page: when `name` is a parent in the tree, per year the children, their
    values, the sums and the parent's values, cell by cell (cells anyone states)."""
    key = agency_key(name)
    if not key:
        return []
    T = S.org_tree
    with store.engine.connect() as conn:
        edges_ = conn.execute(sa.select(T.c.parent, T.c.child).order_by(T.c.child_key)).all()
        root, keys, _ = store._agency_keys(conn, name)
        wanted = set(keys) | {key}
        parent = next((p for p in dict.fromkeys(p for p, _ in edges_)
                       if agency_key(p) in wanted or store._agency_keys(conn, p)[0] == root), None)
        if parent is None:
            return []
        children = [c for p, c in edges_ if p == parent]
        checks = checks_for(store, conn, parent, children)
    out = []
    for yc in checks:
        head = _pick(yc.parent_rows)
        entry: dict[str, Any] = {
            "year": yc.year, "parent_id": head["id"], "problem": yc.problem,
            "children": [{"name": c, "id": r["id"] if r else None} for c, r in yc.children],
            "mismatches": sum(1 for f in yc.findings if f.code == "CONSOLIDATED_MISMATCH"), "rows": [],
        }
        if yc.cons is not None:
            for cell in cells(yc.cons.template):
                vals = [p.values.get(cell) for p in yc.cons.parts]
                mine_v, total = yc.parent_values.get(cell), yc.cons.values.get(cell)
                if mine_v is None and total is None and all(v is None for v in vals):
                    continue
                entry["rows"].append({
                    "label": cell_name(yc.cons.template, cell), "parent": mine_v, "sum": total, "children": vals,
                    "differs": total is not None and mine_v != total,
                    "main": cell[0] != "requests" or cell[2] == "total",
                })
        out.append(entry)
    return out
