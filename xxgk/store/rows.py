"""A parsed Report as the rows the corpus stores, and back.

`report_rows` runs in the ingest workers, so the main process only writes; `build_report` turns
stored rows back into the canonical model (xxgk.report.Report) for `Store.report` and the
cross-year checks.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterable, Mapping

from .. import PARSER_VERSION
from .. import template as T
from ..agency import describe
from ..report import Finding, Meta, Report, SectionText, Severity, Source, Value

# the order of the bulk-written columns
CELL_COLUMNS = (
    "report_id", "table_key", "row_id", "col_id", "value", "status", "raw",
    "line", "page", "doc_table", "doc_row", "doc_cell", "confidence",
)
FINDING_COLUMNS = ("report_id", "key", "code", "severity", "message", "where_json", "scope")


@dataclass(slots=True)
class ReportRows:
    """One report ready to be written: the `reports` row (without id), its cells (without
    report_id) and its findings (without report_id).  `pack` turns the cells into what the
    database driver takes in one call, so that the ingest's writer does no per-cell work."""

    report: dict[str, Any]
    cells: list[tuple]
    findings: list[tuple]
    packed: tuple | None = None  # ("sqlite", n, flat values) | ("postgresql", COPY text with RID marks)

    @property
    def sha256(self) -> str:
        return self.report["sha256"]

    def pack(self, dialect: str) -> "ReportRows":
        if dialect == "postgresql":
            lines = [_RID + b"\t" + b"\t".join(map(_copy_field, c)) + b"\n" for c in self.cells]
            self.packed = ("postgresql", b"".join(lines))
        else:
            self.packed = ("sqlite", len(self.cells), [v for c in self.cells for v in c])
        self.cells = []
        return self


_RID = b"\x01"  # stands for the report id in a packed COPY block; escaped wherever it occurs in data
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x01": "\\x01"})


def _copy_field(v) -> bytes:
    """A value in PostgreSQL's COPY text format."""
    if v is None:
        return b"\\N"
    if isinstance(v, str):
        return v.translate(_COPY_ESCAPES).encode()
    return str(v).encode()


def packed_cells_sql(n: int) -> str:
    """A multi-row INSERT of one report's n cells, the report id bound once as ?1 (SQLite)."""
    return _packed_sql(n)


@lru_cache(maxsize=512)
def _packed_sql(n: int) -> str:
    width = len(CELL_COLUMNS) - 1
    rows = []
    for i in range(n):
        base = 2 + i * width
        rows.append("(?1, " + ", ".join(f"?{base + j}" for j in range(width)) + ")")
    return f"INSERT INTO cells ({', '.join(CELL_COLUMNS)}) VALUES {', '.join(rows)}"


def number(v) -> int | Decimal | None:
    """A stored number as the model holds it: int when whole, else an exact Decimal (SQLite gives
    back floats, PostgreSQL Decimals with the column's scale)."""
    if v is None or type(v) is int:
        return v
    d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    if d == d.to_integral_value():
        return int(d)
    return d.normalize()


def _bind(v):
    """A model number as the database driver takes it (SQLite has no Decimal)."""
    return str(v) if isinstance(v, Decimal) else v


def where_json(where: dict[str, Any]) -> str:
    return json.dumps(where, ensure_ascii=False, sort_keys=True, default=str)


def _key_where(where: dict[str, Any]) -> dict[str, Any]:
    """`where` without what can change while the finding stays the same: the path of the
    previous year's file in a cross-year finding, of the subordinate reports in a consolidated one."""
    prev = where.get("previous")
    if isinstance(prev, dict) and "source" in prev:
        where = dict(where, previous={k: v for k, v in prev.items() if k != "source"})
    parts = where.get("parts")  # CONSOLIDATED_MISMATCH: the subordinate reports' paths, likewise
    if isinstance(parts, list) and any(isinstance(p, dict) and "source" in p for p in parts):
        where = dict(where, parts=[{k: v for k, v in p.items() if k != "source"} if isinstance(p, dict) else p
                                   for p in parts])
    return where


def finding_keys(sha256: str, items: Iterable[tuple[str, dict[str, Any]]]) -> list[str]:
    """Stable keys of a report's findings, given (code, where) for each in order: sha1 of the
    file's sha256, the code, the canonical `where`, and the finding's rank among identical
    (code, where) pairs.  Re-ingesting the same file gives the same keys, so reviews stay attached."""
    seen: dict[str, int] = {}
    out = []
    for code, where in items:
        base = f"{sha256}\x1f{code}\x1f{where_json(_key_where(where))}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(hashlib.sha1((base + (f"\x1f{n}" if n else "")).encode()).hexdigest())
    return out


