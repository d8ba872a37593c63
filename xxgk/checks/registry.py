"""The rule registry: every check is one small function with a stable code, a severity and a
one-line Chinese description, registered with @rule.  `xxgk rules` lists them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from ..report import Finding, Report, Severity


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    description: str
    fn: Callable[..., Iterable[Finding]]
    scope: str = "report"  # "report": one report; "corpus": several reports of one agency;
    # "consolidated": a consolidated report and its subordinates' (xxgk.consolidate)
    group: str = "check"  # "reader" | "check" | "cross-year"


RULES: dict[str, Rule] = {}


def rule(code: str, severity: Severity, description: str, *, scope: str = "report", group: str = "check"):
    def deco(fn):
        if code in RULES and RULES[code].fn is not fn:
            raise ValueError(f"rule {code} registered twice")
        RULES[code] = Rule(code, severity, description, fn, scope, group)
        return fn

    return deco


def finding(code: str, message: str, **where) -> Finding:
    return Finding(code, RULES[code].severity, message, {k: v for k, v in where.items() if v is not None})


def selected(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> list[Rule]:
    """Rules after --select / --ignore; a prefix selects every code it starts (e.g. T3_)."""
    sel = [s.upper() for s in select or []]
    ign = [s.upper() for s in ignore or []]
    unknown = [c for c in sel + ign if not any(code.startswith(c) for code in RULES)]
    if unknown:
        raise KeyError(", ".join(unknown))
    out = []
    for code, r in RULES.items():
        if sel and not any(code.startswith(s) for s in sel):
            continue
        if any(code.startswith(i) for i in ign):
            continue
        out.append(r)
    return out


# what is said of a document that is not a report: that it is not, and that its scan was not read
# to the end (which may be why no report was found in it)
_UNGATED = ("NOT_A_REPORT", "OCR_INCOMPLETE")


def run(report: Report, rules: list[Rule] | None = None) -> list[Finding]:
    rules = [r for r in (rules if rules is not None else RULES.values()) if r.scope == "report"]
    out: list[Finding] = []
    gate = not report.is_report
    for r in rules:
        if gate and r.code not in _UNGATED:
            continue
        out.extend(r.fn(report))
    if report.line_pages:
        _add_pages(out, report.line_pages)
    return out


def _add_pages(findings: list[Finding], pages: list[int | None]) -> None:
    """A paged document (PDF, scan): say the page of each finding's line too — a reviewer turns
    pages, not lines."""
    for f in findings:
        line = f.where.get("line")
        if isinstance(line, int) and 0 < line <= len(pages) and pages[line - 1] is not None:
            f.where.setdefault("page", pages[line - 1])


def iter_codes() -> Iterator[Rule]:
    order = {"reader": 0, "check": 1, "cross-year": 2, "consolidated": 3}
    return iter(sorted(RULES.values(), key=lambda r: order.get(r.group, 9)))
