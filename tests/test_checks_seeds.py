"""On the seeds, exactly what a careful reviewer raises — and nothing else."""

from collections import Counter

import pytest

from xxgk import parse_path

from .conftest import seed_path

# (code, severity) → count, for every finding of every seed
EXPECTED = {
    "000": {("NARRATIVE_SUM", "warning"): 1, ("CELL_INFERRED", "info"): 1},
    "001": {("CELL_INFERRED", "info"): 3},
    "002": {
        ("MISSING_PERIOD", "warning"): 1,
        ("FEE_NOT_STATED", "warning"): 1,
        ("BLANK_CELL", "warning"): 25,
        ("NOT_EVALUATED", "info"): 3,
    },
    "003": {},
    "004": {("MISSING_PERIOD", "warning"): 1},
}


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_seed_findings_are_exactly_the_expected_ones(seed):
    report = parse_path(seed_path(seed))
    got = Counter((f.code, f.severity.value) for f in report.findings)
    assert dict(got) == EXPECTED[seed]
    assert not report.has_errors  # none of the seeds has an accounting error


def test_seed_000_narrative_sum_quotes_the_clause():
    report = parse_path(seed_path("000"))
    (f,) = [f for f in report.findings if f.code == "NARRATIVE_SUM"]
    assert "通过榆阳区政府网站主动公开政府信息3条，其中机构职能类信息0条，经费公开类信息4条，新闻类信息3条" in f.message
    assert "总数3条" in f.message and "7条（0+4+3）" in f.message
    assert f.where == {"section": 1, "line": 17}


def test_seed_002_fee_statement_finding_quotes_section_six():
    report = parse_path(seed_path("002"))
    (f,) = [f for f in report.findings if f.code == "FEE_NOT_STATED"]
    assert "“无”" in f.message and f.where["section"] == 6


def test_seed_narrative_restatements_agree_with_tables():
    received = (("requests", "new_received", "total"),)
    reconsideration = (("appeals", "reconsideration", "total"),)
    litigation = (("appeals", "litigation_direct", "total"), ("appeals", "litigation_after_reconsideration", "total"))
    expected = {
        "000": [(received, 21)],
        # line 15 runs on to line 17 (a PDF line break inside the sentence)
        "001": [(received, 15), (reconsideration, 15), (litigation, 15), (received, 100)],
        "004": [(received, 19)],
    }
    for seed, claims in expected.items():
        report = parse_path(seed_path(seed))
        assert [(c.cells, c.line) for c in report.claims] == claims
        assert all(c.value == 0 for c in report.claims)
        assert not [f for f in report.findings if f.code.startswith("NARRATIVE_TABLE")]
