"""The XLSX fill-in form: the three national tables laid out as printed (merged header cells from
xxgk.form), input cells validated as non-negative integers (decimals for money), the accounting
identities shown live by formulas (平衡 / 不平衡 / 未填完), and a sheet for the prose.

A hidden sheet `_ids` maps every input cell to its canonical id, so the form reads back exactly
whatever the layout.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from .. import template as T
from ..form import grids
from ..spreadsheet import literal
from .data import DataError, ReportData, _value
from .skeleton import heading

IDS_SHEET = "_ids"
_SHEETS = {"active": "表二", "requests": "表三", "appeals": "表四"}
_OFFSET = 3  # grid starts on this row (title on row 1)
_COL_WIDTH = {"active": (26, 16, 16, 16), "requests": (8, 10, 30) + (10,) * 7, "appeals": (9,) * 15}


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
        "bold": Font(name="宋体", bold=True, size=10),
        "font": Font(name="宋体", size=10),
        "title": Font(name="宋体", bold=True, size=14),
        "input": PatternFill("solid", fgColor="FFF8DC"),
        "check": PatternFill("solid", fgColor="EEEEEE"),
    }


def _validation(kind: T.Kind):
    from openpyxl.worksheet.datavalidation import DataValidation

    if kind is T.Kind.MONEY:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = "请填写不小于0的金额（可有小数）"
    elif kind is T.Kind.SIGNED:
        dv = DataValidation(type="whole", operator="between", formula1="-999999999", formula2="999999999", allow_blank=True)
        dv.error = "请填写整数（减少填负数）"
    else:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = "请填写不小于0的整数"
    dv.errorTitle = "数值不符合要求"
    dv.showErrorMessage = True
    return dv


def _check_formula(cells_left: list[str], cells_right: list[str]) -> str:
    every = cells_left + cells_right
    left = "+".join(cells_left)
    right = "+".join(cells_right)
    return f'=IF(COUNT({",".join(every)})<{len(every)},"未填完",IF(({left})=({right}),"平衡","不平衡"))'


def write_form(path: str | Path, template_id: str = T.LATEST, rd: ReportData | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

    tpl = T.get(rd.template if rd else template_id)
    rd = rd or ReportData.blank(tpl.id)
    st = _styles()
    wb = Workbook()
    ids = []  # (sheet, cell, id)

    # -- instructions and meta
    ws = wb.active
    ws.title = "填报说明"
    ws["A1"] = "政府信息公开工作年度报告 填报表"
    ws["A1"].font = st["title"]
    rows = [("机关名称", rd.agency, "meta.agency"), ("年度", rd.year, "meta.year"), ("模板", tpl.id, "meta.template")]
    for i, (label, value, key) in enumerate(rows, start=3):
        ws.cell(i, 1, label).font = st["bold"]
        c = ws.cell(i, 2, value)
        literal(c)  # an agency name from a report never becomes a formula
        c.border = st["border"]
        if key != "meta.template":
            c.fill = st["input"]
        ids.append((ws.title, c.coordinate, key))
    notes = [
        f"本表按{tpl.issued_by}规定的年度报告格式（{tpl.id}年模板）制作。",
        "请在浅黄色格内填写数字：件数填不小于0的整数，金额可填小数；没有发生的填0，不要留空（空白不等于0）。",
        "各表下方和右侧的灰色格按勾稽关系自动核对：显示“平衡”为一致，“不平衡”需检查，“未填完”表示还有空格。",
        "“正文”表填写第一、五、六部分的文字；未填写的部分，生成报告时会写出据表格数字整理的框架，并以“【待补充：…】”标出需补写之处。",
        "填好后运行：xxgk render 本文件.xlsx --to docx -o 年度报告.docx",
    ]
    for i, n in enumerate(notes, start=8):
        ws.cell(i, 1, n)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 48

    # -- the three tables
    for key, grid in grids(tpl, rd.get).items():
        table = tpl.table(key)
        ws = wb.create_sheet(_SHEETS[key])
        ws["A1"] = heading(table.number, tpl.sections[table.number - 1].title)
        ws["A1"].font = st["title"]
        slot_cell: dict[tuple[str, str], str] = {}
        validations: dict[T.Kind, object] = {}
        matrix = grid.matrix()
        for r, cells in enumerate(matrix):
            for c, cell in enumerate(cells):
                if cell is None:
                    continue
                xr, xc = r + _OFFSET, c + 1
                target = ws.cell(xr, xc)
                if cell.rowspan > 1 or cell.colspan > 1:
                    ws.merge_cells(start_row=xr, start_column=xc, end_row=xr + cell.rowspan - 1, end_column=xc + cell.colspan - 1)
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        ws.cell(xr + dr, xc + dc).border = st["border"]
                if cell.slot:
                    _, row_id, col_id = cell.slot
                    v = rd.get(key, row_id, col_id)
                    target.value = float(v) if isinstance(v, Decimal) else v
                    target.fill = st["input"]
                    target.alignment = st["center"]
                    target.font = st["font"]
                    kind = table.column(col_id).kind
                    if kind not in validations:
                        validations[kind] = _validation(kind)
                        ws.add_data_validation(validations[kind])
                    validations[kind].add(target)
                    target.protection = Protection(locked=False)
                    slot_cell[(row_id, col_id)] = target.coordinate
                    ids.append((ws.title, target.coordinate, f"{key}.{row_id}.{col_id}"))
                else:
                    target.value = cell.text
                    target.alignment = st["left"] if cell.role == "label" else st["center"]
                    target.font = st["bold"] if cell.role in ("group", "header") else st["font"]
        widths = _COL_WIDTH.get(key, ())
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        _row_heights(ws, matrix, widths)
        _checks(ws, table, grid, slot_cell, st)
        ws.conditional_formatting.add(
            f"A1:{get_column_letter(grid.width + 2)}{len(matrix) + _OFFSET + 6}",
            CellIsRule(operator="equal", formula=['"不平衡"'], font=Font(color="C00000", bold=True), fill=PatternFill("solid", fgColor="FFC7CE")),
        )
        ws.page_setup.orientation = "landscape"  # printed: one page wide
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.protection.sheet = True  # layout locked, input cells open; no password
        ws.protection.formatCells = False
        ws.protection.formatColumns = False
        ws.protection.formatRows = False

    # -- prose
    ws = wb.create_sheet("正文")
    ws["A1"] = "各部分文字（第二、三、四部分的表格在前面各表中填写，此处可写表前的说明文字）"
    ws["A1"].font = st["bold"]
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 100
    for s in tpl.sections:
        r = s.number + 2
        ws.cell(r, 1, heading(s.number, s.title)).font = st["bold"]
        ws.cell(r, 1).alignment = st["left"]
        c = ws.cell(r, 2, rd.sections.get(s.number))
        literal(c)
        c.alignment = st["left"]
        c.fill = st["input"]
        c.border = st["border"]
        ws.row_dimensions[r].height = 120 if s.table is None else 40
        ids.append((ws.title, c.coordinate, f"section.{s.number}"))

    # -- the map of input cells
    wsid = wb.create_sheet(IDS_SHEET)
    wsid.append(("sheet", "cell", "id"))
    for row in ids:
        wsid.append(row)
    wsid.sheet_state = "hidden"
    wb.save(str(path))


def _row_heights(ws, matrix, widths) -> None:
    """Tall enough rows for wrapped labels (spreadsheets do not grow rows of merged cells)."""
    import math

    for r, cells in enumerate(matrix):
        lines = 1
        for c, cell in enumerate(cells):
            if cell is None or cell.rowspan > 1 or cell.slot or c >= len(widths):
                continue
            width = sum(widths[c:c + cell.colspan])
            lines = max(lines, math.ceil(len(cell.text) * 2.1 / max(width - 1, 1)))
        if lines > 1:
            ws.row_dimensions[r + _OFFSET].height = 14 * lines


def _checks(ws, table: T.Table, grid, slot_cell, st) -> None:
    """Formula cells for each identity of the table: a row below the table per column identity,
    a column to the right per row identity (Table 4: under each block)."""
    from openpyxl.utils import get_column_letter

    height = len(grid.rows)
    below = height + _OFFSET + 1
    # where each column's values sit (the column of the cell holding any row's value)
    col_of: dict[str, int] = {}
    row_of: dict[str, int] = {}
    for (row_id, col_id), coord in slot_cell.items():
        cell = ws[coord]
        col_of.setdefault(col_id, cell.column)
        row_of.setdefault(row_id, cell.row)
    for ident in table.identities:
        if ident.axis == "column":
            ws.cell(below, 1, f"核对：{ident.description}").font = st["bold"]
            ws.cell(below, 1).alignment = st["left"]
            first_val = min(col_of.values())
            if first_val > 2:
                ws.merge_cells(start_row=below, start_column=1, end_row=below, end_column=first_val - 1)
            ws.row_dimensions[below].height = 30
            for col in table.columns:
                left = [slot_cell[(r, col.id)] for r in ident.left]
                right = [slot_cell[(r, col.id)] for r in ident.right]
                c = ws.cell(below, col_of[col.id], _check_formula(left, right))
                c.fill, c.border, c.alignment, c.font = st["check"], st["border"], st["center"], st["font"]
            below += 1
        elif table.key == "appeals":
            ws.cell(below, 1, f"核对：{ident.description}").font = st["bold"]
            below += 1
            for row in table.rows:
                left = [slot_cell[(row.id, c)] for c in ident.left]
                right = [slot_cell[(row.id, c)] for c in ident.right]
                start = ws[slot_cell[(row.id, row.columns[0])]].column
                c = ws.cell(below, start, _check_formula(left, right))
                ws.merge_cells(start_row=below, start_column=start, end_row=below, end_column=start + len(row.columns) - 1)
                c.fill, c.border, c.alignment, c.font = st["check"], st["border"], st["center"], st["font"]
            below += 1
        else:
            col = grid.width + 2
            ws.cell(_OFFSET, col, "核对：总计＝各类申请人之和").font = st["bold"]
            ws.cell(_OFFSET, col).alignment = st["center"]
            ws.column_dimensions[get_column_letter(col)].width = 14
            for row in table.rows:
                left = [slot_cell[(row.id, c)] for c in ident.left]
                right = [slot_cell[(row.id, c)] for c in ident.right]
                c = ws.cell(row_of[row.id], col, _check_formula(left, right))
                c.fill, c.border, c.alignment, c.font = st["check"], st["border"], st["center"], st["font"]


def read_form(path: str | Path) -> ReportData:
    """ReportData from a (filled) form written by `write_form`; raises DataError naming each
    cell that does not hold what it should."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(str(path))
    except Exception as exc:  # not a workbook, damaged zip …
        raise DataError([f"{path}不是可读取的 XLSX 填报表（{type(exc).__name__}）"]) from None
    if IDS_SHEET not in wb.sheetnames:
        raise DataError([f"{path}不是 xxgk form 生成的填报表（缺少 {IDS_SHEET} 工作表），请用 xxgk form 重新生成"])
    ids = [(s, c, i) for s, c, i in wb[IDS_SHEET].iter_rows(min_row=2, values_only=True) if i]
    meta = {i.split(".", 1)[1]: wb[s][c].value for s, c, i in ids if i.startswith("meta.")}
    template_id = str(meta.get("template") or T.LATEST)
    if template_id not in T.TEMPLATES:
        raise DataError([f"填报表的模板“{template_id}”未知"])
    tpl = T.get(template_id)
    problems: list[str] = []
    year = meta.get("year")
    if year is not None:
        try:
            year = int(str(year).strip().rstrip("年度").split(".")[0])
        except ValueError:
            problems.append(f"填报说明：年度“{year}”不是年份")
            year = None
    agency = meta.get("agency")
    rd = ReportData.blank(tpl.id, str(agency).strip() if agency else None, year)
    for sheet, coord, ident in ids:
        value = wb[sheet][coord].value
        if ident.startswith("section."):
            if value is not None and str(value).strip():
                rd.sections[int(ident.split(".")[1])] = str(value).strip("\n")
            continue
        if ident.startswith("meta."):
            continue
        key, row_id, col_id = ident.split(".")
        table = tpl.table(key)
        if isinstance(value, str) and value.startswith("="):
            problems.append(f"{sheet}!{coord}（{table.row(row_id).name} {table.column(col_id).label}）是公式，请填数字")
            continue
        try:
            rd.values[key][row_id][col_id] = _value(value, table.column(col_id).kind)
        except (ValueError, ArithmeticError):
            problems.append(f"{sheet}!{coord}（{table.row(row_id).name} {table.column(col_id).label}）的值“{value}”不是数字")
    if problems:
        raise DataError(problems)
    return rd
