"""Per-report totals, kept at ingest: what `Store.stats`, the desk's home page and /corpus read, so
that no request sums the cells table.

`report_totals` holds one row per stored report, written in the transaction that writes the report
(and rewritten with it when the report is replaced):

- the report's dimensions and filters (year, level, kind, region, province, prefecture, county,
  agency_key, template, is_report, has_errors), copied from `reports`, so that the statistics read
  one narrow table;
- `counted`: whether the statistics count this file for its organ and year (of several files of
  one agency key and year, the one without errors, else the latest stored);
- the sixteen TOTALS of the report: each the sum of the cells it is made of, NULL when the report
  states none of them (a blank adds nothing, as in the sum over the cells).

Which cells make which total is declared once, here (`add_cell`); the SQL that sums them per report
is derived from the same declaration (`total_conditions`), and a test checks the two against each
other over every cell of every template.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import sqlalchemy as sa

from .. import template as T
from .db import TOTALS_LOCK, lock_for_write

TOTALS = (
    "new_received", "carried_over", "processed", "granted", "partially_granted", "withheld", "unavailable",
    "rejected", "other", "carried_forward",
    "reconsideration", "reconsideration_concluded", "reconsideration_corrected",
    "litigation", "litigation_concluded", "litigation_corrected",
)
DIMENSIONS = ("year", "level", "kind", "region", "province", "prefecture", "county", "agency_key", "template")
FLAGS = ("is_report", "has_errors")


def _result_categories() -> dict[str, str]:
    """Table 3 result row → the share it counts in: granted, partially_granted, withheld,
    unavailable, rejected, other (every row of the T3_RESULT_SUM identity, both templates)."""
    out: dict[str, str] = {}
    for tpl in T.TEMPLATES.values():
        table = tpl.table("requests")
        results = next(i.right for i in table.identities if i.code == "T3_RESULT_SUM")
        for rid in results:
            group = table.row(rid).group
            if group in ("withheld", "unavailable", "rejected"):
                out[rid] = group
            elif rid in ("granted", "partially_granted"):
                out[rid] = rid
            else:
                out[rid] = "other"
    return out


RESULT_CATEGORY = _result_categories()
REQUEST_TOTALS = {"new_received": "new_received", "carried_over": "carried_over",
                  "total_processed": "processed", "carried_forward": "carried_forward"}
LITIGATION = tuple(r.id for r in T.get(T.LATEST).table("appeals").rows if r.group == "litigation")
CONCLUDED = ("upheld", "corrected", "other")  # T4 outcomes that end a case (not `pending`)


def add_cell(totals: dict, table: str, row: str, col: str, v) -> None:
    """Add one cell's value to the totals it counts in (a blank, None, adds nothing)."""
    if v is None:
        return
    if table == "requests":
        if col != "total":
            return
        name = REQUEST_TOTALS.get(row) or RESULT_CATEGORY.get(row)
        if name:
            totals[name] += v
        return
    if table == "appeals":
        block = "reconsideration" if row == "reconsideration" else ("litigation" if row in LITIGATION else None)
        if block is None:
            return
        if col == "total":
            totals[block] += v
        if col in CONCLUDED:
            totals[f"{block}_concluded"] += v
        if col == "corrected":
            totals[f"{block}_corrected"] += v


def total_conditions() -> dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...]]]]:
    """total → [(table_key, row ids, col ids)]: the cells that add up to it (what add_cell does)."""
    out: dict[str, list] = {t: [] for t in TOTALS}
    request_rows: dict[str, set[str]] = {t: set() for t in TOTALS}
    for row, name in REQUEST_TOTALS.items():
        request_rows[name].add(row)
    for row, name in RESULT_CATEGORY.items():
        if row not in REQUEST_TOTALS:
            request_rows[name].add(row)
    for name, rows in request_rows.items():
        if rows:
            out[name].append(("requests", tuple(sorted(rows)), ("total",)))
    blocks = {"reconsideration": ("reconsideration",),
              "litigation": tuple(sorted(r for r in LITIGATION if r != "reconsideration"))}
    for block, rows in blocks.items():
        if not rows:
            continue
        out[block].append(("appeals", rows, ("total",)))
        out[f"{block}_concluded"].append(("appeals", rows, CONCLUDED))
        out[f"{block}_corrected"].append(("appeals", rows, ("corrected",)))
    return out


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} = {_quote(values[0])}" if len(values) == 1 else f"{column} IN ({', '.join(map(_quote, values))})"


def sums_sql(where: str = "") -> str:
    """SELECT report_id, <one SUM per total> FROM cells [WHERE …] GROUP BY report_id (plain SQL,
    the same on SQLite and PostgreSQL).  The cell ids are the templates' own (no user input)."""
    parts = []
    for name, conds in total_conditions().items():
        if conds:
            when = " OR ".join(f"(table_key = {_quote(t)} AND {_in('row_id', rows)} AND {_in('col_id', cols)})"
                               for t, rows, cols in conds)
            parts.append(f"SUM(CASE WHEN {when} THEN value END) AS {name}")
        else:
            parts.append(f"NULL AS {name}")
    scope = "(table_key = 'appeals' OR (table_key = 'requests' AND col_id = 'total'))"
    return (f"SELECT report_id, {', '.join(parts)} FROM cells WHERE {scope}{' AND ' + where if where else ''} "
            f"GROUP BY report_id")


_COLUMNS = ("report_id", *FLAGS, "counted", *DIMENSIONS, *TOTALS)


