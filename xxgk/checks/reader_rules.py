"""What the reader and extractor know: is it a report at all, what is missing, what was blank,
which numbers could not be placed or were placed by inference."""

from __future__ import annotations

from ..report import Report, Severity
from .registry import finding, rule


@rule("NOT_A_REPORT", Severity.ERROR, "输入可以读取，但不是政府信息公开工作年度报告", group="reader")
def not_a_report(report: Report):
    if not report.is_report:
        yield finding("NOT_A_REPORT", "该文件不是政府信息公开工作年度报告：找不到报告标题、六个部分或统计表格")


@rule("MISSING_SECTION", Severity.ERROR, "六个部分中有部分找不到", group="reader")
def missing_section(report: Report):
    found = {s.number for s in report.sections}
    for sec in report.spec.sections:
        if sec.number not in found:
            if sec.table and sec.table in report.found_tables:
                continue  # the heading was lost in conversion but the table it introduces is there
            yield finding(
                "MISSING_SECTION",
                f"找不到第{_CN[sec.number]}部分「{sec.title}」",
                section=sec.number,
            )


@rule("MISSING_TABLE", Severity.ERROR, "表二、表三或表四找不到", group="reader")
def missing_table(report: Report):
    for table in report.spec.tables:
        if table.key not in report.found_tables:
            yield finding("MISSING_TABLE", f"找不到{table.name}（{table.title[2:]}）", table=table.key)


@rule("BLANK_CELL", Severity.WARNING, "应填数字的表格单元格为空（每行至多报一次）", group="reader")
def blank_cell(report: Report):
    not_numbers = {(w.get("table"), w.get("row")) for c, _, w in report.notes if c == "CELL_NOT_NUMBER"}
    for table in report.spec.tables:
        if table.key not in report.found_tables:
            continue
        got = report.tables[table.key]
        statuses = {got[row.id][c].status for row in table.rows for c in row.columns}
        if "blank" not in statuses and "missing" not in statuses:
            continue  # the common case: no cell of the table is empty
        for row in table.rows:
            if (table.key, row.id) in not_numbers:
                continue  # CELL_NOT_NUMBER says what stands there instead of numbers
            cells = report.tables[table.key][row.id]
            blank = [c for c in row.columns if cells[c].status in ("blank", "missing")]
            if not blank:
                continue
            if len(blank) == len(row.columns) and all(cells[c].status == "missing" for c in blank):
                msg = f"{table.name}缺少「{row.label}」一行"
            else:
                names = "、".join(table.column(c).label for c in blank)
                msg = f"{table.name}「{row.label}」一行有{len(blank)}格为空（{names}），空白不等于0，请填写数字"
            lines = [cells[c].line for c in blank if cells[c].line]
            yield finding("BLANK_CELL", msg, table=table.key, row=row.id, columns=blank, line=lines[0] if lines else None)


@rule("DECODE_LOSSY", Severity.WARNING, "文件有无法解码的字节或末尾被截断，报告内容可能不完整", group="reader")
def decode_lossy(report: Report):
    yield from notes(report, "DECODE_LOSSY")


@rule("CELL_CUT_OFF", Severity.WARNING, "文档在表格中途结束，最后一个数可能不完整，已留空", group="reader")
def cell_cut_off(report: Report):
    yield from notes(report, "CELL_CUT_OFF")


@rule("ROW_UNPLACED", Severity.WARNING, "一行读到的数字个数与列数不符，无法确定各数所在的列，已留空", group="reader")
def row_unplaced(report: Report):
    yield from notes(report, "ROW_UNPLACED")


@rule("CELL_INFERRED", Severity.INFO, "一行缺少或多出一个数，已按勾稽关系唯一确定", group="reader")
def cell_inferred(report: Report):
    yield from notes(report, "CELL_INFERRED")


@rule("PAGE_TOO_COMPLEX", Severity.WARNING, "PDF某页线条过多，未按表格线识别该页的表格", group="reader")
def page_too_complex(report: Report):
    yield from notes(report, "PAGE_TOO_COMPLEX")


@rule("CELL_NOT_NUMBER", Severity.WARNING, "表格中应填数字的单元格写的不是数字（如“1e5”“十二”），该格已按推算值暂填或留空", group="reader")
def cell_not_number(report: Report):
    yield from notes(report, "CELL_NOT_NUMBER")


@rule("DUPLICATE_ROW", Severity.WARNING, "同一行在表中出现两次且数字不同", group="reader")
def duplicate_row(report: Report):
    yield from notes(report, "DUPLICATE_ROW")


@rule("TEMPLATE_UNKNOWN", Severity.WARNING, "无法从表头判断使用的是2021年还是2019年模板", group="reader")
def template_unknown(report: Report):
    if not report.template_detected and report.found_tables:
        yield finding("TEMPLATE_UNKNOWN", f"无法从表头判断模板版本，按报告年度采用{report.template}年模板读取，请核对表二表头")


def notes(report: Report, code: str):
    """The findings a stage noted while reading (extract, settle, a reader) under `code`."""
    for c, message, where in report.notes:
        if c == code:
            yield finding(code, message, **where)


_CN = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六"}


@rule("ROW_CUT", Severity.WARNING, "文档在表格某行中断，只读到该行前几格，其余缺失", group="reader")
def row_cut(report: Report):
    yield from notes(report, "ROW_CUT")


@rule("SUBROWS_SUMMED", Severity.INFO, "某行未单列数字而分列子项，已按子项逐列相加", group="reader")
def subrows_summed(report: Report):
    yield from notes(report, "SUBROWS_SUMMED")


@rule("UNIT_CONVERTED", Severity.INFO, "金额单元格或表头注明的单位与模板不同，已折合为模板单位", group="reader")
def unit_converted(report: Report):
    yield from notes(report, "UNIT_CONVERTED")


@rule("UNIT_INFERRED", Severity.WARNING, "金额未注明单位且按模板单位数额过大，已推定单位并折合，请核实", group="reader")
def unit_inferred(report: Report):
    yield from notes(report, "UNIT_INFERRED")


@rule("ROWS_BY_ORDER", Severity.INFO, "分组下各行名称缺失，数字按表格固定行序读入", group="reader")
def rows_by_order(report: Report):
    yield from notes(report, "ROWS_BY_ORDER")


@rule("CELL_CHAR_LOST", Severity.INFO, "表格数字前有一个在转换中丢失的字符（如“? 0”），数字已照读", group="reader")
def cell_char_lost(report: Report):
    yield from notes(report, "CELL_CHAR_LOST")


@rule("CELL_SIGN_LOST", Severity.WARNING, "本年增/减一格数字前的字符在转换中丢失，可能是正负号，该格已留空", group="reader")
def cell_sign_lost(report: Report):
    yield from notes(report, "CELL_SIGN_LOST")
