"""xxgk form: the XLSX fill-in form — national layout with merges, validation, live identity
checks by formula — fills and reads back exactly."""

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from xxgk import template as T
from xxgk.cli import app
from xxgk.render import DataError, load
from xxgk.render.form_xlsx import IDS_SHEET, read_form, write_form

from .render_support import synth_data

runner = CliRunner()


def _fill(path, rd):
    """Fill a blank form cell by cell, as a user (or a script) would."""
    wb = load_workbook(path)
    for sheet, coord, ident in wb[IDS_SHEET].iter_rows(min_row=2, values_only=True):
        kind, _, rest = ident.partition(".")
        if kind == "meta":
            if rest == "agency":
                wb[sheet][coord] = rd.agency
            elif rest == "year":
                wb[sheet][coord] = rd.year
        elif kind == "section":
            wb[sheet][coord] = rd.sections.get(int(rest))
        else:
            table, row, col = ident.split(".")
            v = rd.values[table][row][col]
            wb[sheet][coord] = float(v) if isinstance(v, Decimal) else v
    wb.save(path)


@pytest.mark.parametrize("template_id", ["2021", "2019"])
def test_blank_form_filled_programmatically_reads_back(tmp_path, template_id):
    _, rd = synth_data(31, template_id)
    path = tmp_path / "f.xlsx"
    r = runner.invoke(app, ["form", "--template", template_id, "-o", str(path)])
    assert r.exit_code == 0, r.output
    _fill(path, rd)
    got = load(path)
    assert got.template == template_id and got.agency == rd.agency and got.year == rd.year
    assert got.canonical() == rd.canonical()
    assert got.sections == rd.sections


def test_form_layout_merges_validation_and_formulas(tmp_path):
    path = tmp_path / "f.xlsx"
    write_form(path, "2021")
    wb = load_workbook(path)
    assert {"填报说明", "表二", "表三", "表四", "正文", IDS_SHEET} <= set(wb.sheetnames)
    assert wb[IDS_SHEET].sheet_state == "hidden"
    t3 = wb["表三"]
    merged = {str(m) for m in t3.merged_cells.ranges}
    assert "A3:C5" in merged  # the note cell over the three label columns
    assert "E4:I4" in merged  # 法人或其他组织
    assert any(str(m).startswith("A8:A") for m in merged)  # 三、本年度办理结果 down the result rows
    formulas = [c.value for row in t3.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert len(formulas) == 7 * 2 + 25  # two column identities × 7 columns, row sum × 25 rows
    assert all('"平衡"' in f and '"不平衡"' in f and '"未填完"' in f for f in formulas)
    t4 = wb["表四"]
    assert sum(1 for row in t4.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=IF")) == 3
    dv = {d.type: d for d in wb["表二"].data_validations.dataValidation}
    assert dv["whole"].operator == "greaterThanOrEqual" and dv["whole"].formula1 == "0"
    assert "decimal" in dv  # 本年收费金额（万元）
    t3dv = wb["表三"].data_validations.dataValidation
    assert len(t3dv) == 1 and t3dv[0].type == "whole"
    assert len(str(t3dv[0].sqref).split()) >= 1


def test_form_prefilled_from_ledger_data_and_2019_signed_column(tmp_path):
    _, rd = synth_data(12, "2019")
    path = tmp_path / "g.xlsx"
    write_form(path, rd=rd)
    wb = load_workbook(path)
    types = {d.type: d for d in wb["表二"].data_validations.dataValidation}
    assert types["whole"] is not None and "decimal" in types
    got = read_form(path)
    assert got.canonical() == rd.canonical()


def test_bad_form_cells_are_named(tmp_path):
    path = tmp_path / "f.xlsx"
    write_form(path, "2021")
    wb = load_workbook(path)
    ids = {i: (s, c) for s, c, i in wb[IDS_SHEET].iter_rows(min_row=2, values_only=True)}
    s, c = ids["requests.granted.research"]
    wb[s][c] = "三件"
    wb.save(path)
    with pytest.raises(DataError) as exc:
        read_form(path)
    assert f"{s}!{c}" in exc.value.problems[0] and "予以公开" in exc.value.problems[0]


def test_render_refuses_unfilled_form(tmp_path):
    path = tmp_path / "f.xlsx"
    write_form(path, "2021")
    r = runner.invoke(app, ["render", str(path), "--to", "txt"])
    assert r.exit_code == 1 and "BLANK_CELL" in r.output


def test_not_a_form(tmp_path):
    from openpyxl import Workbook

    p = tmp_path / "x.xlsx"
    Workbook().save(p)
    with pytest.raises(DataError):
        read_form(p)
    assert T.LATEST == "2021"