def insert_sql(ids_condition: str | None) -> str:
    """INSERT the totals rows of the reports `ids_condition` selects (a SQL condition on the
    report id, e.g. "IN (…)"; None: every report), counted set true (see refresh_counted)."""
    rid = f"report_id {ids_condition}" if ids_condition else ""
    sums = sums_sql(rid)
    meta = ", ".join(f"r.{c}" for c in (*FLAGS,))
    dims = ", ".join(f"r.{c}" for c in DIMENSIONS)
    tots = ", ".join(f"s.{t}" for t in TOTALS)
    where = f" WHERE r.id {ids_condition}" if ids_condition else ""
    return (f"INSERT INTO report_totals ({', '.join(_COLUMNS)}) "
            f"SELECT r.id, {meta}, {_true()}, {dims}, {tots} FROM reports r LEFT JOIN ({sums}) s ON s.report_id = r.id{where}")


def _true() -> str:
    return "1 = 1"  # a boolean true on both dialects (SQLite has no TRUE before 3.23)


def counted_sql(ids_condition: str | None) -> str:
    """UPDATE `counted` of the rows `ids_condition` selects: a report counts unless another file of
    its agency key and year is a better choice (no errors beats errors; then the latest stored).
    Only the rows whose flag changes are written."""
    better = (
        "(report_totals.is_report AND report_totals.agency_key IS NOT NULL "
        "AND report_totals.year IS NOT NULL AND EXISTS (SELECT 1 FROM report_totals o "
        "WHERE o.agency_key = report_totals.agency_key AND o.year = report_totals.year AND o.is_report "
        "AND o.report_id <> report_totals.report_id "
        "AND (o.has_errors < report_totals.has_errors OR (o.has_errors = report_totals.has_errors "
        "AND o.report_id > report_totals.report_id))))"
    )
    where = f"report_id {ids_condition} AND " if ids_condition else ""
    return f"UPDATE report_totals SET counted = NOT counted WHERE {where}counted = {better}"


def _ids_in(ids: Sequence[int]) -> str:
    return "IN (" + ", ".join(str(int(i)) for i in ids) + ")"


_CHUNK = 500


def _chunks(seq: Sequence, n: int = _CHUNK):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def groups_of(conn: sa.Connection, ids: Iterable[int]) -> set[tuple[str, int]]:
    """The (agency_key, year) of these reports' totals rows (the groups `counted` is chosen in)."""
    out: set[tuple[str, int]] = set()
    for part in _chunks(list(ids)):
        rows = conn.exec_driver_sql(
            f"SELECT agency_key, year FROM report_totals WHERE report_id {_ids_in(part)} "
            "AND agency_key IS NOT NULL AND year IS NOT NULL").all()
        out.update((k, y) for k, y in rows)
    return out


def write(conn: sa.Connection, ids: Sequence[int], old_groups: set[tuple[str, int]] = frozenset()) -> None:
    """(Re)write the totals rows of these reports, from their report rows and cells as they are now
    in this transaction; then choose again which file counts in every group they were or are in.
    The choice takes the totals lock (on PostgreSQL an advisory lock, until commit), so that two
    transactions with files of one organ-year cannot each keep theirs (every writer also updates
    the write generation's row first, which orders them too; the lock does not rely on it)."""
    ids = list(ids)
    if not ids:
        return
    lock_for_write(conn, TOTALS_LOCK)
    for part in _chunks(ids):
        conn.exec_driver_sql(f"DELETE FROM report_totals WHERE report_id {_ids_in(part)}")
        conn.exec_driver_sql(insert_sql(_ids_in(part)))
    refresh_counted(conn, groups_of(conn, ids) | set(old_groups), ids)


def sync_errors(conn: sa.Connection, ids: Sequence[int]) -> None:
    """After the findings of these reports changed (the cross-year pass, the org tree): copy their
    has_errors, and choose again which file counts in their groups."""
    ids = list(ids)
    if not ids:
        return
    lock_for_write(conn, TOTALS_LOCK)
    for part in _chunks(ids):
        conn.exec_driver_sql(
            "UPDATE report_totals SET has_errors = (SELECT r.has_errors FROM reports r WHERE r.id = report_totals.report_id) "
            f"WHERE report_id {_ids_in(part)}")
    refresh_counted(conn, groups_of(conn, ids), ids)


def refresh_counted(conn: sa.Connection, groups: set[tuple[str, int]], ids: Sequence[int] = ()) -> None:
    """Recompute `counted` for every report of these (agency_key, year) groups, and of `ids`."""
    members: set[int] = set(ids)
    by_key: dict[str, set[int]] = {}
    for k, y in groups:
        by_key.setdefault(k, set()).add(y)
    for part in _chunks(sorted(by_key)):
        rows = conn.execute(sa.text("SELECT report_id, agency_key, year FROM report_totals WHERE agency_key IN :keys")
                            .bindparams(sa.bindparam("keys", expanding=True)), {"keys": list(part)}).all()
        members.update(rid for rid, k, y in rows if y in by_key[k])
    for part in _chunks(sorted(members)):
        conn.exec_driver_sql(counted_sql(_ids_in(part)))


def backfill(conn: sa.Connection) -> None:
    """Fill report_totals for every stored report (the migration that creates it)."""
    conn.exec_driver_sql("DELETE FROM report_totals")
    conn.exec_driver_sql(insert_sql(None))
    conn.exec_driver_sql(counted_sql(None))
