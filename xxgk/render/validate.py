"""Whether data may be rendered: the project's own checks over the numbers (identities, blank
cells, negative and fractional counts), run on a Report built from the data."""

from __future__ import annotations

from .. import checks
from ..report import Finding, Report, Severity, Value
from .data import ReportData

# the checks that only look at the numbers (the prose rules run on the rendered document)
_CODES = ("BLANK_CELL", "NEGATIVE_VALUE", "NON_INTEGER", "T3_", "T4_")


def as_report(rd: ReportData) -> Report:
    rep = Report.empty(rd.template)
    rep.meta.agency, rep.meta.year, rep.meta.title = rd.agency, rd.year, rd.display_title()
    for key, rows in rd.values.items():
        for row, cols in rows.items():
            for col, v in cols.items():
                rep.tables[key][row][col] = Value(v, "read" if v is not None else "blank")
        rep.found_tables.add(key)
    return rep


def problems(rd: ReportData) -> list[Finding]:
    """Findings that stop `render`: every error, and every blank cell."""
    found = checks.run(as_report(rd), checks.selected(_CODES))
    return [f for f in found if f.severity is Severity.ERROR or f.code == "BLANK_CELL"]
