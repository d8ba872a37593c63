"""Prose against tables, and prose against itself."""

from __future__ import annotations

from ..report import Report, Severity
from .registry import finding, rule

_CN = {None: "开头", 1: "第一部分", 2: "第二部分", 3: "第三部分", 4: "第四部分", 5: "第五部分", 6: "第六部分"}


def _quote(sentence: str, limit: int = 90) -> str:
    s = sentence.strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _cell_name(report: Report, cells) -> str:
    spec = report.spec
    names = []
    for table, row, col in cells:
        t = spec.table(table)
        names.append(f"{t.name}「{t.row(row).name}」{t.column(col).label}")
    return "与".join(names) if len(names) <= 2 else f"{names[0]}等{len(names)}项之和"


@rule("NARRATIVE_TABLE_MISMATCH", Severity.WARNING, "正文所述数字与其复述的表格数字不一致")
def narrative_table_mismatch(report: Report):
    for claim in report.claims:
        if any(c[0] not in report.found_tables for c in claim.cells):
            continue
        values = [report.tables[t][r][c].value for t, r, c in claim.cells]
        if any(v is None for v in values):
            continue  # a blank cell: BLANK_CELL says so
        table_value = sum(values)
        if table_value == claim.value:
            continue
        yield finding(
            "NARRATIVE_TABLE_MISMATCH",
            f"{_CN.get(claim.section, '正文')}第{claim.line}行“{_quote(claim.sentence)}”称{claim.what}{claim.value}件，"
            f"但{_cell_name(report, claim.cells)}为{table_value}",
            section=claim.section, line=claim.line,
            cells=[".".join(c) for c in claim.cells],
        )


@rule("NARRATIVE_SUM", Severity.WARNING, "正文所述总数与其后“其中”所列各项之和不一致")
def narrative_sum(report: Report):
    for s in report.sums:
        parts = sum(p.value for p in s.parts)
        if parts == s.total.value:
            continue
        terms = "+".join(str(p.value) for p in s.parts)
        yield finding(
            "NARRATIVE_SUM",
            f"{_CN.get(s.section, '正文')}第{s.line}行“{_quote(s.sentence)}”：总数{s.total.value}{s.total.unit}，"
            f"但其中所列各项之和为{parts}{s.total.unit}（{terms}）",
            section=s.section, line=s.line,
        )
