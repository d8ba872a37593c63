"""Generated reports, written in every layout and encoding, parse back to exactly their numbers."""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk import parse_bytes
from xxgk import template as T
from xxgk.report import Severity
from xxgk.synth import random_report
from xxgk.synth.layouts import BLANK_MARKS, HEADINGS, LAYOUTS, encode, write

ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _diff(rep, parsed):
    return [
        (t, r, c, want, parsed[t][r][c])
        for t, rows in rep.values.items()
        for r, cols in rows.items()
        for c, want in cols.items()
        if parsed[t][r][c] != want
    ]


@SETTINGS
@given(
    seed=st.integers(0, 2**32),
    template_id=st.sampled_from(sorted(T.TEMPLATES)),
    layout=st.sampled_from(LAYOUTS),
    encoding=st.sampled_from(ENCODINGS),
    traditional=st.booleans(),
    heading=st.sampled_from(HEADINGS),
)
def test_generated_report_parses_back_exactly(seed, template_id, layout, encoding, traditional, heading):
    rng = random.Random(seed)
    rep = random_report(rng, template_id, zero_share=0.05)
    data = encode(write(rep, layout, rng, heading=heading), encoding, traditional)
    report = parse_bytes(data, "generated.txt")
    out = report.to_json(provenance=False)
    assert _diff(rep, out) == []
    assert (out["template"], out["meta"]["year"], out["meta"]["agency"]) == (rep.template, rep.year, rep.agency)
    assert out["meta"]["template_detected"]
    assert [f for f in report.findings if f.severity is not Severity.INFO] == []
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]


@SETTINGS
@given(
    seed=st.integers(0, 2**32),
    template_id=st.sampled_from(sorted(T.TEMPLATES)),
    layout=st.sampled_from(LAYOUTS),
    blank=st.sampled_from(BLANK_MARKS),
)
def test_blank_cells_stay_blank_and_are_reported_once_per_row(seed, template_id, layout, blank):
    rng = random.Random(seed)
    rep = random_report(rng, template_id, zero_share=0.05, blank_share=0.06)
    report = parse_bytes(write(rep, layout, rng, blank=blank).encode(), "generated.txt")
    out = report.to_json(provenance=False)
    assert _diff(rep, out) == []
    blank_rows = {(t, r) for t, rows in rep.values.items() for r, cols in rows.items() if None in cols.values()}
    reported = [(f.where["table"], f.where["row"]) for f in report.findings if f.code == "BLANK_CELL"]
    assert sorted(reported) == sorted(blank_rows)
    assert not report.has_errors
    for t, rows in rep.values.items():
        for r, cols in rows.items():
            for c, want in cols.items():
                status = report.tables[t][r][c].status
                assert status == ("blank" if want is None else "read"), (t, r, c, status)
