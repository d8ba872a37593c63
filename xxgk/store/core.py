"""The corpus store: the one way to read and write the corpus database (see docs/corpus.md)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from concurrent.futures import Executor
from typing import Any, Callable, Iterable, Iterator, Sequence

import sqlalchemy as sa

from .. import PARSER_VERSION, checks
from .. import template as T
from ..agency import agency_key, base_name, group_keys, keys_compatible
from ..report import Report
from . import crossyear
from . import schema as S
from . import totals as _totals
from .db import StoreError, current_revision, database_url, lock_for_write, make_engine, migrate, sqlite_path
from .rows import (
    _RID,
    CELL_COLUMNS,
    FINDING_COLUMNS,
    ReportRows,
    build_report,
    number,
    packed_cells_sql,
    report_rows,
)

_CHUNK = 500  # ids per IN (…) list
_CONSOLIDATED_CODES = ("CONSOLIDATED_MISMATCH", "CONSOLIDATED_INCOMPLETE")  # scope corpus, stored by store.tree
_ROWS_PER_INSERT = 64  # rows per multi-row INSERT on SQLite (13 columns × 64 < the 32766 variables)


def _chunks(seq: Sequence, n: int = _CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _token_id(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


# ---- what the read API returns ------------------------------------------------------------------


@dataclass
class ReportSummary:
    """One stored report without its cells (a row of `Store.reports`)."""

    id: int
    sha256: str
    parser_version: str
    source_path: str | None
    source_name: str | None
    format: str | None
    template: str
    is_report: bool
    agency: str | None
    agency_key: str | None
    level: str | None
    kind: str | None
    region: str | None
    province: str | None
    prefecture: str | None
    county: str | None
    township: str | None
    year: int | None
    title: str | None
    has_errors: bool
    n_errors: int
    n_warnings: int
    n_infos: int
    ingested_at: datetime | None
    # where the agency and the year were stated (source names: xxgk/extract/meta.py)
    agency_source: str | None = None
    agency_raw: str | None = None
    year_source: str | None = None

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["ingested_at"] = self.ingested_at.isoformat() if self.ingested_at else None
        return d


_SUMMARY_COLUMNS = tuple(ReportSummary.__dataclass_fields__)


@dataclass
class Review:
    finding_key: str
    status: str  # confirmed | dismissed
    comment: str | None
    reviewer: str | None
    reviewed_at: datetime

    def to_json(self) -> dict[str, Any]:
        return dict(asdict(self), reviewed_at=self.reviewed_at.isoformat())


@dataclass
class User:
    """A reviewer account of the web desk (the password hash is not in it)."""

    name: str
    created_at: datetime


@dataclass
class FindingRow:
    """A stored finding with the report it is on and its review, if any."""

    id: int
    key: str  # stable across re-ingests of the same file: what reviews attach to
    report_id: int
    code: str
    severity: str
    message: str
    where: dict[str, Any]
    scope: str  # "report" | "corpus" (cross-year)
    agency: str | None
    year: int | None
    source_path: str | None
    review: Review | None = None

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["review"] = self.review.to_json() if self.review else None
        return d


@dataclass
class FailureRow:
    path: str
    sha256: str
    parser_version: str
    reason: str
    message: str
    failed_at: datetime

    def to_json(self) -> dict[str, Any]:
        return dict(asdict(self), failed_at=self.failed_at.isoformat())


@dataclass
class WriteCounts:
    stored: int = 0  # new reports
    replaced: int = 0  # re-parsed by a newer parser version
    skipped: int = 0  # the same content by the same parser version was there already
    failed: int = 0

    def add(self, other: "WriteCounts") -> None:
        for k in ("stored", "replaced", "skipped", "failed"):
            setattr(self, k, getattr(self, k) + getattr(other, k))


STAT_DIMENSIONS = ("year", "level", "kind", "region", "province", "prefecture", "county", "agency", "template")
TOTALS = _totals.TOTALS
SHARES = ("granted", "partially_granted", "withheld", "unavailable", "rejected", "other")
RATES = tuple(f"{s}_share" for s in SHARES) + ("reconsideration_correction", "litigation_correction")


@dataclass
class StatsGroup:
    key: Any  # the group's value of the dimension (None: not known; the whole corpus when by=None)
    reports: int = 0  # documents recognised as reports
    with_errors: int = 0  # of which with at least one error-severity finding
    totals: dict[str, int | Decimal] = field(default_factory=lambda: {k: 0 for k in TOTALS})
    rates: dict[str, float | None] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)  # code → reports with it
    keys: list[str] = field(default_factory=list)  # by=agency: the agency keys merged into the group

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "reports": self.reports, "with_errors": self.with_errors,
            "totals": {k: _jsonable(v) for k, v in self.totals.items()}, "rates": self.rates,
            "findings": self.findings, **({"keys": self.keys} if self.keys else {}),
        }


@dataclass
class Stats:
    by: str | None
    groups: list[StatsGroup]
    not_reports: int  # documents stored that are not annual reports (NOT_A_REPORT)
    severities: dict[str, str]  # code → severity, for the codes in the groups
    duplicates: int = 0  # further files of an agency and year already counted (not counted again)

    def to_json(self) -> dict[str, Any]:
        return {"by": self.by, "not_reports": self.not_reports, "duplicates": self.duplicates,
                "severities": self.severities, "groups": [g.to_json() for g in self.groups]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Stats":
        """The inverse of to_json (numbers parsed as Decimal come back as int where whole)."""
        def num(v):
            return int(v) if isinstance(v, Decimal) and v == v.to_integral_value() else v

        groups = [StatsGroup(g["key"], g["reports"], g["with_errors"], {k: num(v) for k, v in g["totals"].items()},
                             {k: None if v is None else float(v) for k, v in g["rates"].items()}, g["findings"],
                             g.get("keys", [])) for g in d["groups"]]
        return cls(d["by"], groups, d["not_reports"], d["severities"], d["duplicates"])


@dataclass
class History:
    agency: str  # as asked
    key: str | None  # the group's fullest key
    keys: list[str]  # agency keys in the group
    candidates: list[str]  # when the name is ambiguous: the fuller keys it could mean
    reports: list[ReportSummary]  # by year
    values: dict[tuple[str, str, str], dict[int, int | Decimal | None]]  # cell → report id → value
    findings: list[FindingRow]  # cross-year findings of these reports

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency, "key": self.key, "keys": self.keys, "candidates": self.candidates,
            "reports": [r.to_json() for r in self.reports],
            "values": {".".join(k): {str(rid): _jsonable(v) for rid, v in per.items()} for k, per in self.values.items()},
            "findings": [f.to_json() for f in self.findings],
        }


def _jsonable(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


# ---- stats definitions, from the declaration -----------------------------------------------------


_add_cell = _totals.add_cell  # which cells make which total: declared in xxgk.store.totals


def _group_getter(groups: dict[Any, "StatsGroup"]) -> Callable[[Any], "StatsGroup"]:
    """group(k): the StatsGroup of key k in `groups`, made on first use."""
    def group(k):
        if k not in groups:
            groups[k] = StatsGroup(k)
        return groups[k]
    return group


def _count_findings(conn: sa.Connection, dim, joined, base: list, group: Callable, severities: dict[str, str]) -> None:
    """Per group, how many of its reports carry each finding code (`joined`: findings joined to
    the table the conditions `base` and the dimension `dim` are on)."""
    F = S.findings
    for k, code, sev, n in conn.execute(
        sa.select(dim, F.c.code, F.c.severity, sa.func.count(sa.distinct(F.c.report_id)))
        .select_from(joined).where(*base).group_by(dim, F.c.code, F.c.severity)
    ):
        g = group(k)
        g.findings[code] = g.findings.get(code, 0) + n
        severities[code] = sev


def _rates(totals: dict) -> dict[str, float | None]:
    def ratio(a, b):
        return round(float(a) / float(b), 6) if b else None

    out = {f"{s}_share": ratio(totals[s], totals["processed"]) for s in SHARES}
    out["reconsideration_correction"] = ratio(totals["reconsideration_corrected"], totals["reconsideration_concluded"])
    out["litigation_correction"] = ratio(totals["litigation_corrected"], totals["litigation_concluded"])
    return out


# ---- the store --------------------------------------------------------------------------------


@dataclass
class Counts:
    """Store.counts: files stored, and the reports they carry (one per organ and year)."""

    files: int
    reports: int
    not_reports: int  # files that are not annual reports
    duplicates: int  # further files of an organ and year already counted (other formats, re-publications)

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    def text(self) -> str:
        """The one Chinese phrase every command and the desk print."""
        out = f"{self.files} 个文件，{self.reports} 份报告"
        notes = ([f"{self.duplicates} 个是已计入报告的其他格式或重复发布"] if self.duplicates else []) + \
                ([f"{self.not_reports} 个不是年度报告"] if self.not_reports else [])
        return out + (f"（文件中 {'，'.join(notes)}）" if notes else "")


def counted_versions(reports: Sequence["ReportSummary"]) -> dict[int, bool]:
    """For each report of an organ-year that several files carry: whether `Store.stats` counts it
    (the same choice: the one without errors, else the latest stored).  Years with one file are
    left out."""
    by_year: dict[tuple, list] = {}
    for r in reports:
        if r.is_report and r.agency_key is not None and r.year is not None:
            by_year.setdefault((r.agency_key, r.year), []).append(r)
    out: dict[int, bool] = {}
    for rs in by_year.values():
        if len(rs) > 1:
            best = min(rs, key=lambda r: (r.has_errors, -r.id))
            out.update({r.id: r.id == best.id for r in rs})
    return out


FORMAT_CN = {"text": "文本", "html": "网页", "docx": "Word", "doc": "Word（.doc）", "pdf": "PDF", "image": "扫描件"}


def _extra_versions():
    """Ids of the files that repeat an organ's report of a year already counted: of the files of
    one agency key and year, the one without errors (else the latest stored) counts."""
    R = S.reports
    ranked = (
        sa.select(R.c.id, sa.func.row_number().over(
            partition_by=(R.c.agency_key, R.c.year), order_by=(R.c.has_errors.asc(), R.c.id.desc())).label("rank"))
        .where(R.c.is_report, R.c.agency_key.is_not(None), R.c.year.is_not(None))
        .subquery()
    )
    return sa.select(ranked.c.id).where(ranked.c.rank > 1)


def open_store(db: str | None = None, *, upgrade: bool = True, create: bool = True) -> "Store":
    """Open (creating and migrating as needed) the corpus at `db`: a file path (SQLite), a URL
    (postgresql://…, sqlite:///…), or None for $XXGK_DB, else ./xxgk.db.  With `create=False` a
    database that does not exist yet, or holds no corpus, is refused (StoreError) instead of being
    created empty — what the read-only commands want when `--db` is mistyped."""
    url = database_url(db)
    shown = sa.engine.make_url(url).render_as_string(hide_password=True)
    path = sqlite_path(url)
    if not create and path is not None and not path.is_file():
        raise StoreError(f"数据库不存在：{path}（请检查 --db；语料库由 xxgk ingest 建立）")
    engine = make_engine(url)
    try:
        if not create:
            with engine.connect() as conn:
                if current_revision(conn) is None:
                    raise StoreError(f"{shown} 中没有 xxgk 语料库（请检查 --db；语料库由 xxgk ingest 建立）")
        if upgrade:
            migrate(engine)
    except StoreError:
        engine.dispose()
        raise
    except sa.exc.OperationalError as exc:
        engine.dispose()
        raise StoreError(f"无法打开数据库 {shown}：{exc.orig}") from None
    except sa.exc.DatabaseError as exc:  # e.g. a file that is not a SQLite database
        engine.dispose()
        raise StoreError(f"无法打开数据库 {shown}：{exc.orig}") from None
    return Store(engine)


class Store:
    """A corpus database.  Every method opens its own short transaction; a Store can be shared by
    the threads of one process (SQLAlchemy's connection pool), not across processes."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self._cross_need = crossyear.Need()  # what the cross-year rules read, learnt

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def path(self):
        """The SQLite file (None for PostgreSQL)."""
        return sqlite_path(self.engine.url.render_as_string(hide_password=False))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- writing ------------------------------------------------------------------------------

    def add(self, report: Report, *, cross_year: bool = True) -> int:
        """Store one parsed report (replacing the same content parsed by an older parser version;
        nothing changes when it is there already).  Returns its id.  With cross_year, the
        cross-year findings of its agency are brought up to date."""
        rows = report_rows(report)
        self.write([rows])
        if cross_year:
            self.update_cross_year()
        with self.engine.connect() as conn:
            return conn.execute(sa.select(S.reports.c.id).where(S.reports.c.sha256 == rows.sha256)).scalar_one()

    def write(self, batch: Sequence[ReportRows], failures: Sequence[tuple[str, str, str, str]] = ()) -> WriteCounts:
        """Write parsed reports and failures (path, sha256, reason, message) in one transaction:
        all of them or none.  A report whose content (sha256) is stored by this parser version is
        skipped; by another version, replaced in place (same id, new cells and findings)."""
        with self.engine.begin() as conn:
            lock_for_write(conn)  # another ingest's batch must not land between our reads and writes
            if batch:
                self._bump(conn)
            return self._write(conn, batch, failures)

    # ---- the write generation and the statistics cache --------------------------------------------

    @staticmethod
    def _bump(conn: sa.Connection) -> None:
        """A write that changes reports, cells or findings: cached statistics are stale.  In the
        writing transaction, so a reader sees the new generation together with the new rows."""
        T = S.store_state
        conn.execute(T.update().where(T.c.key == "generation").values(value=T.c.value + 1))

    def generation(self, conn: sa.Connection | None = None) -> int:
        """How many writes the store has seen (the key of the statistics cache)."""
        if conn is None:
            with self.engine.connect() as c:
                return self.generation(c)
        T = S.store_state
        return conn.execute(sa.select(T.c.value).where(T.c.key == "generation")).scalar_one()

    def _write(self, conn: sa.Connection, batch, failures) -> WriteCounts:
        counts = WriteCounts()
        R = S.reports
        existing: dict[str, tuple[int, str]] = {}
        shas = list({r.sha256 for r in batch})
        for part in _chunks(shas):
            for rid, sha, ver in conn.execute(sa.select(R.c.id, R.c.sha256, R.c.parser_version).where(R.c.sha256.in_(part))):
                existing[sha] = (rid, ver)
        now = _now()
        new: list[ReportRows] = []
        owned: list[tuple[int, ReportRows]] = []
        seen: set[str] = set()
        replaced: list[int] = []
        for rr in batch:
            sha = rr.sha256
            ex = existing.get(sha)
            if sha in seen or (ex and ex[1] == rr.report["parser_version"]):
                counts.skipped += 1
                continue
            seen.add(sha)
            values = dict(rr.report, ingested_at=now, cross_pending=True)
            if ex:  # re-parsed by another parser version: same id, fresh content
                conn.execute(R.update().where(R.c.id == ex[0]).values(**values))
                conn.execute(S.cells.delete().where(S.cells.c.report_id == ex[0]))
                conn.execute(S.findings.delete().where(S.findings.c.report_id == ex[0]))
                owned.append((ex[0], rr))
                replaced.append(ex[0])
                counts.replaced += 1
            else:
                new.append(rr)
        if new:
            params = [dict(rr.report, ingested_at=now, cross_pending=True) for rr in new]
            ids = dict((sha, rid) for rid, sha in conn.execute(R.insert().returning(R.c.id, R.c.sha256), params))
            owned.extend((ids[rr.sha256], rr) for rr in new)
            counts.stored += len(new)
        self._write_cells(conn, owned)
        self._bulk(conn, "findings", FINDING_COLUMNS, [(rid,) + f for rid, rr in owned for f in rr.findings])
        # the (agency key, year) groups the replaced reports leave, where which file counts may change
        old_groups = _totals.groups_of(conn, replaced) if replaced else set()
        _totals.write(conn, [rid for rid, _ in owned], old_groups)  # in this transaction, with the report
        stored_shas = [rr.sha256 for _, rr in owned]
        for part in _chunks(stored_shas):  # content that now parses is no longer a failure
            conn.execute(S.failures.delete().where(S.failures.c.sha256.in_(part)))
        for path, sha, reason, message in failures:
            F = S.failures
            conn.execute(F.delete().where(F.c.path == path, F.c.sha256 == sha))
            conn.execute(F.insert().values(path=path, sha256=sha, parser_version=PARSER_VERSION, reason=reason,
                                           message=message, failed_at=now))
            counts.failed += 1
        return counts

    def _write_cells(self, conn: sa.Connection, owned: list[tuple[int, ReportRows]]) -> None:
        """The cells of the reports being written: packed ones straight to the driver (one
        statement per report on SQLite, one COPY per batch on PostgreSQL), the others in bulk."""
        plain = [(rid,) + c for rid, rr in owned if rr.packed is None for c in rr.cells]
        self._bulk(conn, "cells", CELL_COLUMNS, plain)
        packed = [(rid, rr.packed) for rid, rr in owned if rr.packed is not None]
        if not packed:
            return
        raw = conn.connection.driver_connection
        if self.dialect == "postgresql":
            data = b"".join(p[1].replace(_RID, b"%d" % rid) for rid, p in packed if p[0] == "postgresql")
            with raw.cursor() as cur, cur.copy(f"COPY cells ({', '.join(CELL_COLUMNS)}) FROM STDIN") as copy:
                copy.write(data)
            return
        cur = raw.cursor()
        try:
            for rid, (_, n, flat) in packed:
                if n:
                    cur.execute(packed_cells_sql(n), [rid, *flat])
        finally:
            cur.close()

    def _bulk(self, conn: sa.Connection, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        """Insert many rows through the driver itself: COPY on PostgreSQL, multi-row INSERTs on
        SQLite (the hot path of an ingest: SQLAlchemy's per-row processing would cost more than
        the insert)."""
        if not rows:
            return
        raw = conn.connection.driver_connection
        cols = ", ".join(columns)
        if self.dialect == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
            return
        k = _ROWS_PER_INSERT
        one = "(" + ", ".join("?" * len(columns)) + ")"
        full = len(rows) // k * k
        cur = raw.cursor()
        try:
            if full:
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * k)}",
                                [[v for r in rows[i : i + k] for v in r] for i in range(0, full, k)])
            if full < len(rows):
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES {one}", rows[full:])
        finally:
            cur.close()

    def _raw(self, conn: sa.Connection, sql: str, params: Sequence = ()) -> list[tuple]:
        """Run a query through the driver (qmark placeholders, `IN ??` for a list) and return plain
        tuples: for the few queries that read millions of cells."""
        raw = conn.connection.driver_connection
        if self.dialect == "postgresql":
            sql = sql.replace("IN ??", "= ANY(%s)").replace("?", "%s")
            params = [list(p) if isinstance(p, (list, tuple)) else p for p in params]
        else:
            flat = []
            for p in params:
                if isinstance(p, (list, tuple)):
                    sql = sql.replace("IN ??", "IN (" + ", ".join("?" * len(p)) + ")", 1)
                    flat.extend(p)
                else:
                    flat.append(p)
            params = flat
        cur = raw.cursor()
        try:
            cur.execute(sql, params)
            return cur.fetchall()
        finally:
            cur.close()

    def add_failure(self, path: str, sha256: str, reason: str, message: str) -> None:
        self.write([], [(path, sha256, reason, message)])

    def known(self, shas: Iterable[str]) -> set[str]:
        """Which of these contents are stored by the current parser version."""
        out: set[str] = set()
        R = S.reports
        with self.engine.connect() as conn:
            for part in _chunks(list(shas)):
                out.update(conn.execute(sa.select(R.c.sha256).where(
                    R.c.sha256.in_(part), R.c.parser_version == PARSER_VERSION)).scalars())
        return out

    def known_failures(self, items: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (path, sha256) failed before with the current parser version."""
        items = list(items)
        F = S.failures
        out: set[tuple[str, str]] = set()
        with self.engine.connect() as conn:
            for part in _chunks(items):
                rows = conn.execute(sa.select(F.c.path, F.c.sha256).where(
                    F.c.sha256.in_([s for _, s in part]), F.c.parser_version == PARSER_VERSION))
                out.update((p, s) for p, s in rows)
        return out & set(items)

    # ---- cross-year -----------------------------------------------------------------------------

    def update_cross_year(self, rules: list[checks.Rule] | None = None, *, executor: Executor | None = None) -> int:
        """Recompute the cross-year findings (CARRY_OVER_MISMATCH, IN_FORCE_DISCONTINUITY, …) of
        the agencies with a report stored since the last pass (and of the agencies whose grouping
        such a report changes); returns how many cross-year findings were written.  Works in
        bounded batches, each one transaction; what an interruption leaves undone stays pending.
        With an `executor` (a process pool), the checking is spread over its workers."""
        n = crossyear.update(self, rules, executor)
        return n + self.update_consolidated()

    # ---- the org tree (consolidated reports) -----------------------------------------------------

    def load_tree(self, edges: Iterable[tuple[str, str]], *, replace: bool = False) -> int:
        """Record (parent, child) organ names (xxgk org load); with replace, the tree is only these."""
        from . import tree

        return tree.load(self, edges, replace)

    def tree(self) -> list[tuple[str, str]]:
        from . import tree

        return tree.edges(self)

    def tree_unmatched(self) -> list[str]:
        from . import tree

        return tree.unmatched(self)

    def update_consolidated(self) -> int:
        """Compare every parent's report of every year with the sum of its children's reports:
        CONSOLIDATED_MISMATCH / CONSOLIDATED_INCOMPLETE findings (scope corpus) on the parent."""
        from . import tree

        return tree.update(self)

    def consolidation(self, agency: str) -> list[dict[str, Any]]:
        """The agency page's view of a parent: per year, children, sums and its own values."""
        from . import tree

        return tree.desk_view(self, agency)

    @staticmethod
    def _chunked(seq: Sequence) -> Iterator[Sequence]:
        return _chunks(seq)

    def _recount(self, conn: sa.Connection, ids: Sequence[int]) -> list[int]:
        """Bring n_errors, n_warnings, n_infos and has_errors of these reports up to date with their
        findings (after the cross-year pass or the org tree changed them): one grouped count, and
        an update of only the reports whose counts changed.  Returns the ids whose has_errors
        changed: the caller passes them, once all its updates of `reports` are done, to
        `xxgk.store.totals.sync_errors` (which takes the totals lock: never while waiting for rows)."""
        R, F = S.reports, S.findings
        ids = list(ids)
        slot = {"error": 0, "warning": 1, "info": 2}
        counts: dict[int, list[int]] = {rid: [0, 0, 0] for rid in ids}
        for rid, sev, n in conn.execute(sa.select(F.c.report_id, F.c.severity, sa.func.count())
                                        .where(F.c.report_id.in_(ids)).group_by(F.c.report_id, F.c.severity)):
            if sev in slot:
                counts[rid][slot[sev]] = n
        changed, flipped = [], []
        for rid, e, w, i, has in conn.execute(sa.select(R.c.id, R.c.n_errors, R.c.n_warnings, R.c.n_infos,
                                                        R.c.has_errors).where(R.c.id.in_(ids))):
            ne, nw, ni = counts[rid]
            if (e, w, i, bool(has)) != (ne, nw, ni, ne > 0):
                changed.append({"b_id": rid, "b_e": ne, "b_w": nw, "b_i": ni, "b_has": ne > 0})
                if bool(has) != (ne > 0):
                    flipped.append(rid)
        if changed:
            conn.execute(R.update().where(R.c.id == sa.bindparam("b_id")).values(
                n_errors=sa.bindparam("b_e"), n_warnings=sa.bindparam("b_w"), n_infos=sa.bindparam("b_i"),
                has_errors=sa.bindparam("b_has")), changed)
        return flipped

    def _cells_by_report(self, conn: sa.Connection, ids: Sequence[int], provenance: bool = True,
                         values_only: bool = False) -> dict[int, list[tuple]]:
        """Cells of these reports: report id → [(table_key, row_id, col_id, value, status, raw,
        line, page, doc_table, doc_row, doc_cell, confidence)] (the first five only without
        provenance), the value as the driver gives it.  `values_only`: just (table_key, row_id,
        col_id, value) of the cells that hold a number — what a wide export writes."""
        out: dict[int, list[tuple]] = defaultdict(list)
        if values_only:
            sql = f"SELECT {', '.join(CELL_COLUMNS[:5])} FROM cells WHERE report_id IN ?? AND value IS NOT NULL"
        else:
            columns = CELL_COLUMNS if provenance else CELL_COLUMNS[:6]
            sql = f"SELECT {', '.join(columns)} FROM cells WHERE report_id IN ??"
        for part in _chunks(list(ids)):
            for row in self._raw(conn, sql, [list(part)]):
                out[row[0]].append(row[1:])
        return out

    # ---- reviews --------------------------------------------------------------------------------

    def review(self, finding_key: str, status: str, comment: str | None = None, reviewer: str | None = None) -> Review:
        """Record a reviewer's verdict on a finding (by its stable key): confirmed or dismissed.
        Replaces an earlier verdict; kept when the report is ingested or re-parsed again."""
        if status not in S.REVIEW_STATUSES:
            raise ValueError(f"status must be one of {S.REVIEW_STATUSES}")
        F, V = S.findings, S.reviews
        with self.engine.begin() as conn:
            hit = conn.execute(
                sa.select(F.c.code, S.reports.c.sha256).join(S.reports, S.reports.c.id == F.c.report_id)
                .where(F.c.key == finding_key).limit(1)
            ).first()
            if hit is None:
                raise KeyError(finding_key)
            now = _now()
            conn.execute(V.delete().where(V.c.finding_key == finding_key))
            conn.execute(V.insert().values(finding_key=finding_key, status=status, comment=comment, reviewer=reviewer,
                                           reviewed_at=now, sha256=hit.sha256, code=hit.code))
        return Review(finding_key, status, comment, reviewer, now)

    def resolve_finding_key(self, prefix: str) -> str:
        """The full key of the finding whose key starts with `prefix` (KeyError: none or several)."""
        F = S.findings
        with self.engine.connect() as conn:
            keys = conn.execute(sa.select(F.c.key).where(F.c.key.startswith(prefix, autoescape=True))
                                .group_by(F.c.key).limit(2)).scalars().all()
        if len(keys) != 1:
            raise KeyError(prefix)
        return keys[0]

    def clear_review(self, finding_key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(S.reviews.delete().where(S.reviews.c.finding_key == finding_key))

    def get_review(self, finding_key: str) -> Review | None:
        V = S.reviews
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(V.c.finding_key, V.c.status, V.c.comment, V.c.reviewer, V.c.reviewed_at)
                             .where(V.c.finding_key == finding_key)).first()
        return Review(*r) if r else None

    # ---- reviewer accounts (the web desk) ------------------------------------------------------

    def add_user(self, name: str, password_hash: str, *, replace: bool = False) -> bool:
        """Add a reviewer with an already hashed password (xxgk.web.security.hash_password); with
        replace, change an existing one's.  False when the name is taken and not replace."""
        U = S.users
        with self.engine.begin() as conn:
            exists = conn.execute(sa.select(U.c.name).where(U.c.name == name)).first() is not None
            if exists and not replace:
                return False
            if exists:  # a new password ends the sessions signed in with the old one
                conn.execute(U.update().where(U.c.name == name).values(password_hash=password_hash))
                conn.execute(S.sessions.delete().where(S.sessions.c.user_name == name))
            else:
                conn.execute(U.insert().values(name=name, password_hash=password_hash, created_at=_now()))
        return True

    def remove_user(self, name: str) -> bool:
        """Remove a reviewer, their API tokens and every session of theirs (their reviews stay)."""
        with self.engine.begin() as conn:
            conn.execute(S.api_tokens.delete().where(S.api_tokens.c.user_name == name))
            conn.execute(S.sessions.delete().where(S.sessions.c.user_name == name))
            return conn.execute(S.users.delete().where(S.users.c.name == name)).rowcount > 0

    # sign-in sessions: the cookie holds a random token, the database its SHA-256 (a stolen copy
    # of the database does not sign anyone in)

    def create_session(self, name: str, seconds: float) -> str:
        """A new session for reviewer `name` valid for `seconds`; returns its token."""
        import secrets

        token = secrets.token_urlsafe(32)
        now = _now()
        Ss = S.sessions
        with self.engine.begin() as conn:
            conn.execute(Ss.delete().where(Ss.c.expires_at < now))  # expired ones go on the way
            conn.execute(Ss.insert().values(id=_token_id(token), user_name=name, created_at=now,
                                            expires_at=now + timedelta(seconds=seconds)))
        return token

    def session_user(self, token: str) -> str | None:
        """The reviewer a live session belongs to (None: ended, expired, or never existed)."""
        Ss = S.sessions
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(Ss.c.user_name, Ss.c.expires_at).where(Ss.c.id == _token_id(token))).first()
        if row is None:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=timezone.utc)
        return row.user_name if expires > _now() else None

    def end_session(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(S.sessions.delete().where(S.sessions.c.id == _token_id(token)))

    def users(self) -> list[User]:
        U = S.users
        with self.engine.connect() as conn:
            return [User(*r) for r in conn.execute(sa.select(U.c.name, U.c.created_at).order_by(U.c.name))]

    def user_hash(self, name: str) -> str | None:
        """The stored password hash of a reviewer (None: no such reviewer)."""
        U = S.users
        with self.engine.connect() as conn:
            return conn.execute(sa.select(U.c.password_hash).where(U.c.name == name)).scalar_one_or_none()

    # ---- API tokens (xxgk.web.tokens) ------------------------------------------------------------

    def add_token(self, user: str, token_sha256: str, prefix: str, label: str | None = None) -> int:
        """Keep a new API token of `user` (only its SHA-256); its id.  KeyError: no such reviewer."""
        with self.engine.begin() as conn:
            if conn.execute(sa.select(S.users.c.name).where(S.users.c.name == user)).first() is None:
                raise KeyError(user)
            return conn.execute(S.api_tokens.insert().values(
                user_name=user, token_sha256=token_sha256, prefix=prefix, label=label, created_at=_now())
            ).inserted_primary_key[0]

    def token_user(self, token_sha256: str) -> str | None:
        """The reviewer whose token has this SHA-256 (None: unknown or revoked); notes its use."""
        T, U = S.api_tokens, S.users
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(T.c.id, U.c.name).select_from(T.join(U, U.c.name == T.c.user_name))
                               .where(T.c.token_sha256 == token_sha256)).first()
            if row is None:
                return None
            conn.execute(T.update().where(T.c.id == row.id).values(last_used_at=_now()))
            return row.name

    def tokens(self, user: str | None = None) -> list[dict[str, Any]]:
        """The API tokens kept (id, user, prefix, label, created_at, last_used_at) — never a token."""
        T = S.api_tokens
        stmt = sa.select(T.c.id, T.c.user_name, T.c.prefix, T.c.label, T.c.created_at, T.c.last_used_at).order_by(T.c.id)
        if user is not None:
            stmt = stmt.where(T.c.user_name == user)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def revoke_token(self, ref: int | str) -> int:
        """Revoke tokens by id, by prefix (the first characters shown by `tokens`) or, given a
        reviewer's name, all of theirs; how many were revoked."""
        T = S.api_tokens
        with self.engine.begin() as conn:
            if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
                cond = T.c.id == int(ref)
            elif ref.startswith("xxgk_") and len(ref) > 16:  # the whole token
                import hashlib

                cond = T.c.token_sha256 == hashlib.sha256(ref.encode()).hexdigest()
            elif ref.startswith("xxgk_"):  # the prefix `tokens` shows
                cond = T.c.prefix == ref
            else:
                cond = T.c.user_name == ref
            return conn.execute(T.delete().where(cond)).rowcount

    # ---- reading ------------------------------------------------------------------------------

    def _agency_keys(self, conn: sa.Connection, name: str) -> tuple[str | None, list[str], list[str]]:
        """(group key, keys of the group, candidates if ambiguous) for an agency name as asked."""
        key = agency_key(name)
        if not key:
            return None, [], []
        R = S.reports
        stored = conn.execute(
            sa.select(R.c.agency_key).where(R.c.agency_base == base_name(key)).group_by(R.c.agency_key)
        ).scalars().all()
        groups = group_keys(list(stored) + [key])
        root = groups[key]
        members = sorted(k for k, g in groups.items() if g == root and k in stored)
        candidates: list[str] = []
        if root == key:
            fuller = sorted({g for k, g in groups.items() if g != key and keys_compatible(key, k) and len(k) > len(key)})
            if len(fuller) > 1:
                candidates = fuller
        return root, members, candidates

    def _where(self, conn: sa.Connection, f: dict[str, Any], table: sa.Table | None = None) -> list:
        """The conditions of the report filters, on `reports` or on `table` (S.report_totals, which
        holds the same dimension and flag columns; the rest is asked of `reports` by id)."""
        R = S.reports
        src = R if table is None else table
        rid = R.c.id if src is R else src.c.report_id
        conds: list = []
        unknown = set(f) - {"agency", "year", "level", "kind", "region", "province", "prefecture", "county",
                            "template", "has_errors", "code", "is_report", "ids", "q", "agency_key", "sha256"}
        if unknown:
            raise TypeError(f"unknown filter(s): {', '.join(sorted(unknown))}")
        if f.get("agency"):
            _, keys, _ = self._agency_keys(conn, f["agency"])
            conds.append(src.c.agency_key.in_(keys))
        if f.get("agency_key"):
            conds.append(src.c.agency_key == f["agency_key"])
        year = f.get("year")
        if isinstance(year, (tuple, list)):
            lo, hi = year
            if lo is not None:
                conds.append(src.c.year >= lo)
            if hi is not None:
                conds.append(src.c.year <= hi)
        elif year is not None:
            conds.append(src.c.year == year)
        for col in ("level", "kind", "province", "prefecture", "county", "template"):
            if f.get(col) is not None:
                conds.append(src.c[col] == f[col])
        if f.get("region"):
            conds.append(src.c.region.contains(f["region"], autoescape=True))
        if f.get("has_errors") is not None:
            conds.append(src.c.has_errors == bool(f["has_errors"]))
        if f.get("is_report") is not None:
            conds.append(src.c.is_report == bool(f["is_report"]))
        if f.get("code"):
            codes = [f["code"]] if isinstance(f["code"], str) else list(f["code"])
            conds.append(rid.in_(sa.select(S.findings.c.report_id).where(S.findings.c.code.in_(codes))))
        if f.get("ids") is not None:
            conds.append(rid.in_(list(f["ids"])))
        if src is not R and (f.get("sha256") is not None or f.get("q")):
            conds.append(rid.in_(sa.select(R.c.id).where(*self._where(conn, {k: f[k] for k in ("sha256", "q") if k in f}))))
            return conds
        if f.get("sha256") is not None:
            shas = [f["sha256"]] if isinstance(f["sha256"], str) else list(f["sha256"])
            conds.append(R.c.sha256.in_(shas))
        if f.get("q"):
            q = f["q"]
            conds.append(sa.or_(R.c.agency.contains(q, autoescape=True), R.c.title.contains(q, autoescape=True),
                                R.c.source_path.contains(q, autoescape=True)))
        return conds

    def reports(self, *, limit: int | None = None, offset: int = 0, order: str = "id", **filters) -> list[ReportSummary]:
        """Stored reports matching the filters, as summaries.  Filters: agency (a name: matches
        the organ with or without its places), year (int or (from, to)), level, kind, region
        (substring), province, prefecture, county, template, has_errors, is_report, code (a
        finding code or list), ids, sha256 (one or a list), q (text in agency/title/path).  order: id, year, agency."""
        R = S.reports
        orders = {"id": [R.c.id], "year": [R.c.year, R.c.agency_key, R.c.id], "agency": [R.c.agency_key, R.c.year, R.c.id]}
        with self.engine.connect() as conn:
            stmt = sa.select(*[R.c[c] for c in _SUMMARY_COLUMNS]).where(*self._where(conn, filters))
            stmt = stmt.order_by(*orders[order]).offset(offset)
            if limit is not None:
                stmt = stmt.limit(limit)
            return [ReportSummary(**r._mapping) for r in conn.execute(stmt)]

    def count(self, **filters) -> int:
        """Stored files matching the filters (every format and copy; see `counts`)."""
        R = S.reports
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(R).where(*self._where(conn, filters))).scalar_one()

    def counts(self, **filters) -> "Counts":
        """Files and reports, the two counts every command and the desk show: a *file* is one stored
        input (the PDF and the web page of one report are two files); a *report* is one organ's
        annual report for one year, counted once however many files carry it (as `stats` counts)."""
        Tt = S.report_totals  # the narrow totals table, which knows which file counts: counts by an index
        with self.engine.connect() as conn:
            conds = self._where(conn, filters, Tt)
            n = lambda *c: conn.execute(sa.select(sa.func.count()).select_from(Tt).where(*conds, *c)).scalar_one()  # noqa: E731
            files = n()
            not_reports = n(sa.not_(Tt.c.is_report))
            duplicates = n(Tt.c.is_report, sa.not_(Tt.c.counted))
        return Counts(files, files - not_reports - duplicates, not_reports, duplicates)

    def summary(self, report_id: int) -> ReportSummary | None:
        found = self.reports(ids=[report_id])
        return found[0] if found else None

    def report(self, ref: int | str) -> Report | None:
        """The full canonical model of a stored report (by id or sha256): meta, every cell with
        its provenance, findings (cross-year included), sections."""
        R = S.reports
        with self.engine.connect() as conn:
            cond = R.c.id == ref if isinstance(ref, int) else R.c.sha256 == ref
            row = conn.execute(sa.select(R).where(cond)).first()
            if row is None:
                return None
            row = row._mapping
            cells = self._cells_by_report(conn, [row["id"]]).get(row["id"], [])
            F = S.findings
            found = conn.execute(sa.select(F.c.code, F.c.severity, F.c.message, F.c.where_json)
                                 .where(F.c.report_id == row["id"]).order_by(F.c.id)).all()
        return build_report(row, cells, found)

    def findings(self, *, code: str | Sequence[str] | None = None, severity: str | Sequence[str] | None = None,
                 scope: str | None = None, review: str | None = None, report_id: int | None = None,
                 limit: int | None = None, offset: int = 0, **filters) -> list[FindingRow]:
        """Findings with their report and review.  code/severity: one or several; scope: report or
        corpus; review: confirmed, dismissed, reviewed (either) or unreviewed; plus the report
        filters of `reports` (agency, year, level, …)."""
        F, R, V = S.findings, S.reports, S.reviews
        with self.engine.connect() as conn:
            conds = self._where(conn, filters)
            if code:
                conds.append(F.c.code.in_([code] if isinstance(code, str) else list(code)))
            if severity:
                conds.append(F.c.severity.in_([severity] if isinstance(severity, str) else list(severity)))
            if scope:
                conds.append(F.c.scope == scope)
            if report_id is not None:
                conds.append(F.c.report_id == report_id)
            if review in S.REVIEW_STATUSES:
                conds.append(V.c.status == review)
            elif review == "reviewed":
                conds.append(V.c.status.is_not(None))
            elif review == "unreviewed":
                conds.append(V.c.status.is_(None))
            elif review is not None:
                raise ValueError(f"review must be one of {S.REVIEW_STATUSES + ('reviewed', 'unreviewed')}")
            stmt = (
                sa.select(F.c.id, F.c.key, F.c.report_id, F.c.code, F.c.severity, F.c.message, F.c.where_json, F.c.scope,
                          R.c.agency, R.c.year, R.c.source_path,
                          V.c.finding_key, V.c.status, V.c.comment, V.c.reviewer, V.c.reviewed_at)
                .select_from(F.join(R, R.c.id == F.c.report_id).outerjoin(V, V.c.finding_key == F.c.key))
                .where(*conds).order_by(F.c.report_id, F.c.id).offset(offset)
            )
            if limit is not None:
                stmt = stmt.limit(limit)
            out = []
            for r in conn.execute(stmt):
                rev = Review(r.finding_key, r.status, r.comment, r.reviewer, r.reviewed_at) if r.finding_key else None
                out.append(FindingRow(r.id, r.key, r.report_id, r.code, r.severity, r.message, json.loads(r.where_json),
                                      r.scope, r.agency, r.year, r.source_path, rev))
            return out

    def failures(self, since: datetime | None = None, *, last: int | None = None) -> list[FailureRow]:
        """Files that could not be read (with the current or an older parser), newest last; with
        `last`, only the newest so many."""
        F = S.failures
        stmt = sa.select(F.c.path, F.c.sha256, F.c.parser_version, F.c.reason, F.c.message, F.c.failed_at)
        if since is not None:
            stmt = stmt.where(F.c.failed_at >= since)
        with self.engine.connect() as conn:
            if last is not None:
                rows = conn.execute(stmt.order_by(F.c.failed_at.desc(), F.c.path.desc()).limit(last)).all()
                return [FailureRow(*r) for r in reversed(rows)]
            return [FailureRow(*r) for r in conn.execute(stmt.order_by(F.c.failed_at, F.c.path))]

    def iter_reports(self, batch: int = 500, *, values_only: bool = False, **filters) -> Iterator[tuple[ReportSummary, list[tuple]]]:
        """Every matching report with its cells (table_key, row_id, col_id, value, status, raw,
        line, page, doc_table, doc_row, doc_cell, confidence), in id order, `batch` reports per
        query: what the exports stream from, in constant memory.  `values_only` fetches only
        (table_key, row_id, col_id, value) of the cells that hold a number (the wide export)."""
        R = S.reports
        last = 0
        while True:
            with self.engine.connect() as conn:
                stmt = (sa.select(*[R.c[c] for c in _SUMMARY_COLUMNS]).where(*self._where(conn, filters), R.c.id > last)
                        .order_by(R.c.id).limit(batch))
                summaries = [ReportSummary(**r._mapping) for r in conn.execute(stmt)]
                if not summaries:
                    return
                cells = self._cells_by_report(conn, [s.id for s in summaries], values_only=values_only)
            for s in summaries:
                yield s, [c[:3] + (number(c[3]),) + c[4:] for c in cells.get(s.id, ())]
            last = summaries[-1].id

    # ---- statistics -----------------------------------------------------------------------------

    def stats(self, by: str | None = None, *, all_versions: bool = False, **filters) -> Stats:
        """Store.compute_stats, cached in the database until the next write (so `xxgk stats` and
        every desk process share it); the answer is the same either way (compute_stats checks `by`)."""
        key = json.dumps([by, all_versions, sorted(filters.items())], ensure_ascii=False, default=str)
        C = S.stats_cache
        with self.engine.connect() as conn:
            gen = self.generation(conn)
            body = conn.execute(sa.select(C.c.body).where(C.c.key == key, C.c.generation == gen)).scalar()
        if body is not None:
            return Stats.from_json(json.loads(body, parse_float=Decimal))
        result = self.compute_stats(by, all_versions=all_versions, **filters)
        body = json.dumps(result.to_json(), ensure_ascii=False)
        try:
            with self.engine.begin() as conn:
                if self.generation(conn) == gen:  # not if a write came in meanwhile
                    conn.execute(C.delete().where(C.c.key == key))
                    conn.execute(C.insert().values(key=key, generation=gen, body=body))
        except sa.exc.IntegrityError:
            pass  # another process cached the same answer first
        return result

    def compute_stats(self, by: str | None = None, *, all_versions: bool = False, **filters) -> Stats:
        """Totals and rates over the reports matching the filters, overall or per `by` (one of
        STAT_DIMENSIONS).  Totals sum the Table 3 总计 column and the Table 4 blocks over every
        report that states them (a blank adds nothing); shares are of requests processed
        (（七）总计); correction rates are 结果纠正 over concluded cases (维持 + 纠正 + 其他).

        One organ's report for one year counts once: when the corpus holds several files for the
        same agency key and year (the PDF and the web page of one report, or a corrected
        re-publication), only one is counted — the one without errors, else the latest stored —
        and the others are counted in `Stats.duplicates`.  `all_versions` counts every file."""
        if by is not None and by not in STAT_DIMENSIONS:
            raise ValueError(f"by must be one of {STAT_DIMENSIONS}")
        # one narrow table kept at ingest (xxgk.store.totals): no scan of the cells, nor of reports
        Tt, F = S.report_totals, S.findings
        dim = Tt.c.agency_key if by == "agency" else (Tt.c[by] if by else sa.literal(None))
        groups: dict[Any, StatsGroup] = {}
        group = _group_getter(groups)

        severities: dict[str, str] = {}
        with self.engine.connect() as conn:
            conds = self._where(conn, filters, Tt)
            base = [Tt.c.is_report, *conds]
            duplicates = 0
            if not all_versions:
                duplicates = conn.execute(
                    sa.select(sa.func.count()).select_from(Tt).where(*base, sa.not_(Tt.c.counted))).scalar_one()
                if duplicates:
                    base.append(Tt.c.counted)
            sel = sa.select(dim, sa.func.count(), sa.func.sum(sa.case((Tt.c.has_errors, 1), else_=0)),
                            *[sa.func.sum(Tt.c[t]) for t in TOTALS]).where(*base).group_by(dim)
            for k, n, e, *sums in conn.execute(sel):
                g = group(k)
                g.reports, g.with_errors = n, int(e or 0)
                for t, v in zip(TOTALS, sums):
                    v = number(v)
                    if v is not None:
                        g.totals[t] += v
            _count_findings(conn, dim, F.join(Tt, Tt.c.report_id == F.c.report_id), base, group, severities)
            not_reports = conn.execute(
                sa.select(sa.func.count()).select_from(Tt).where(sa.not_(Tt.c.is_report), *conds)).scalar_one()
        return self._finish_stats(by, groups, not_reports, severities, duplicates)

    def _compute_stats_scan(self, by: str | None = None, *, all_versions: bool = False, **filters) -> Stats:
        """compute_stats as it was before the totals table: summing the cells and ranking the
        files of each organ-year on every call.  Kept as the reference the tests compare the
        totals table with (it reads the whole cells table: not for requests)."""
        if by is not None and by not in STAT_DIMENSIONS:
            raise ValueError(f"by must be one of {STAT_DIMENSIONS}")
        R, C, F = S.reports, S.cells, S.findings
        dim = R.c.agency_key if by == "agency" else (R.c[by] if by else sa.literal(None))
        groups: dict[Any, StatsGroup] = {}
        extra_versions = _extra_versions()
        group = _group_getter(groups)

        severities: dict[str, str] = {}
        with self.engine.connect() as conn:
            conds = self._where(conn, filters)
            base = [R.c.is_report, *conds]
            duplicates = 0
            if not all_versions:
                duplicates = conn.execute(
                    sa.select(sa.func.count()).select_from(R).where(*base, R.c.id.in_(extra_versions))).scalar_one()
                if duplicates:
                    base.append(R.c.id.not_in(extra_versions))
            for k, n, e in conn.execute(
                sa.select(dim, sa.func.count(), sa.func.sum(sa.case((R.c.has_errors, 1), else_=0)))
                .where(*base).group_by(dim)
            ):
                g = group(k)
                g.reports, g.with_errors = n, int(e or 0)
            cell_sel = (
                sa.select(dim, C.c.table_key, C.c.row_id, C.c.col_id, sa.func.sum(C.c.value))
                .select_from(C.join(R, R.c.id == C.c.report_id))
                .where(*base, sa.or_(sa.and_(C.c.table_key == "requests", C.c.col_id == "total"), C.c.table_key == "appeals"))
                .group_by(dim, C.c.table_key, C.c.row_id, C.c.col_id)
            )
            for k, table, row, col, total in conn.execute(cell_sel):
                _add_cell(group(k).totals, table, row, col, number(total))
            _count_findings(conn, dim, F.join(R, R.c.id == F.c.report_id), base, group, severities)
            not_reports = conn.execute(
                sa.select(sa.func.count()).select_from(R).where(sa.not_(R.c.is_report), *conds)).scalar_one()
        return self._finish_stats(by, groups, not_reports, severities, duplicates)

    def _finish_stats(self, by: str | None, groups: dict[Any, StatsGroup], not_reports: int,
                      severities: dict[str, str], duplicates: int) -> Stats:
        """The groups summed by a stats query → Stats: organs merged (by agency), rates, order."""
        if by == "agency":
            groups = self._merge_agency_groups(groups)
        for g in groups.values():
            g.rates = _rates(g.totals)
        ordered = sorted(groups.values(), key=lambda g: (g.key is None, str(g.key) if g.key is not None else ""))
        return Stats(by, ordered, not_reports, dict(sorted(severities.items())), duplicates)

    @staticmethod
    def _merge_agency_groups(groups: dict[Any, StatsGroup]) -> dict[Any, StatsGroup]:
        """Per agency key → per organ: keys of one organ (古塔镇, 榆阳区古塔镇) add up."""
        by_base: dict[str, list[str]] = defaultdict(list)
        for k in groups:
            if k:
                by_base[base_name(k)].append(k)
        roots: dict[str, str] = {}
        for keys in by_base.values():
            roots.update(group_keys(keys))
        out: dict[Any, StatsGroup] = {}
        for k, g in groups.items():
            root = roots.get(k, k) if k else k
            tgt = out.setdefault(root, StatsGroup(root))
            tgt.reports += g.reports
            tgt.with_errors += g.with_errors
            for t, v in g.totals.items():
                tgt.totals[t] += v
            for c, n in g.findings.items():
                tgt.findings[c] = tgt.findings.get(c, 0) + n
            if k:
                tgt.keys.append(k)
        for g in out.values():
            g.keys.sort()
        return out

    # ---- one agency over the years --------------------------------------------------------------

    def history(self, agency: str) -> History:
        """One organ's reports side by side (every year stored, under any spelling of its name)
        with their cross-year findings."""
        with self.engine.connect() as conn:
            key, keys, candidates = self._agency_keys(conn, agency)
        if not keys:
            return History(agency, key, [], candidates, [], {}, [])
        R = S.reports
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(*[R.c[c] for c in _SUMMARY_COLUMNS]).where(R.c.agency_key.in_(keys))
                                .order_by(R.c.year, R.c.id)).all()
            reports = [ReportSummary(**r._mapping) for r in rows]
            cells = self._cells_by_report(conn, [r.id for r in reports])
        values: dict[tuple[str, str, str], dict[int, Any]] = defaultdict(dict)
        for r in reports:
            for c in cells.get(r.id, ()):
                values[(c[0], c[1], c[2])][r.id] = number(c[3])
        found = [f for f in self.findings(scope="corpus", ids=[r.id for r in reports])
                 if f.code not in _CONSOLIDATED_CODES]  # the org tree's comparison is not cross-year
        return History(agency, key, keys, candidates, reports, dict(values), found)
