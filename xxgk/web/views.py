"""What the report page shows, computed from the canonical model: the national tables as the
grids of xxgk.form with each value cell's status and findings, the narrative with the sentences
findings quote marked, and a cell's source lines.  Plain data; the templates escape every string."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from .. import form
from .. import template as T
from ..report import Report, Value

Slot = tuple[str, str, str]

STATUS_CN = {
    "read": "读取",
    "blank": "空白",
    "inferred": "按勾稽关系推定",
    "unplaced": "无法确定位置",
    "doubtful": "识别存疑",
    "split": "连写数字拆分",
    "ambiguous": "连写数字拆法不唯一",
    "missing": "未找到",
}
SEVERITY_CN = {"error": "错误", "warning": "警告", "info": "提示"}
REVIEW_CN = {"confirmed": "已确认", "dismissed": "已驳回"}


def slot_id(slot: Slot) -> str:
    return ".".join(slot)


def parse_slot(text: str) -> Slot | None:
    parts = text.split(".")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 and all(parts) else None


def finding_slots(report: Report, where: dict[str, Any]) -> set[Slot]:
    """The table cells a finding is about, from its `where` (table/row/column, rows, columns, cells)."""
    out: set[Slot] = set()
    for c in where.get("cells") or ():
        s = parse_slot(str(c))
        if s:
            out.add(s)
    table = where.get("table")
    if table not in report.tables:
        return out
    cells = report.tables[table]
    rows = [where["row"]] if where.get("row") else list(where.get("rows") or ())
    cols = [where["column"]] if where.get("column") else list(where.get("columns") or ())
    if not rows and cols:
        rows = list(cells)
    if rows and not cols:
        cols = sorted({c for r in rows for c in cells.get(r, {})})
    for r in rows:
        for c in cols:
            if c in cells.get(r, {}):
                out.add((table, r, c))
    return out


@dataclass
class CellView:
    text: str
    rowspan: int
    colspan: int
    role: str
    slot: str | None = None
    status: str | None = None
    findings: list[int] = field(default_factory=list)  # indexes into the page's findings
    severity: str | None = None  # the worst severity among them
    tip: str = ""


@dataclass
class TableView:
    key: str
    name: str
    title: str
    found: bool
    rows: list[list[CellView]]
    findings: list[int]  # findings about the whole table (MISSING_TABLE)


_RANK = {"error": 0, "warning": 1, "info": 2}


def _worst(sevs: Iterable[str]) -> str | None:
    s = sorted(sevs, key=lambda v: _RANK.get(v, 9))
    return s[0] if s else None


def table_views(report: Report, findings: list[dict[str, Any]]) -> list[TableView]:
    """The three national tables, value cells annotated.  `findings`: dicts with `where` and `severity`."""
    by_slot: dict[Slot, list[int]] = {}
    whole: dict[str, list[int]] = {}
    for i, f in enumerate(findings):
        where = f.get("where") or {}
        slots = finding_slots(report, where)
        for s in slots:
            by_slot.setdefault(s, []).append(i)
        if not slots and where.get("table") in report.tables:
            whole.setdefault(where["table"], []).append(i)
    tpl = report.spec

    def get(t, r, c):
        return report.tables[t][r][c].value

    out = []
    for key, grid in form.grids(tpl, get).items():
        table = tpl.table(key)
        rows = []
        for grid_row in grid.rows:
            row = []
            for cell in grid_row:
                view = CellView(cell.text, cell.rowspan, cell.colspan, cell.role)
                if cell.slot is not None:
                    v: Value = report.tables[cell.slot[0]][cell.slot[1]][cell.slot[2]]
                    view.slot = slot_id(cell.slot)
                    view.status = v.status
                    view.findings = by_slot.get(cell.slot, [])
                    view.severity = _worst(findings[i]["severity"] for i in view.findings)
                    tip = [STATUS_CN.get(v.status, v.status)]
                    if v.line:
                        tip.append(f"第{v.line}行")
                    if v.raw is not None and v.raw != cell.text:
                        tip.append(f"原文“{v.raw}”")
                    view.tip = "，".join(tip)
                row.append(view)
            rows.append(row)
        out.append(TableView(key, table.name, table.title, key in report.found_tables, rows, whole.get(key, [])))
    return out


# ---- the narrative ----------------------------------------------------------------------------

_QUOTE = re.compile(r"“([^”]+)”")


def quotes(message: str) -> list[str]:
    """The text a finding's message quotes (a quote cut with … is matched by its head)."""
    out = []
    for q in _QUOTE.findall(message):
        q = q.strip().rstrip("…").strip()
        if q:
            out.append(q)
    return out


def _find(paras: list[tuple[int | None, str]], quote: str) -> list[tuple[int, int, int]]:
    """(paragraph, start, end) of a quote: found whole in one paragraph, or — a quote that joined
    several lines with spaces — piece by piece.  A short piece (under 4 characters, e.g. “无”)
    only counts when it is the whole paragraph, not when it occurs inside another word."""
    def spots(q):
        out = []
        for k, (_, text) in enumerate(paras):
            if len(q) < 4:
                if text.strip() == q:
                    out.append((k, 0, len(text)))
            else:
                pos = text.find(q)
                if pos >= 0:
                    out.append((k, pos, pos + len(q)))
        return out

    hits = spots(quote)
    if hits or " " not in quote:
        return hits
    return [h for piece in quote.split() for h in spots(piece)]


