"""Issue 14 item 13: the same draft with a blank row gives the same findings in every format —
the printed grid says which empty field is a cell and which a merge."""

import pytest

from xxgk import parse_bytes
from xxgk.readers import ReadError, read_bytes
from xxgk.render import render

from .render_support import synth_data

BLANK_ROWS = (("active", "licensing"), ("active", "regulations"), ("requests", "carried_over"), ("appeals", "litigation_direct"))


def _parse(data: bytes, fmt: str):
    try:
        read_bytes(data, f"r.{fmt}")
    except ReadError as exc:
        if exc.reason == "unsupported-format":
            pytest.skip("reader not installed")
        raise
    return parse_bytes(data, f"r.{fmt}")


@pytest.mark.parametrize("template_id", ["2021", "2019"])
@pytest.mark.parametrize("table,row", BLANK_ROWS)
def test_blank_row_same_findings_in_txt_md_html_docx(template_id, table, row):
    _, rd = synth_data(7, template_id, True)
    for col in rd.values[table][row]:
        rd.values[table][row][col] = None
    seen = {}
    for fmt in ("txt", "md", "html", "docx"):
        rep = _parse(render(rd, fmt), fmt)
        cells = rep.tables[table][row]
        assert {v.status for v in cells.values()} == {"blank"}, (fmt, {c: v.status for c, v in cells.items()})
        assert rep.to_json()[table] == {r: dict(c) for r, c in rd.canonical()[table].items()}, fmt
        reader = sorted((f.code, f.where.get("row")) for f in rep.findings if f.code in ("BLANK_CELL", "ROW_UNPLACED", "CELL_INFERRED"))
        seen[fmt] = reader
    assert seen["txt"] == seen["md"] == seen["html"] == seen["docx"] == [("BLANK_CELL", row)], seen


@pytest.mark.parametrize("template_id", ["2021", "2019"])
def test_empty_draft_same_findings_in_every_format(template_id):
    """A draft with every cell still blank: each row is one BLANK_CELL, whatever the format."""
    _, rd = synth_data(7, template_id, False)
    for rows in rd.values.values():
        for cols in rows.values():
            for c in cols:
                cols[c] = None
    seen = {}
    for fmt in ("txt", "md", "html", "docx"):
        rep = _parse(render(rd, fmt), fmt)
        seen[fmt] = sorted((f.code, f.where.get("table"), f.where.get("row")) for f in rep.findings
                           if f.code in ("BLANK_CELL", "ROW_UNPLACED", "CELL_INFERRED", "MISSING_TABLE"))
        assert all(v.status == "blank" for rows in rep.tables.values() for cols in rows.values() for v in cols.values()), fmt
    want = sorted(("BLANK_CELL", t.key, r.id) for t in rd.spec.tables for r in t.rows) if hasattr(rd, "spec") else seen["docx"]
    assert seen["txt"] == seen["md"] == seen["html"] == seen["docx"] == want, seen
