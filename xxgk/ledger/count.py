"""Count Table 3 from the ledger and Table 4 from the case list, for one report year.

Table 3, per applicant column:
  new_received    received within the year
  carried_over    received before 1 January and still open on that day
  <result rows>   closed (办结日期) within the year, by result
  carried_forward received by 31 December and still open at its end
so that new_received + carried_over = total_processed + carried_forward holds by construction.
"""

from __future__ import annotations

import datetime as dt

from .. import template as T
from .read import Case, Request, result_rows


def _applicants(tpl: T.Template) -> list[str]:
    return [c.id for c in tpl.table("requests").columns if c.id != "total"]


def requests_table(requests: list[Request], year: int, tpl: T.Template) -> dict[str, dict[str, int]]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    table = tpl.table("requests")
    out = {r.id: {c: 0 for c in r.columns} for r in table.rows}
    results = result_rows(tpl)

    def open_on(req: Request, day: dt.date) -> bool:  # received by `day`, not closed before it
        return req.received <= day and (req.closed is None or req.closed > day)

    for req in requests:
        col = req.applicant
        if start <= req.received <= end:
            out["new_received"][col] += 1
        elif req.received < start and (req.closed is None or req.closed >= start):
            out["carried_over"][col] += 1
        if req.closed is not None and start <= req.closed <= end:
            out[req.result][col] += 1
        if open_on(req, end):
            out["carried_forward"][col] += 1
    for col in _applicants(tpl):
        out["total_processed"][col] = sum(out[r][col] for r in results)
    for cells in out.values():
        cells["total"] = sum(cells[c] for c in _applicants(tpl))
    return out


def appeals_table(cases: list[Case], year: int, tpl: T.Template) -> dict[str, dict[str, int]]:
    """Cases received in the year (all rows when the list has no dates); a case decided after
    31 December counts as 尚未审结."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    table = tpl.table("appeals")
    out = {r.id: {c: 0 for c in r.columns} for r in table.rows}
    for case in cases:
        if case.received is not None and not (start <= case.received <= end):
            continue
        result = case.result
        if case.closed is not None and case.closed > end:
            result = "pending"
        out[case.block][result] += 1
    for cells in out.values():
        cells["total"] = sum(cells[c] for c in ("upheld", "corrected", "other", "pending"))
    return out


def ledger_data(
    requests: list[Request],
    year: int,
    tpl: T.Template,
    cases: list[Case] | None = None,
    agency: str | None = None,
) -> dict:
    """The canonical JSON shape of the spec: Table 3 (and Table 4 with a case list) counted,
    Table 2 left blank (null) for the author to fill."""
    data: dict = {
        "schema": "xxgk.report/1",
        "template": tpl.id,
        "meta": {"agency": agency, "year": year, "title": f"{agency}{year}年政府信息公开工作年度报告" if agency else None},
    }
    data["active"] = {r.id: {c: None for c in r.columns} for r in tpl.table("active").rows}
    data["requests"] = requests_table(requests, year, tpl)
    if cases is not None:
        data["appeals"] = appeals_table(cases, year, tpl)
    else:
        data["appeals"] = {r.id: {c: None for c in r.columns} for r in tpl.table("appeals").rows}
    return data
