"""Read a ledger or case list (CSV in UTF-8/GBK, or XLSX) into checked records.

Every row that cannot be used is reported with its row number (as the user sees it in the
spreadsheet: the header is usually row 1); nothing is dropped silently.  Wholly empty rows are
not records and are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .. import template as T
from ..extract.labels import label_index
from ..text import fold, strip_numbering


class LedgerError(Exception):
    """The file as a whole cannot be read (one Chinese sentence)."""


@dataclass(frozen=True)
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行：{self.message}"


@dataclass
class Request:
    row: int
    id: str
    received: dt.date
    applicant: str  # Table 3 column id
    result: str | None  # Table 3 result row id; None while open
    closed: dt.date | None
    corrected: dt.date | None = None  # 补正日期: the day the completed request arrived
    extended: bool = False  # 延期 (+20 working days)


@dataclass
class Case:
    row: int
    id: str
    block: str  # Table 4 block id
    result: str  # Table 4 column id (upheld / corrected / other / pending)
    received: dt.date | None = None
    closed: dt.date | None = None


# header names accepted for each field (folded)
REQUEST_FIELDS = {
    "id": ("编号", "申请编号", "登记编号", "序号"),
    "received": ("收到日期", "收到申请日期", "申请日期", "受理日期", "登记日期"),
    "applicant": ("申请人类型", "申请人类别", "申请人情况"),
    "result": ("办理结果", "答复结果", "处理结果", "办理结果类型"),
    "closed": ("办结日期", "答复日期", "办结时间"),
    "corrected": ("补正日期", "收到补正日期", "补正后收到日期"),
    "extended": ("延期", "是否延期", "延期答复"),
}
REQUEST_REQUIRED = ("id", "received", "applicant", "result", "closed")
CASE_FIELDS = {
    "id": ("编号", "案件编号", "序号"),
    "block": ("类型", "案件类型", "类别"),
    "result": ("结果", "审结结果", "案件结果"),
    "received": ("收到日期", "立案日期", "申请日期", "起诉日期", "日期"),
    "closed": ("审结日期", "结案日期", "办结日期"),
}
CASE_REQUIRED = ("block", "result")

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YES = {"是", "y", "yes", "true", "1", "已延期", "延期", "√"}
_NO = {"否", "n", "no", "false", "0", "未延期", "不延期", "", "无"}


def parse_date(value) -> dt.date | None:
    """A date from a cell: Excel date, 2024-01-05, 2024/1/5, 2024年1月5日, 20240105; None if blank;
    raises ValueError when it is not a date."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial day number
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        raise ValueError(value)
    s = str(value).strip().replace("\u3000", " ")
    if not s:
        return None
    s = s.translate(str.maketrans("０１２３４５６７８９／－．", "0123456789/-."))
    m = _DATE.match(s) or _DATE8.match(s)
    if not m:
        raise ValueError(value)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---- raw rows ------------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise LedgerError("无法识别文件编码（应为 UTF-8 或 GBK 编码的 CSV）")