def finding_rows(sha256: str, findings: list[Finding], scope: str) -> list[tuple]:
    keys = finding_keys(sha256, ((f.code, f.where) for f in findings))
    return [
        (key, f.code, f.severity.value, f.message, where_json(f.where), scope)
        for key, f in zip(keys, findings)
    ]


def report_rows(report: Report, parser_version: str = PARSER_VERSION) -> ReportRows:
    src, meta = report.source, report.meta
    lines = [meta.title or ""] + report.lines[:40]
    info = describe(meta.agency, lines)
    counts = {s: 0 for s in Severity}
    for f in report.findings:
        counts[f.severity] += 1
    row = {
        "sha256": src.sha256,
        "parser_version": parser_version,
        "source_path": src.path,
        "source_name": src.name,
        "format": src.format,
        "encoding": src.encoding,
        "layout": src.layout,
        "size": src.size,
        "pages": src.pages,
        "template": report.template,
        "template_detected": report.template_detected,
        "is_report": report.is_report,
        "found_tables": ",".join(k for k in T.TABLE_KEYS if k in report.found_tables),
        "agency": meta.agency,
        "agency_key": info.key,
        "agency_base": info.base,
        "level": info.level,
        "kind": info.kind,
        "region": info.region,
        "province": info.province,
        "prefecture": info.prefecture,
        "county": info.county,
        "township": info.township,
        "year": meta.year,
        "title": meta.title,
        "title_year": meta.title_year,
        "period_year": meta.period_year,
        "body_year": meta.body_year,
        **meta_provenance_row(meta),
        "has_errors": counts[Severity.ERROR] > 0,
        "n_errors": counts[Severity.ERROR],
        "n_warnings": counts[Severity.WARNING],
        "n_infos": counts[Severity.INFO],
        "sections": json.dumps(
            [{"number": s.number, "title": s.title, "line": s.line, "end_line": s.end_line, "text": s.text}
             for s in report.sections],
            ensure_ascii=False,
        ),
        "lines_z": pack_lines(report.lines),
    }
    cells = []
    for key, rows in report.tables.items():
        for row_id, cols in rows.items():
            for col_id, v in cols.items():
                if v.status == "missing":  # not found: no row (a blank cell is stored, value NULL)
                    continue
                t, r, c = v.cell if v.cell is not None else (None, None, None)
                cells.append((key, row_id, col_id, _bind(v.value), v.status, v.raw, v.line, v.page, t, r, c, v.confidence))
    return ReportRows(row, cells, finding_rows(src.sha256, report.findings, "report"))


@lru_cache(maxsize=None)
def _skeleton(template_id: str) -> tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...]:
    return tuple((t.key, tuple((r.id, r.columns) for r in t.rows)) for t in T.get(template_id).tables)


_ABSENT = Value()  # shared by the cells a quick model lacks; never handed out by the public API


