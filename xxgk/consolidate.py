"""The consolidated (汇总) report: the subordinate reports of one year and one template version
added up cell by cell, and the comparison of a published consolidated report with that sum.

    cons = consolidate(reports)          # refuses mixed years / versions (MixedBatch)
    data = cons.data_file(agency="某县")  # what `xxgk render` turns into the draft
    found = compare(parent, cons)        # CONSOLIDATED_MISMATCH, one per differing cell

Every cell of Tables 2, 3 and 4 is additive across organs (counts, in_force included, and
amounts).  A cell that is blank (or not read) in any subordinate report has a blank sum — a
blank is not a zero — and a SUM_BLANK finding names the reports that left it blank.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Sequence

from . import template as T
from .checks.registry import finding
from .report import Finding, Report, Severity

Cell = tuple[str, str, str]


class MixedBatch(Exception):
    """The batch is not one year and one template version; `problems` name the odd ones out."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass
class Part:
    """One subordinate report that went into the sum."""

    agency: str | None
    source: str | None
    sha256: str | None
    values: dict[Cell, Any]  # every cell of the template: number or None (blank / not read)

    @property
    def label(self) -> str:
        return self.agency or self.source or "（未识别机关）"


@dataclass
class Consolidation:
    template: str
    year: int | None
    parts: list[Part]
    values: dict[Cell, Any]  # the sums; None where any part is blank
    findings: list[Finding] = field(default_factory=list)

    def canonical(self) -> dict[str, dict[str, dict[str, Any]]]:
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for table in T.get(self.template).tables:
            out[table.key] = {r.id: {c: self.values[(table.key, r.id, c)] for c in r.columns} for r in table.rows}
        return out

    def data_file(self, agency: str | None = None, title: str | None = None) -> dict[str, Any]:
        """The data file `xxgk render` reads (see xxgk.render.data), with the reports that went in."""
        meta: dict[str, Any] = {"agency": agency, "year": self.year}
        if title:
            meta["title"] = title
        return {
            "template": self.template,
            "meta": meta,
            **self.canonical(),
            "consolidated_from": [
                {"agency": p.agency, "source": p.source, "sha256": p.sha256} for p in self.parts
            ],
            "findings": [f.to_json() for f in self.findings],
        }


def cells(template_id: str) -> list[Cell]:
    tpl = T.get(template_id)
    return [(t.key, r.id, c.id) for t in tpl.tables for r, c in t.cells()]


def cell_name(template_id: str, cell: Cell) -> str:
    """表三「本年新收」自然人 — as the messages of the checks name a cell."""
    table = T.get(template_id).table(cell[0])
    return f"{table.name}「{table.row(cell[1]).name}」{table.column(cell[2]).label}"


def fmt(v) -> str:
    if v is None:
        return "空白"
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    return str(v)


def _values(report: Report) -> dict[Cell, Any]:
    return {(t, r, c): report.tables[t][r][c].value for t, r, c in cells(report.template)}


def part_values(report: Report) -> dict[Cell, Any]:
    """A subordinate report's cells as the sum takes them: a number read with low confidence
    (status doubtful, OCR_LOW_CONFIDENCE on its report) counts as not read — never summed."""
    out = {}
    for t, r, c in cells(report.template):
        v = report.tables[t][r][c]
        out[(t, r, c)] = None if v.status == "doubtful" else v.value
    return out


def _who(report: Report) -> str:
    return report.meta.agency or report.source.path or report.source.name or "（未识别机关）"


def check_batch(reports: Sequence[Report]) -> None:
    """Raise MixedBatch unless every report is one year and one template version."""
    problems: list[str] = []
    if not reports:
        raise MixedBatch(["没有可汇总的报告"])
    not_reports = [r for r in reports if not r.is_report]
    for r in not_reports:
        problems.append(f"{r.source.path or r.source.name}不是政府信息公开工作年度报告")
    reports = [r for r in reports if r.is_report]
    undated = [r for r in reports if r.meta.year is None]
    for r in undated:
        problems.append(f"{_who(r)}（{r.source.path or r.source.name}）的年度未能识别")
    dated = [r for r in reports if r.meta.year is not None]
    for what, key, unit in (("年度", lambda r: r.meta.year, "年度"), ("模板版本", lambda r: r.template, "年模板")):
        counts = Counter(key(r) for r in dated)
        if len(counts) > 1:
            common, n = counts.most_common(1)[0]
            if list(counts.values()).count(n) > 1:  # no majority: name every group
                groups = "；".join(f"{k}{unit}：{'、'.join(_who(r) for r in dated if key(r) == k)}" for k in sorted(counts))
                problems.append(f"报告的{what}不一致（{groups}）")
            else:
                odd = [f"{_who(r)}（{key(r)}{unit}，{r.source.path or r.source.name}）" for r in dated if key(r) != common]
                problems.append(f"多数报告为{common}{unit}，以下报告{what}不同：{'、'.join(odd)}")
    problems.extend(_duplicates(dated))
    if problems:
        raise MixedBatch(problems)


