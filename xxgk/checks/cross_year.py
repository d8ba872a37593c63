"""Rules across years: the same agency's consecutive reports must carry over."""

from __future__ import annotations

from ..agency import same_agency
from ..extract.split import confirm as confirm_split
from ..extract.split import row_alternatives
from ..report import Report, Severity
from .registry import Rule, finding, rule
from .registry import run as run_report


def _alternatives(report: Report, table: str, row: str) -> list[dict] | None:
    """A row's cells as {column: value} options: the values when read, every split of its digit
    run when they were run together and left ambiguous (xxgk/extract/split.py), else None."""
    cells = report.tables[table].get(row)
    if not cells:
        return None
    if all(v.value is not None for v in cells.values()):
        return [{c: v.value for c, v in cells.items()}]
    raw = next((v.raw for v in cells.values() if v.status == "ambiguous" and v.raw), None)
    if raw is None:
        return None
    return row_alternatives(report.template, table, row, raw) or None


def _shown(values) -> str:
    vs = sorted(values)
    return "、".join(str(v) for v in vs[:6]) + ("等" if len(vs) > 6 else "")


@rule(
    "CARRY_OVER_MISMATCH",
    Severity.ERROR,
    "跨年度：本年“上年结转”与上一年度报告的“结转下年度继续办理”不一致",
    scope="corpus",
    group="cross-year",
)
def carry_over_mismatch(prev: Report, cur: Report):
    if "requests" not in prev.found_tables or "requests" not in cur.found_tables:
        return
    table = cur.spec.table("requests")
    now_alts = before_alts = None
    for col in table.columns:
        now = cur.tables["requests"]["carried_over"][col.id].value
        before = prev.tables["requests"]["carried_forward"][col.id].value
        if now is None or before is None:
            # a row run together and left ambiguous: a break is certain when no split fits
            if now_alts is None:
                now_alts = _alternatives(cur, "requests", "carried_over") or []
                before_alts = _alternatives(prev, "requests", "carried_forward") or []
            nows = {a.get(col.id) for a in now_alts} - {None}
            befores = {a.get(col.id) for a in before_alts} - {None}
            if nows and befores and not nows & befores:
                yield finding(
                    "CARRY_OVER_MISMATCH",
                    f"表三 {col.label}列：{cur.meta.year}年“上年结转”可能为{_shown(nows)}（数字连写，拆法不唯一），"
                    f"但{prev.meta.year}年报告“结转下年度继续办理”为{_shown(befores)}，任何拆法都不一致",
                    table="requests", row="carried_over", column=col.id,
                    previous={"year": prev.meta.year, "source": prev.source.path or prev.source.name},
                )
            continue
        if now == before:
            continue
        yield finding(
            "CARRY_OVER_MISMATCH",
            f"表三 {col.label}列：{cur.meta.year}年“上年结转”为{now}，"
            f"但{prev.meta.year}年报告“结转下年度继续办理”为{before}",
            table="requests", row="carried_over", column=col.id,
            previous={"year": prev.meta.year, "source": prev.source.path or prev.source.name},
        )


@rule(
    "IN_FORCE_DISCONTINUITY",
    Severity.WARNING,
    "跨年度（2021年模板）：现行有效件数 ≠ 上年现行有效件数 + 本年制发 − 本年废止",
    scope="corpus",
    group="cross-year",
)
def in_force_discontinuity(prev: Report, cur: Report):
    if prev.template != "2021" or cur.template != "2021":
        return
    if "active" not in prev.found_tables or "active" not in cur.found_tables:
        return
    table = cur.spec.table("active")
    for row in table.rows:
        if "in_force" not in row.columns:
            continue
        last = prev.tables["active"][row.id]["in_force"].value
        now = cur.tables["active"][row.id]
        issued, repealed, in_force = now["issued"].value, now["repealed"].value, now["in_force"].value
        if None in (last, issued, repealed, in_force):
            # run together and left ambiguous: a break is certain when no split fits
            lasts = {a.get("in_force") for a in _alternatives(prev, "active", row.id) or []} - {None}
            alts = [a for a in _alternatives(cur, "active", row.id) or [] if None not in (a.get("issued"), a.get("repealed"), a.get("in_force"))]
            if lasts and alts and not any(a["in_force"] == L + a["issued"] - a["repealed"] for a in alts for L in lasts):
                shown = "、".join(f"{a['issued']}|{a['repealed']}|{a['in_force']}" for a in alts[:6]) + ("等" if len(alts) > 6 else "")
                yield finding(
                    "IN_FORCE_DISCONTINUITY",
                    f"表二「{row.label}」：{cur.meta.year}年数字连写，可拆为（本年制发|本年废止|现行有效）{shown}，"
                    f"但无论哪种拆法，现行有效件数都不等于上年现行有效{_shown(lasts)} + 本年制发 − 本年废止（如有修订、清理请在报告中说明）",
                    table="active", row=row.id, column="in_force",
                    previous={"year": prev.meta.year, "source": prev.source.path or prev.source.name},
                )
            continue
        expected = last + issued - repealed
        if in_force != expected:
            yield finding(
                "IN_FORCE_DISCONTINUITY",
                f"表二「{row.label}」：{cur.meta.year}年现行有效{in_force}件，"
                f"按上年现行有效{last} + 本年制发{issued} − 本年废止{repealed}应为{expected}件（如有修订、清理请在报告中说明）",
                table="active", row=row.id, column="in_force",
                previous={"year": prev.meta.year, "source": prev.source.path or prev.source.name},
            )


def pairs(reports: list[Report]):
    """(previous year, this year) pairs of the same agency among `reports`."""
    dated = [r for r in reports if r.meta.year and r.meta.agency and r.is_report]
    dated.sort(key=lambda r: r.meta.year)
    for cur in dated:
        for prev in dated:
            if prev.meta.year == cur.meta.year - 1 and same_agency(prev.meta.agency, cur.meta.agency):
                yield prev, cur
                break


def run_corpus(reports: list[Report], rules: list[Rule]) -> None:
    """Append cross-year findings to the later report of each pair."""
    corpus_rules = [r for r in rules if r.scope == "corpus"]
    if not corpus_rules:
        return
    for prev, cur in pairs(reports):
        # rows run together and left ambiguous that the previous year decides (split.confirm):
        # the report's own findings are recomputed with the decided cells
        if confirm_split(prev, cur):
            cur.findings = run_report(cur, rules)
    for prev, cur in pairs(reports):
        for r in corpus_rules:
            cur.findings.extend(r.fn(prev, cur))