def build_report(row: Mapping[str, Any], cells: Iterable[tuple], findings: Iterable[tuple] = (), *,
                 quick: bool = False) -> Report:
    """The canonical model from stored rows: `row` a reports row (mapping), `cells` tuples
    (table_key, row_id, col_id, value, status, raw, line, page, doc_table, doc_row, doc_cell,
    confidence) — or only the first five (or six, with raw) for a `quick` model of the values, whose absent cells
    share one Value (for the checks, which only read) — and `findings` tuples (code, severity,
    message, where_json)."""
    tables = {tk: {rid: dict.fromkeys(cols, _ABSENT) for rid, cols in rows} for tk, rows in _skeleton(row["template"])}
    for c in cells:
        try:
            cols = tables[c[0]][c[1]]
        except KeyError:
            continue  # a row the template no longer declares
        if c[2] not in cols:
            continue
        v = c[3] if type(c[3]) is int else number(c[3])
        if len(c) == 5:
            cols[c[2]] = Value(v, c[4])
        elif len(c) == 6:  # a quick model with the raw text (the cross-year pass)
            cols[c[2]] = Value(v, c[4], c[5])
        else:
            cols[c[2]] = Value(v, c[4], c[5], c[6], c[7], (c[8], c[9], c[10]) if c[8] is not None else None, c[11])
    if not quick:
        for rows in tables.values():
            for cols in rows.values():
                for k, v in cols.items():
                    if v is _ABSENT:
                        cols[k] = Value()
    rep = Report(template=row["template"], tables=tables)
    rep.template_detected = bool(row["template_detected"])
    rep.is_report = bool(row["is_report"])
    rep.found_tables = set(filter(None, (row["found_tables"] or "").split(",")))
    rep.source = Source(
        path=row["source_path"], name=row["source_name"], format=row["format"], encoding=row["encoding"],
        layout=row["layout"], sha256=row["sha256"], size=row["size"], pages=row["pages"],
    )
    rep.meta = Meta(
        agency=row["agency"], year=row["year"], title=row["title"], title_year=row["title_year"],
        period_year=row["period_year"], body_year=row["body_year"],
    )
    if "agency_source" in row.keys():
        meta_provenance_from_row(rep.meta, row)
    for code, severity, message, wj in findings:
        rep.findings.append(Finding(code, Severity(severity), message, json.loads(wj)))
    if "sections" in row.keys() and row["sections"]:
        rep.sections = [SectionText(**s) for s in json.loads(row["sections"])]
    if "lines_z" in row.keys() and row["lines_z"]:
        rep.lines = unpack_lines(row["lines_z"])
    return rep


def meta_provenance_row(meta: Meta) -> dict[str, Any]:
    """The reports columns that say where the agency and the year came from."""
    out: dict[str, Any] = {}
    for what in ("agency", "year"):
        span = getattr(meta, f"{what}_span")
        out[f"{what}_source"] = getattr(meta, f"{what}_source")
        out[f"{what}_raw"] = getattr(meta, f"{what}_raw")
        out[f"{what}_line"] = getattr(meta, f"{what}_line")
        out[f"{what}_start"], out[f"{what}_end"] = span if span else (None, None)
    out["agency_beat"] = json.dumps([list(b) for b in meta.agency_beat], ensure_ascii=False) if meta.agency_beat else None
    return out


def meta_provenance_from_row(meta: Meta, row: Mapping[str, Any]) -> None:
    for what in ("agency", "year"):
        setattr(meta, f"{what}_source", row[f"{what}_source"])
        setattr(meta, f"{what}_raw", row[f"{what}_raw"])
        setattr(meta, f"{what}_line", row[f"{what}_line"])
        start, end = row[f"{what}_start"], row[f"{what}_end"]
        setattr(meta, f"{what}_span", (start, end) if start is not None and end is not None else None)
    beat = row["agency_beat"]
    meta.agency_beat = tuple(tuple(b) for b in json.loads(beat)) if beat else ()


def pack_lines(lines: list[str]) -> bytes | None:
    """The document lines as stored (zlib: a report's text is ~3× smaller)."""
    return zlib.compress("\n".join(lines).encode("utf-8"), 6) if lines else None


def unpack_lines(blob: bytes | None) -> list[str]:
    return zlib.decompress(blob).decode("utf-8").split("\n") if blob else []


def cell_ids(template_ids: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """Every canonical cell (table, row, column) of the given templates (default: all, newest
    first), each once, in reading order — the columns of a wide export."""
    ids = list(T.TEMPLATES) if template_ids is None else list(template_ids)
    ids.sort(key=lambda t: t != T.LATEST)
    out: dict[tuple[str, str, str], None] = {}
    for tid in ids:
        tpl = T.get(tid)
        for table in tpl.tables:
            for row, col in table.cells():
                out.setdefault((table.key, row.id, col.id), None)
    return list(out)


def cell_label(table_key: str, row_id: str, col_id: str) -> str:
    """The Chinese header of a canonical cell, from the declaration: 表三·（一）予以公开·总计,
    表三·（三）不予公开·1.属于国家秘密·自然人."""
    for tid in sorted(T.TEMPLATES, key=lambda t: t != T.LATEST):
        tpl = T.get(tid)
        if table_key not in tpl.table_keys:
            continue
        table = tpl.table(table_key)
        try:
            row, col = table.row(row_id), table.column(col_id)
        except KeyError:
            continue
        group = next((g for g in table.groups if g.id == row.group and g.parent), None)
        parts = [table.name] + ([group.label] if group else []) + [row.name, col.label]
        return "·".join(parts)
    return f"{table_key}.{row_id}.{col_id}"