def raw_rows(path: str | Path) -> list[tuple[int, list]]:
    """(row number, cells) of every row of a CSV or the first sheet of an XLSX."""
    p = Path(path)
    from ..readers import ReadError, load

    try:
        data = load(p)
    except ReadError as exc:
        raise LedgerError(str(exc)) from None
    if data.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
        except Exception as exc:
            raise LedgerError(f"不是可读取的 XLSX 文件（{type(exc).__name__}）") from None
        ws = wb.worksheets[0]
        return [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerError("不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV")
    text = _decode(data)
    sample = text[:4096]
    delim = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    out = []
    try:
        for cells in reader:
            out.append((reader.line_num, cells))
    except csv.Error as exc:
        raise LedgerError(f"CSV 格式错误（第{reader.line_num}行）：{exc}") from None
    return out


def _header(rows, fields: dict, required: tuple, what: str):
    """(index of the header row in rows, field → column index)."""
    for k, (_, cells) in enumerate(rows[:20]):
        names = [fold(_cell_text(c)) for c in cells]
        cols = {}
        for field, aliases in fields.items():
            for alias in aliases:  # the first alias wins: 编号 before 序号
                if alias in names:
                    cols[field] = names.index(alias)
                    break
        if sum(1 for f in required if f in cols) >= min(2, len(required)):
            missing = [fields[f][0] for f in required if f not in cols]
            if missing:
                raise LedgerError(f"{what}缺少必需的列：{'、'.join(missing)}（第{rows[k][0]}行是表头）")
            return k, cols
    need = "、".join(fields[f][0] for f in required)
    raise LedgerError(f"找不到{what}的表头（应有列：{need}）")


# ---- resolving labels ----------------------------------------------------------------------

def applicant_column(text: str) -> str | None:
    t = fold(text)
    cols = [c for c in T.get(T.LATEST).table("requests").columns if c.id != "total"]
    for c in cols:
        if t in (c.id, fold(c.label)):
            return c.id
    for c in cols:
        if c.id != "other_org" and any(fold(k) in t for k in c.keys):
            return c.id
    if t in ("个人", "公民"):
        return "natural_person"
    if t.startswith("其他") or t.startswith("其它"):
        return "other_org"
    return None


def result_rows(tpl: T.Template) -> tuple[str, ...]:
    return next(i.right for i in tpl.table("requests").identities if i.code == "T3_RESULT_SUM")


_TO_2019_OTHER = ("other_no_correction", "other_unpaid_fee", "other_other")


def result_row(text: str, tpl: T.Template) -> str | None:
    """A Table 3 result row from its id or label (official or as declared in the template)."""
    rows = result_rows(tpl)
    t = fold(text)
    if tpl.id == "2019" and t in _TO_2019_OTHER:
        return "other"
    if t in rows:
        return t
    table = tpl.table("requests")
    for r in rows:
        row = table.row(r)
        if t in (fold(row.label), strip_numbering(fold(row.label)), fold(row.short or "-")):
            return r
    hit = label_index(tpl.id).match(text)
    if hit and hit[0] == "requests" and hit[1] in rows:
        return hit[1]
    if tpl.id == "2019":
        hit = label_index("2021").match(text)
        if hit and hit[1] in _TO_2019_OTHER:
            return "other"
    return None


def _yes_no(text: str) -> bool:
    t = fold(text).lower()
    if t in _YES:
        return True
    if t in _NO:
        return False
    raise ValueError(text)


def _records(rows, cols: dict):
    """(row number, field → cell value) of each non-empty row below the header."""
    for no, cells in rows:
        if not any(_cell_text(c) for c in cells):
            continue

        def get(field, cells=cells):
            i = cols.get(field)
            return cells[i] if i is not None and i < len(cells) else None

        yield no, get


# ---- the ledger ------------------------------------------------------------------------------

def read_ledger(path: str | Path, tpl: T.Template) -> tuple[list[Request], list[RowError]]:
    rows = raw_rows(path)
    k, cols = _header(rows, REQUEST_FIELDS, REQUEST_REQUIRED, "台账")
    requests: list[Request] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    applicants = "、".join(c.label for c in tpl.table("requests").columns if c.id != "total")

    for no, get in _records(rows[k + 1:], cols):
        problems: list[str] = []
        rid = _cell_text(get("id"))
        if not rid:
            problems.append("缺少编号")
        elif rid in seen:
            problems.append(f"编号“{rid}”与第{seen[rid]}行重复")
        else:
            seen[rid] = no
        dates = {}
        for field in ("received", "closed", "corrected"):
            try:
                dates[field] = parse_date(get(field))
            except ValueError:
                dates[field] = None
                problems.append(f"{REQUEST_FIELDS[field][0]}“{_cell_text(get(field))}”不是日期（可写 2024-01-05、2024/1/5、2024年1月5日）")
        received, closed, corrected = dates["received"], dates["closed"], dates["corrected"]
        if received is None and _cell_text(get("received")) == "":
            problems.append("缺少收到日期")
        kind = _cell_text(get("applicant"))
        applicant = applicant_column(kind) if kind else None
        if applicant is None:
            problems.append(f"申请人类型“{kind}”无法识别（应为{applicants}）" if kind else "缺少申请人类型")
        res_text = _cell_text(get("result"))
        result = result_row(res_text, tpl) if res_text else None
        if res_text and result is None:
            problems.append(f"办理结果“{res_text}”不是{tpl.id}年模板表三的办理结果（如“予以公开”“本机关不掌握相关政府信息”）")
        if result is not None and closed is None and _cell_text(get("closed")) == "":
            problems.append("已填办理结果，但没有办结日期")
        if closed is not None and not res_text:
            problems.append("已填办结日期，但没有办理结果")
        if received and closed and closed < received:
            problems.append(f"办结日期{closed}早于收到日期{received}")
        if received and corrected and corrected < received:
            problems.append(f"补正日期{corrected}早于收到日期{received}")
        if corrected and closed and closed < corrected:
            problems.append(f"办结日期{closed}早于补正日期{corrected}")
        try:
            extended = _yes_no(_cell_text(get("extended")))
        except ValueError:
            extended = False
            problems.append(f"延期“{_cell_text(get('extended'))}”应为“是”或“否”")
        if problems:
            errors += [RowError(no, p) for p in problems]
            continue
        requests.append(Request(no, rid, received, applicant, result, closed, corrected, extended))
    return requests, errors


# ---- the case list (Table 4) -----------------------------------------------------------------

_CASE_RESULTS = (
    ("upheld", ("结果维持", "维持", "upheld")),
    ("corrected", ("结果纠正", "纠正", "撤销", "确认违法", "责令", "corrected")),
    ("pending", ("尚未审结", "未审结", "审理中", "pending", "")),
    ("other", ("其他结果", "其他", "其它", "驳回", "终止", "撤诉", "other")),
)


def case_block(text: str) -> str | None:
    t = fold(text)
    if t in ("reconsideration", "litigation_direct", "litigation_after_reconsideration"):
        return t
    if "复议后" in t:
        return "litigation_after_reconsideration"
    if "诉讼" in t or "直接" in t or "起诉" in t:
        return "litigation_direct"
    if "复议" in t:
        return "reconsideration"
    return None


def case_result(text: str) -> str | None:
    t = fold(text)
    for col, keys in _CASE_RESULTS:
        if t == col or t in keys:
            return col
    for col, keys in _CASE_RESULTS:
        if any(k and k in t for k in keys):
            return col
    return None


def read_cases(path: str | Path) -> tuple[list[Case], list[RowError]]:
    rows = raw_rows(path)
    k, cols = _header(rows, CASE_FIELDS, CASE_REQUIRED, "案件清单")
    cases: list[Case] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for no, get in _records(rows[k + 1:], cols):
        problems = []
        cid = _cell_text(get("id")) or f"第{no}行"
        if cid in seen:
            problems.append(f"编号“{cid}”与第{seen[cid]}行重复")
        seen.setdefault(cid, no)
        block = case_block(_cell_text(get("block")))
        if block is None:
            problems.append(f"类型“{_cell_text(get('block'))}”无法识别（应为 行政复议 / 行政诉讼·直接起诉 / 复议后起诉）")
        result = case_result(_cell_text(get("result")))
        if result is None:
            problems.append(f"结果“{_cell_text(get('result'))}”无法识别（应为 结果维持 / 结果纠正 / 其他结果 / 尚未审结）")
        dates = {}
        for field in ("received", "closed"):
            try:
                dates[field] = parse_date(get(field))
            except ValueError:
                dates[field] = None
                problems.append(f"{CASE_FIELDS[field][0]}“{_cell_text(get(field))}”不是日期")
        if dates["received"] and dates["closed"] and dates["closed"] < dates["received"]:
            problems.append(f"审结日期{dates['closed']}早于收到日期{dates['received']}")
        if problems:
            errors += [RowError(no, p) for p in problems]
            continue
        cases.append(Case(no, cid, block, result, dates["received"], dates["closed"]))
    return cases, errors