@dataclass
class Segment:
    text: str
    marks: list[int] = field(default_factory=list)  # finding indexes quoting this text


@dataclass
class Paragraph:
    line: int | None
    segments: list[Segment]

    @property
    def marked(self) -> bool:
        return any(s.marks for s in self.segments)


@dataclass
class SectionView:
    number: int
    title: str
    line: int
    paragraphs: list[Paragraph]
    findings: list[int]


def _numbered(section, lines: list[str] | None) -> list[tuple[int | None, str]]:
    """The section's prose lines with their line numbers, recovered from the document lines when
    the store has them (the section text is the non-table lines of the section, in order)."""
    body = [t for t in section.text.split("\n") if t.strip()]
    if not lines:
        return [(None, t) for t in body]
    out: list[tuple[int | None, str]] = []
    k = 0
    for no in range(section.line + 1, min(section.end_line, len(lines)) + 1):
        if k < len(body) and lines[no - 1].strip() == body[k]:
            out.append((no, body[k]))
            k += 1
    return out + [(None, t) for t in body[k:]]


def _mark(text: str, spans: list[tuple[int, int, int]]) -> list[Segment]:
    """Cut `text` into segments at the spans (start, end, finding index)."""
    if not spans:
        return [Segment(text)]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    segs = []
    for a, b in zip(cuts, cuts[1:]):
        marks = sorted({i for s, e, i in spans if s <= a and b <= e})
        if segs and segs[-1].marks == marks:
            segs[-1].text += text[a:b]
        else:
            segs.append(Segment(text[a:b], marks))
    return segs


def section_views(report: Report, findings: list[dict[str, Any]], lines: list[str] | None = None) -> list[SectionView]:
    out = []
    for sec in report.sections:
        paras = _numbered(sec, lines)
        spans: dict[int, list[tuple[int, int, int]]] = {}
        about: list[int] = []
        for i, f in enumerate(findings):
            where = f.get("where") or {}
            in_section = where.get("section") == sec.number
            line = where.get("line")
            in_lines = line is not None and sec.line <= line <= sec.end_line
            if not (in_section or in_lines):
                continue
            about.append(i)
            # a line that is one of the section's paragraphs narrows the search to it
            own = [k for k, (no, _) in enumerate(paras) if line is not None and no == line]
            scope = [paras[k] if k in own or not own else (None, "") for k in range(len(paras))]
            hit = False
            for q in quotes(f.get("message", "")):
                for k, a, b in _find(scope, q):
                    spans.setdefault(k, []).append((a, b, i))
                    hit = True
            if not hit:  # nothing quoted was found: mark the whole line it names
                for k in own:
                    spans.setdefault(k, []).append((0, len(paras[k][1]), i))
        out.append(SectionView(
            sec.number, sec.title, sec.line,
            [Paragraph(no, _mark(text, spans.get(k, []))) for k, (no, text) in enumerate(paras)],
            about,
        ))
    return out


# ---- a cell's source --------------------------------------------------------------------------


def cell_source(report: Report, slot: Slot, lines: list[str] | None, context: int = 3) -> dict[str, Any] | None:
    """Where one cell's number came from: its provenance and the source lines around it."""
    table, row, col = slot
    try:
        v = report.tables[table][row][col]
    except KeyError:
        return None
    spec = report.spec.table(table)
    out: dict[str, Any] = {
        "slot": slot_id(slot),
        "table": table, "row": row, "column": col,
        "label": f"{spec.name}「{spec.row(row).name}」{spec.column(col).label}",
        "value": form.fmt(v.value) if v.value is not None else None,
        "status": v.status,
        "status_cn": STATUS_CN.get(v.status, v.status),
        "raw": v.raw,
        "line": v.line,
        "page": v.page,
        "confidence": v.confidence,
        "context": [],
    }
    if v.cell is not None:
        out["document_cell"] = {"table": v.cell[0], "row": v.cell[1], "cell": v.cell[2]}
    if lines and v.line and 1 <= v.line <= len(lines):
        lo, hi = max(1, v.line - context), min(len(lines), v.line + context)
        out["context"] = [{"line": n, "text": lines[n - 1], "current": n == v.line} for n in range(lo, hi + 1)]
    return out


# ---- where the agency and the year came from ----------------------------------------------------


def _quote(text: str | None, limit: int = 60) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def meta_sources(report: Report) -> dict[str, Any]:
    """The agency's and the year's source in Chinese: 机关名称来源：联系方式「请与…联系」（第12行）.
    `known` is False for a report stored before sources were recorded (a name, no source)."""
    from ..extract.meta import AGENCY_SOURCES_CN, YEAR_SOURCES_CN

    m = report.meta
    out: dict[str, Any] = {}
    for what, value, source, raw, line, names in (
        ("agency", m.agency, m.agency_source, m.agency_raw, m.agency_line, AGENCY_SOURCES_CN),
        ("year", m.year, m.year_source, m.year_raw, m.year_line, YEAR_SOURCES_CN),
    ):
        out[what] = {
            "found": value is not None,
            "known": source is not None,
            "source": source,
            "label": names.get(source or "", source),
            "raw": _quote(raw),
            "line": line,
        }
    out["agency"]["beat"] = [
        {"label": AGENCY_SOURCES_CN.get(s, s), "name": n, "line": ln} for s, n, ln in m.agency_beat
    ]
    return out


def template_ids() -> list[str]:
    return list(T.TEMPLATES)
