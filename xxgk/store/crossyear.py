"""The cross-year pass: CARRY_OVER_MISMATCH, IN_FORCE_DISCONTINUITY and any other rule of scope
"corpus", run by xxgk.checks.run_corpus over each organ's reports in the store.

Which reports are one organ: the agency keys of one base name, grouped by agency.group_keys.
Which are recomputed: the groups of the keys stored since the last pass (flag cross_pending), and
the groups such keys change.  Each batch is one transaction.

Speed: the rules get a quick model of each report, with only the table rows they read.  Which
rows those are is learnt, not declared: a quick model's tables raise `NeedRows` when a rule
reaches for a row (or a whole table) that was not loaded; the batch is then redone with it.
What a rule reads is therefore always loaded, whatever rules are registered.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import Executor
from typing import Any, Sequence

import sqlalchemy as sa

from .. import checks
from ..agency import group_keys, keys_compatible
from . import schema as S
from . import totals
from .db import CROSS_YEAR_LOCK, lock_for_write
from .rows import FINDING_COLUMNS, build_report, finding_rows

PENDING_KEYS = 200  # agency keys per batch
CLUSTER_REPORTS = 200  # reports checked together (cells of these in memory at once)

_META = (
    "id", "sha256", "template", "template_detected", "is_report", "found_tables", "source_path", "source_name",
    "format", "encoding", "layout", "size", "pages", "agency", "agency_key", "agency_base", "year", "title",
    "title_year", "period_year", "body_year",
)


class NeedRows(Exception):
    """A rule reached for cells the quick model did not load: (table, row) or (table, None)."""

    def __init__(self, table: str, row: str | None):
        super().__init__(table, row)
        self.table, self.row = table, row


class _PartialRows(dict):
    """The rows of a table of which only some were loaded.  Reading a loaded row works as usual;
    reaching for another row, or for the table as a whole (iterating, len, …), raises NeedRows."""

    __slots__ = ("table", "declared")

    def __init__(self, table: str, declared: frozenset[str], rows: dict):
        super().__init__(rows)
        self.table, self.declared = table, declared

    def __missing__(self, row):
        raise NeedRows(self.table, row if row in self.declared else None)

    def get(self, row, default=None):
        return self[row] if row in self.declared else default

    def __contains__(self, row):
        if dict.__contains__(self, row):
            return True
        if row in self.declared:
            raise NeedRows(self.table, row)
        return False

    def _whole(self, *a, **k):
        raise NeedRows(self.table, None)

    __iter__ = keys = values = items = __len__ = __eq__ = __ne__ = copy = pop = popitem = setdefault = update = _whole
    __hash__ = None


class Need:
    """What the quick models load: whole tables, and single rows of the other tables."""

    def __init__(self):
        self.tables: set[str] = set()
        self.rows: set[tuple[str, str]] = set()

    def add(self, n: NeedRows) -> None:
        if n.row is None:
            self.tables.add(n.table)
        else:
            self.rows.add((n.table, n.row))

    def condition(self) -> tuple[str, list]:
        """SQL (qmark) selecting the needed cells, and its parameters."""
        parts, params = [], []
        if self.tables:
            parts.append("table_key IN (" + ", ".join("?" * len(self.tables)) + ")")
            params += sorted(self.tables)
        for t, r in sorted(self.rows):
            if t not in self.tables:
                parts.append("(table_key = ? AND row_id = ?)")
                params += [t, r]
        return ("(" + " OR ".join(parts) + ")" if parts else "1 = 0"), params


def _quick(report, need: Need) -> None:
    """Turn a report built from the needed cells into the guarded quick model."""
    for key, rows in report.tables.items():
        if key in need.tables:
            continue
        declared = frozenset(rows)
        report.tables[key] = _PartialRows(key, declared, {r: cols for r, cols in rows.items() if (key, r) in need.rows})


def finding_rows_for(store, conn: sa.Connection, clusters: list[list[dict]], rules, need: Need) -> list[tuple]:
    """The cross-year finding rows of these clusters (each: one organ's reports), learning into
    `need` the rows the rules read."""
    ids = [r["id"] for c in clusters for r in c]
    while True:
        cond, params = need.condition()
        cells: dict[int, list[tuple]] = defaultdict(list)
        for part in store._chunked(ids):
            # raw: a row left ambiguous by the run-together splitter is judged by its digit run
            sql = f"SELECT report_id, table_key, row_id, col_id, value, status, raw FROM cells WHERE report_id IN ?? AND {cond}"
            for row in store._raw(conn, sql, [list(part), *params]):
                cells[row[0]].append(row[1:])
        out: list[tuple] = []
        try:
            for cluster in clusters:
                reports = []
                for r in cluster:
                    rep = build_report(r, cells.get(r["id"], ()), quick=True)
                    _quick(rep, need)
                    reports.append((r["id"], rep))
                checks.run_corpus([rep for _, rep in reports], rules)
                for rid, rep in reports:
                    out.extend((rid,) + f for f in finding_rows(rep.source.sha256, rep.findings, "corpus"))
            return out
        except NeedRows as n:
            need.add(n)


_WORKER: dict[str, Any] = {}


def worker_rows(url: str, clusters: list[list[dict]], codes: list[str]) -> list[tuple]:
    """finding_rows_for in a worker process, with its own connection and its own learnt need."""
    from .core import open_store

    if url not in _WORKER:
        _WORKER[url] = (open_store(url, upgrade=False), Need())
    store, need = _WORKER[url]
    with store.engine.connect() as conn:
        return finding_rows_for(store, conn, clusters, [checks.RULES[c] for c in codes], need)


def update(store, rules: list | None = None, executor: Executor | None = None) -> int:
    """See Store.update_cross_year."""
    corpus_rules = [r for r in (rules if rules is not None else checks.selected()) if r.scope == "corpus"]
    R = S.reports
    total = 0
    after: str | None = None  # the base names done in this pass: the pass goes once through them in order
    while True:
        with store.engine.begin() as conn:
            # one pass at a time: two ingests at once would each delete and rewrite the same
            # findings, and both rewrites would stay
            lock_for_write(conn, CROSS_YEAR_LOCK)
            pending = _pending(conn, after)
            if not pending:
                if after is not None:  # the end of the pass: once more from the start, for what
                    after = None       # was stored meanwhile (usually nothing)
                    continue
                # what is left has no agency key: nothing to pair it with
                conn.execute(R.update().where(R.c.cross_pending).values(cross_pending=False))
                return total
            store._bump(conn)  # cross-year findings change the statistics
            total += _batch(store, conn, pending, corpus_rules, executor)
            after = pending[-1][0]


def _pending(conn: sa.Connection, after: str | None) -> list[tuple[str, str]]:
    """The next pending (agency_base, agency_key) pairs after the base name `after`, about
    PENDING_KEYS of them, whole bases only (a base's keys are grouped together).  An index range
    scan from where the last batch ended: the pass reads each pending key once, never the reports
    done before it (on PostgreSQL, the index entries their cleared flags leave until the next
    vacuum), so its cost is linear in the corpus."""
    R = S.reports
    conds = [R.c.cross_pending, R.c.agency_key.is_not(None)]
    if after is not None:
        conds.append(R.c.agency_base > after)
    rows = [tuple(r) for r in conn.execute(
        sa.select(R.c.agency_base, R.c.agency_key).where(*conds)
        .group_by(R.c.agency_base, R.c.agency_key).order_by(R.c.agency_base, R.c.agency_key).limit(PENDING_KEYS))]
    if len(rows) == PENDING_KEYS:  # the last base may go on beyond the limit: all of it now
        last = rows[-1][0]
        rows = [r for r in rows if r[0] != last]
        rows += [(last, k) for k in conn.execute(
            sa.select(R.c.agency_key).where(R.c.cross_pending, R.c.agency_key.is_not(None), R.c.agency_base == last)
            .group_by(R.c.agency_key).order_by(R.c.agency_key)).scalars()]
    return rows


def _batch(store, conn: sa.Connection, pending: Sequence[tuple[str, str]], rules, executor) -> int:
    R, F = S.reports, S.findings
    by_base: dict[str, set[str]] = defaultdict(set)
    for base, key in pending:
        by_base[base].add(key)
    keys_of: dict[str, list[str]] = defaultdict(list)
    for part in store._chunked(list(by_base)):
        for base, key in conn.execute(sa.select(R.c.agency_base, R.c.agency_key).where(R.c.agency_base.in_(part))
                                      .group_by(R.c.agency_base, R.c.agency_key)):
            keys_of[base].append(key)
    load_keys: list[str] = []
    for base, keys in by_base.items():
        base_keys = keys_of[base]
        groups = group_keys(base_keys)
        # a new key changes the groups of the keys compatible with it, and those groups' other
        # members: two steps of compatibility reach every key whose group can change
        present = set(base_keys)
        longer: dict[str, list[str]] = defaultdict(list)  # key → the keys that end with it
        for k in base_keys:
            for i in range(1, len(k)):
                if k[i:] in present:
                    longer[k[i:]].append(k)
        affected = set(keys)
        for _ in range(2):
            step = set()
            for a in affected:
                near = longer.get(a, []) + [a[i:] for i in range(1, len(a)) if a[i:] in present]
                step.update(k for k in near if keys_compatible(k, a))
            affected |= step
        wanted = {groups[k] for k in affected}
        load_keys.extend(k for k in base_keys if groups[k] in wanted)
    rows: list[dict] = []
    for part in store._chunked(load_keys):
        rows.extend(dict(r._mapping) for r in conn.execute(sa.select(*(R.c[c] for c in _META)).where(R.c.agency_key.in_(part))))
    rows.sort(key=lambda r: (r["year"] or 0, r["sha256"]))  # pairing independent of ingest order
    all_ids = [r["id"] for r in rows]
    for part in store._chunked(all_ids):
        conn.execute(F.delete().where(F.c.scope == "corpus", F.c.report_id.in_(part)))
    keys_by_base: dict[str, set[str]] = defaultdict(set)  # one look at each row, not one per base
    for r in rows:
        keys_by_base[r["agency_base"]].add(r["agency_key"])
    group_of: dict[str, str] = {}
    for keys in keys_by_base.values():
        group_of.update(group_keys(keys))
    per: dict[str, list] = defaultdict(list)
    for r in rows:
        if r["is_report"] and r["year"]:
            per[group_of[r["agency_key"]]].append(r)
    batches: list[list[list[dict]]] = [[]]
    n = 0
    for cluster in per.values():
        years = {r["year"] for r in cluster}
        paired = [r for r in cluster if r["year"] - 1 in years or r["year"] + 1 in years]
        if len(paired) < 2:
            continue
        if n >= CLUSTER_REPORTS:
            batches.append([])
            n = 0
        batches[-1].append(paired)
        n += len(paired)
    batches = [b for b in batches if b]
    if executor is not None and (store.dialect != "sqlite" or store.path is not None):  # not in-memory
        url = store.engine.url.render_as_string(hide_password=False)
        codes = [r.code for r in rules]
        results = (f.result() for f in [executor.submit(worker_rows, url, b, codes) for b in batches])
    else:
        results = (finding_rows_for(store, conn, b, rules, store._cross_need) for b in batches)
    written = 0
    for new_rows in results:
        store._bulk(conn, "findings", FINDING_COLUMNS, new_rows)
        written += len(new_rows)
    flipped: list[int] = []
    for part in store._chunked(all_ids):
        flipped += store._recount(conn, part)
        conn.execute(R.update().where(R.c.id.in_(part)).values(cross_pending=False))
    totals.sync_errors(conn, flipped)
    return written
