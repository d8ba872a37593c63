"""One agency's synthetic reports over consecutive years that carry over as the rules want
(this year's 上年结转 = last year's 结转下年度, column by column; 2021 template: 现行有效件数 =
last year's + 本年制发 − 本年废止), or, on request, that break the carry-over.  For the corpus tests
and the ingest benchmark."""

from __future__ import annotations

import random

from .. import template as T
from . import SynthReport, narrative, random_report


def _columns(tpl: T.Template, code: str) -> tuple[str, ...]:
    return next(i.right for i in tpl.table("requests").identities if i.code == code)


def next_year(prev: SynthReport, rng: random.Random, *, consistent: bool = True) -> SynthReport:
    """The agency's report for the year after `prev` (the template in force that year, numbers
    random)."""
    year = prev.year + 1
    rep = random_report(rng, T.for_year(year).id, year, prev.agency)
    if not consistent:
        return rep
    tpl = T.get(rep.template)
    req = rep.values["requests"]
    applicants = _columns(tpl, "T3_ROW_SUM")
    for c in applicants:
        over = prev.values["requests"]["carried_forward"][c]
        processed = req["total_processed"][c]
        forward = max(req["carried_forward"][c], over - processed)  # keeps 本年新收 ≥ 0
        req["carried_over"][c] = over
        req["carried_forward"][c] = forward
        req["new_received"][c] = processed + forward - over
    for row in ("carried_over", "carried_forward", "new_received"):
        req[row]["total"] = sum(req[row][c] for c in applicants)
    if prev.template == rep.template == "2021":
        for row in tpl.table("active").rows:
            if "in_force" in row.columns:
                cells = rep.values["active"][row.id]
                last = prev.values["active"][row.id]["in_force"]
                cells["repealed"] = min(cells["repealed"], last + cells["issued"])
                cells["in_force"] = last + cells["issued"] - cells["repealed"]
    rep.sections = narrative(rep.values, rep.agency, rep.year, rng)
    return rep


def series(rng: random.Random, first_year: int, years: int, agency: str | None = None,
           broken: float = 0.0) -> list[SynthReport]:
    """`years` consecutive reports of one agency from `first_year`; each year after the first
    breaks the carry-over with probability `broken`."""
    out = [random_report(rng, T.for_year(first_year).id, first_year, agency)]
    for _ in range(years - 1):
        out.append(next_year(out[-1], rng, consistent=rng.random() >= broken))
    return out