def _duplicates(reports: Sequence[Report]) -> list[str]:
    """One organ twice (the PDF and the web page of one report, or a corrected re-publication)
    would be counted twice: name them."""
    from .agency import agency_key, keys_compatible

    keys = [agency_key(r.meta.agency) for r in reports]
    seen: set[int] = set()
    out = []
    for i, ki in enumerate(keys):
        if i in seen or not ki:
            continue
        same = [j for j in range(i + 1, len(reports)) if keys[j] and keys_compatible(ki, keys[j])]
        if same:
            seen.update(same)
            files = "、".join(reports[k].source.path or reports[k].source.name or "?" for k in [i, *same])
            out.append(f"{_who(reports[i])}有{len(same) + 1}份报告（{files}），会被重复计入，请只保留一份")
    return out


def consolidate(reports: Sequence[Report]) -> Consolidation:
    """The cell-by-cell sum of one year's subordinate reports of one template version."""
    check_batch(reports)
    template_id, year = reports[0].template, reports[0].meta.year
    parts = [Part(r.meta.agency, r.source.path or r.source.name, r.source.sha256, part_values(r)) for r in reports]
    return sum_parts(template_id, year, parts)


def sum_parts(template_id: str, year: int | None, parts: list[Part]) -> Consolidation:
    values: dict[Cell, Any] = {}
    blank_by: dict[tuple[str, tuple[int, ...]], list[Cell]] = {}
    for cell in cells(template_id):
        got = [p.values.get(cell) for p in parts]
        missing = tuple(i for i, v in enumerate(got) if v is None)
        if missing:
            values[cell] = None
            blank_by.setdefault((cell[0], missing), []).append(cell)
        else:
            values[cell] = sum(got[1:], got[0]) if got else None
    findings = []
    for (table_key, who), which in blank_by.items():
        table = T.get(template_id).table(table_key)
        names = "、".join(cell_name(template_id, c).removeprefix(table.name) for c in which[:5])
        more = f"等{len(which)}个单元格" if len(which) > 5 else ""
        reports = "、".join(parts[i].label for i in who)
        findings.append(finding(
            "SUM_BLANK",
            f"{table.name}{names}{more}合计留空：以下下级报告中为空白、未读出或识别存疑：{reports}",
            table=table_key, cells=[".".join(c) for c in which],
            reports=[{"agency": parts[i].agency, "source": parts[i].source} for i in who],
        ))
    return Consolidation(template_id, year, parts, values, findings)


def compare(parent_values: dict[Cell, Any], cons: Consolidation, parent_tables: Iterable[str] | None = None) -> list[Finding]:
    """CONSOLIDATED_MISMATCH for every cell where the parent's value differs from the sum.  A cell
    whose sum is blank is not compared (SUM_BLANK says why); a blank in the parent where the sum
    is a number differs, in the tables the parent states (`parent_tables`; default all)."""
    tables = set(parent_tables) if parent_tables is not None else None
    out: list[Finding] = []
    for cell in cells(cons.template):
        total = cons.values.get(cell)
        mine = parent_values.get(cell)
        if total is None or mine == total:
            continue
        if mine is None and tables is not None and cell[0] not in tables:
            continue
        each = "，".join(f"{p.label} {fmt(p.values.get(cell))}" for p in cons.parts)
        out.append(finding(
            "CONSOLIDATED_MISMATCH",
            f"{cell_name(cons.template, cell)}：汇总报告为{fmt(mine)}，下级报告合计为{fmt(total)}（{each}）",
            table=cell[0], row=cell[1], column=cell[2],
            parent=_plain(mine), sum=_plain(total),
            parts=[{"agency": p.agency, "source": p.source, "value": _plain(p.values.get(cell))} for p in cons.parts],
        ))
    return out


def compare_report(parent: Report, cons: Consolidation) -> list[Finding]:
    """compare() for a parsed parent report; raises MixedBatch when its year or version differs."""
    problems = []
    if parent.template != cons.template:
        problems.append(f"汇总报告{_who(parent)}为{parent.template}年模板，下级报告为{cons.template}年模板")
    if parent.meta.year is not None and cons.year is not None and parent.meta.year != cons.year:
        problems.append(f"汇总报告{_who(parent)}为{parent.meta.year}年度，下级报告为{cons.year}年度")
    if problems:
        raise MixedBatch(problems)
    return compare(_values(parent), cons, parent.found_tables)


def _plain(v):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v
