"""The canonical model of one annual report, and its JSON form (schema ``xxgk.report/1``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from . import template as T

SCHEMA = "xxgk.report/1"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(slots=True)
class Value:
    """One cell of a canonical table: its number (None = blank or unknown) and where it came from.

    status: "read" a number read from the source; "blank" the cell is there but empty (/, -, 无);
    "inferred" the number was placed by the accounting identities (the source row lacked a cell);
    "missing" the row or cell was not found; "unplaced" the row was found but its numbers could
    not be placed with certainty; "doubtful" read, but with low recognition confidence;
    "split" cut out of a run of digits printed without separators (raw: the run), every split
    consistent with the template agreeing on it; "ambiguous" such a cell the splits disagree on
    (null, flagged CELL_AMBIGUOUS) — see xxgk/extract/split.py.
    """

    value: int | Decimal | None = None
    status: str = "missing"
    raw: str | None = None
    line: int | None = None
    page: int | None = None
    cell: tuple[int, int, int] | None = None  # (document table, row, cell) indices, 0-based
    confidence: float | None = None
    bbox: tuple[float, float, float, float] | None = None  # cell box on its page (PDF points / image pixels scaled to points)
    # how the reader decided the value when it was not simply the cell under its header, e.g.
    # "position" (an empty slot of the printed grid), "sum" (sub-rows added), "unit" (converted)
    how: str | None = None

    def provenance(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        for key in ("raw", "line", "page", "confidence", "how"):
            v = getattr(self, key)
            if v is not None:
                out[key] = round(v, 4) if key == "confidence" else v
        if self.cell is not None:
            out["table"], out["row"], out["cell"] = self.cell
        if self.bbox is not None:
            out["bbox"] = [round(x, 1) for x in self.bbox]
        return out


@dataclass(slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    where: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity.value, "message": self.message, "where": self.where}


@dataclass
class SectionText:
    number: int
    title: str  # the heading as found in the document
    line: int  # 1-based line of the heading
    end_line: int  # last line of the section (inclusive)
    text: str
    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, text) of the prose


@dataclass(frozen=True)
class Quantity:
    """A number stated in the prose: 3条, 十二件, 100余条 (approximate)."""

    value: int
    unit: str
    approximate: bool
    start: int  # offset in the sentence
    end: int


@dataclass
class Claim:
    """A sentence that restates table cells: the sum of `cells` should equal `value`."""

    cells: tuple[tuple[str, str, str], ...]  # (table, row, column)
    value: int
    what: str  # Chinese name of what is stated, e.g. "收到政府信息公开申请"
    sentence: str
    line: int | None
    section: int | None


@dataclass
class SumClaim:
    """A stated total with its listed parts: 公开信息3条，其中A类0条，B类4条，C类3条."""

    total: Quantity
    parts: list[Quantity]
    sentence: str
    line: int | None
    section: int | None


@dataclass
class Meta:
    agency: str | None = None
    year: int | None = None
    title: str | None = None
    # where the year was stated; YEAR_MISMATCH compares them
    title_year: int | None = None
    period_year: int | None = None
    body_year: int | None = None
    body_years: frozenset[int] = frozenset()  # every year the opening prose names
    period: str | None = None  # the statistical-period sentence, as found
    title_line: int | None = None
    period_line: int | None = None
    # provenance of the agency and the year: which source stated them (title, compiled, opening,
    # page_title, file_name, e_version, contact, publisher / title, period, page_title, file_name,
    # body) and on which line of the document (None for the page title and the file name)
    agency_source: str | None = None
    agency_line: int | None = None
    year_source: str | None = None
    year_line: int | None = None
    # the text each was taken from, verbatim (the statement, the title, the page title, the file
    # name), and where it sits in its document line: (start, end) character offsets, end exclusive
    agency_raw: str | None = None
    agency_span: tuple[int, int] | None = None
    year_raw: str | None = None
    year_span: tuple[int, int] | None = None
    # the other statements of the agency that were found and lost: (source, name, line)
    agency_beat: tuple[tuple[str, str, int | None], ...] = ()

    def provenance(self) -> dict[str, Any]:
        """Where the agency and the year came from, shaped like a cell's provenance: the source
        (null when nothing stated it), the raw text, its line and span, the statements it beat."""
        agency = _where(self.agency_source, self.agency_raw, self.agency_line, self.agency_span)
        if self.agency_beat:
            agency["beat"] = [{"source": s, "agency": n, **({"line": ln} if ln is not None else {})}
                              for s, n, ln in self.agency_beat]
        year = _where(self.year_source, self.year_raw, self.year_line, self.year_span)
        chosen = {"title": "title", "page_title": "title", "period": "period", "body": "body"}.get(self.year_source or "")
        beat = [{"source": s, "year": y} for s, y in (("title", self.title_year), ("period", self.period_year),
                                                       ("body", self.body_year)) if y is not None and s != chosen]
        if beat and self.year_source is not None:
            year["beat"] = beat
        return {"agency": agency, "year": year}


def _where(source: str | None, raw: str | None, line: int | None, span: tuple[int, int] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"source": source}
    if raw is not None:
        out["raw"] = raw
    if line is not None:
        out["line"] = line
    if span is not None:
        out["span"] = list(span)
    return out


@dataclass
class Source:
    path: str | None = None
    name: str | None = None
    format: str | None = None
    encoding: str | None = None
    layout: str | None = None
    sha256: str | None = None
    size: int | None = None
    pages: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class Report:
    template: str  # template id
    template_detected: bool = True
    source: Source = field(default_factory=Source)
    meta: Meta = field(default_factory=Meta)
    tables: dict[str, dict[str, dict[str, Value]]] = field(default_factory=dict)
    found_tables: set[str] = field(default_factory=set)  # table keys present in the source
    sections: list[SectionText] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # remarks of the extractor that the checks turn into findings (code, message, where)
    notes: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    is_report: bool = True
    lines: list[str] = field(default_factory=list)  # document text lines, for quoting
    line_pages: list[int | None] = field(default_factory=list)  # page of each line (PDF, scans; else empty)
    claims: list[Claim] = field(default_factory=list)  # prose restating table cells
    sums: list[SumClaim] = field(default_factory=list)  # prose totals with their parts

    @classmethod
    def empty(cls, template_id: str) -> "Report":
        tpl = T.get(template_id)
        tables = {t.key: {r.id: {c: Value() for c in r.columns} for r in t.rows} for t in tpl.tables}
        return cls(template=template_id, tables=tables)

    @property
    def spec(self) -> T.Template:
        return T.get(self.template)

    def value(self, table: str, row: str, col: str) -> int | Decimal | None:
        return self.tables[table][row][col].value

    def section(self, number: int) -> SectionText | None:
        for s in self.sections:
            if s.number == number:
                return s
        return None

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    # ---- JSON ------------------------------------------------------------------------------

    def to_json(self, *, provenance: bool = True, sections: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "source": self.source.to_json(),
            "template": self.template,
            "meta": {"agency": self.meta.agency, "year": self.meta.year, "title": self.meta.title},
        }
        for key in T.TABLE_KEYS:
            out[key] = {row: {col: v.value for col, v in cols.items()} for row, cols in self.tables[key].items()}
        out["findings"] = [f.to_json() for f in self.findings]
        if sections:
            out["sections"] = [
                {"number": s.number, "title": s.title, "line": s.line, "end_line": s.end_line, "text": s.text}
                for s in self.sections
            ]
        if provenance:
            out["provenance"] = {
                f"{key}.{row}.{col}": v.provenance()
                for key in T.TABLE_KEYS
                for row, cols in self.tables[key].items()
                for col, v in cols.items()
                if v.status != "missing"
            }
        out["meta"]["template_detected"] = self.template_detected
        out["meta"]["years"] = {"title": self.meta.title_year, "period": self.meta.period_year, "body": self.meta.body_year}
        if provenance:
            out["meta"]["provenance"] = self.meta.provenance()
        return out

    def dumps(self, **kw) -> str:
        return json.dumps(self.to_json(**kw), ensure_ascii=False, default=_json_default)


def _json_default(o):
    if isinstance(o, Decimal):
        return float(o) if o != o.to_integral_value() else int(o)
    raise TypeError(type(o).__name__)


def from_json(data: dict[str, Any]) -> "Report":
    """A Report from the canonical JSON (values and meta; provenance kept where present)."""
    template_id = data.get("template") or T.LATEST
    rep = Report.empty(template_id)
    src = data.get("source") or {}
    rep.source = Source(**{k: v for k, v in src.items() if k in Source.__dataclass_fields__})
    meta = data.get("meta") or {}
    rep.meta = Meta(agency=meta.get("agency"), year=meta.get("year"), title=meta.get("title"))
    mp = meta.get("provenance") or {}
    for what in ("agency", "year"):
        p = mp.get(what) or {}
        span = p.get("span")
        setattr(rep.meta, f"{what}_source", p.get("source"))
        setattr(rep.meta, f"{what}_raw", p.get("raw"))
        setattr(rep.meta, f"{what}_line", p.get("line"))
        setattr(rep.meta, f"{what}_span", tuple(span) if span else None)
    rep.meta.agency_beat = tuple((b.get("source"), b.get("agency"), b.get("line")) for b in (mp.get("agency") or {}).get("beat") or ())
    prov = data.get("provenance") or {}
    for key in T.TABLE_KEYS:
        for row, cols in (data.get(key) or {}).items():
            if row not in rep.tables[key]:
                continue
            for col, v in cols.items():
                if col not in rep.tables[key][row]:
                    continue
                p = prov.get(f"{key}.{row}.{col}", {})
                val = Decimal(str(v)) if isinstance(v, float) else v
                status = p.get("status") or ("read" if v is not None else "blank")
                rep.tables[key][row][col] = Value(val, status, p.get("raw"), p.get("line"), p.get("page"), how=p.get("how"))
        if data.get(key):
            rep.found_tables.add(key)
    for f in data.get("findings") or []:
        rep.findings.append(Finding(f["code"], Severity(f["severity"]), f["message"], f.get("where") or {}))
    return rep
