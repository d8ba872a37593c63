"""Rows that lost a cell in extraction: placed exactly (and flagged) or left unknown (and flagged),
never placed wrong."""

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk import parse_bytes
from xxgk import template as T
from xxgk.synth.layouts import write

from .support import consistent

ROWS_2021 = [r for r in T.get("2021").table("requests").rows]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), layout=st.sampled_from(("tsv", "pdf", "pipe")), data=st.data())
def test_a_row_that_lost_a_number_is_right_or_unknown_never_wrong(seed, layout, data):
    rep = consistent(seed, "2021")
    text = write(rep, layout, random.Random(seed), heading="一、")
    row = data.draw(st.sampled_from(ROWS_2021))
    sep = "|" if layout == "pipe" else "\t"
    lines = text.split("\n")
    idx = next(i for i, line in enumerate(lines) if sep in line and row.label in line.replace(" ", ""))
    cells = lines[idx].split(sep)
    numeric = [k for k, c in enumerate(cells) if re.fullmatch(r"\s*\d+\s*", c)]
    drop = data.draw(st.sampled_from(numeric))
    lines[idx] = sep.join(cells[:drop] + cells[drop + 1 :])
    report = parse_bytes("\n".join(lines).encode(), "lost-a-cell.txt")
    truth = rep.values["requests"][row.id]
    got = report.tables["requests"][row.id]
    statuses = {v.status for v in got.values()}
    if statuses == {"inferred"}:
        assert {c: v.value for c, v in got.items()} == truth
        assert any(f.code == "CELL_INFERRED" and f.where.get("row") == row.id for f in report.findings)
    else:
        assert statuses == {"unplaced"}, statuses
        assert all(v.value is None for v in got.values())
        assert any(f.code == "ROW_UNPLACED" and f.where.get("row") == row.id for f in report.findings)
    for other in T.get("2021").table("requests").rows:  # every other row is untouched
        if other.id != row.id:
            assert {c: v.value for c, v in report.tables["requests"][other.id].items()} == rep.values["requests"][other.id]
