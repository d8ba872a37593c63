"""Report data for the renderer: a YAML/JSON file or a filled XLSX form → `ReportData`.

Keys are the canonical ids of the spec; the official Chinese labels (and the spellings the
template declares) are accepted too.  Every key that cannot be resolved is an error, never
silently dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import template as T
from ..extract.labels import label_index
from ..text import cell_value, fold, strip_numbering


class DataError(Exception):
    """The data file cannot be used; `problems` lists every reason (Chinese sentences)."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass
class ReportData:
    template: str
    agency: str | None
    year: int | None
    values: dict[str, dict[str, dict[str, Any]]]  # table → row → column → int | Decimal | None
    sections: dict[int, str] = field(default_factory=dict)  # author's prose per section number
    title: str | None = None

    @property
    def spec(self) -> T.Template:
        return T.get(self.template)

    def display_title(self) -> str:
        if self.title:
            return self.title
        return f"{self.agency or '【待补充：机关名称】'}{self.year or '【待补充：年度】'}年政府信息公开工作年度报告"

    def get(self, table: str, row: str, col: str):
        return self.values[table][row][col]

    def canonical(self) -> dict:
        """The values in the canonical JSON shape (as `xxgk parse` prints them)."""
        return {k: self.values[k] for k in T.TABLE_KEYS}

    def to_json(self) -> dict:
        out: dict[str, Any] = {
            "schema": "xxgk.report/1",
            "template": self.template,
            "meta": {"agency": self.agency, "year": self.year, "title": self.title or self.display_title()},
        }
        out.update(self.canonical())
        out["sections"] = {str(n): t for n, t in sorted(self.sections.items())}
        return out

    @classmethod
    def blank(cls, template_id: str, agency: str | None = None, year: int | None = None) -> "ReportData":
        tpl = T.get(template_id)
        values = {t.key: {r.id: {c: None for c in r.columns} for r in t.rows} for t in tpl.tables}
        return cls(template_id, agency, year, values)


# ---- key resolution --------------------------------------------------------------------------

_META_KEYS = {
    "agency": ("agency", "机关", "机关名称", "单位", "单位名称", "报告机关"),
    "year": ("year", "年度", "年份", "报告年度"),
    "title": ("title", "标题", "报告标题"),
    "template": ("template", "模板", "模板版本"),
}
_IGNORED = {"schema", "source", "findings", "provenance", "consolidated_from"}  # consolidated_from: xxgk sum


def _meta_key(key: str) -> str | None:
    k = fold(str(key))
    for name, keys in _META_KEYS.items():
        if k in keys:
            return name
    return None


def _table_key(tpl: T.Template, key: str) -> str | None:
    k = fold(str(key))
    for t in tpl.tables:
        names = {t.key, fold(t.name), fold(t.title), strip_numbering(fold(t.title)), f"表{t.number}", f"table{t.number}"}
        if k in names or k.lower() in names:
            return t.key
    return None


def _row_key(tpl: T.Template, table: T.Table, key: str) -> str | None:
    if key in table._rows:
        return key
    k = fold(str(key))
    for r in table.rows:
        if k in (fold(r.label), strip_numbering(fold(r.label)), fold(r.short), strip_numbering(fold(r.short or "-"))):
            return r.id
    if table.key == "appeals":
        for r in table.rows:
            if any(fold(x) in k for x in r.keys) and (r.id != "reconsideration" or "诉讼" not in k):
                return r.id
        return None
    hit = label_index(tpl.id).match(str(key))
    return hit[1] if hit and hit[0] == table.key else None


def _col_key(table: T.Table, key: str) -> str | None:
    if key in table._cols:
        return key
    k = strip_numbering(fold(str(key)))
    for c in table.columns:
        if k == fold(c.label) or k in (fold(x) for x in c.keys):
            return c.id
    return None


def _section_number(tpl: T.Template, key) -> int | None:
    if isinstance(key, int):
        return key if 1 <= key <= 6 else None
    k = fold(str(key))
    if k.isdigit():
        n = int(k)
        return n if 1 <= n <= 6 else None
    core = strip_numbering(k)
    for s in tpl.sections:
        if core == fold(s.title) or any(fold(x) == core for x in s.keys):
            return s.number
    return None


def _value(raw, kind: T.Kind):
    """A cell value from a data file: int / Decimal / None, or raise ValueError."""
    if raw is None or isinstance(raw, bool):
        if isinstance(raw, bool):
            raise ValueError(raw)
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        d = Decimal(repr(raw))
    elif isinstance(raw, Decimal):
        d = raw
    else:
        cv = cell_value(str(raw))
        if cv.kind == "blank":
            return None
        if cv.kind != "number":
            raise ValueError(raw)
        d = cv.number if isinstance(cv.number, Decimal) else Decimal(cv.number)
    if kind is not T.Kind.MONEY and d == d.to_integral_value():
        return int(d)
    return d


def _infer_template(data: dict, year: int | None) -> str:
    """The template a keyed data file is written for: 2019-only ids/labels, else by year."""
    t19, t21 = T.get("2019"), T.get("2021")
    only19 = {"other_services", "procurement", "new_made", "new_published", "total_published", "other", "其他对外管理服务事项", "政府集中采购"}
    only21 = {"issued", "repealed", "in_force", "other_no_correction", "other_unpaid_fee", "other_other", "本年制发件数", "现行有效件数"}

    def keys(obj, depth=0):
        if isinstance(obj, dict) and depth < 4:
            for k, v in obj.items():
                yield fold(str(k))
                yield from keys(v, depth + 1)

    found = set(keys({k: v for k, v in data.items() if _table_key(t21, k) or _table_key(t19, k)}))
    if found & only19 and not found & only21:
        return "2019"
    if found & only21:
        return "2021"
    return T.for_year(year).id


def from_mapping(data: dict) -> ReportData:
    """ReportData from a parsed YAML/JSON mapping; raises DataError naming every problem."""
    if not isinstance(data, dict):
        raise DataError(["数据文件的顶层应为键值对（映射），而不是列表或单个值"])
    problems: list[str] = []
    meta: dict[str, Any] = {}
    for k, v in (data.get("meta") or {}).items():
        name = _meta_key(k)
        if name:
            meta[name] = v
    for k, v in data.items():
        name = _meta_key(k)
        if name and v is not None:
            meta[name] = v
    year = meta.get("year")
    if year is not None:
        try:
            year = int(str(year).rstrip("年度"))
        except ValueError:
            problems.append(f"年度“{year}”不是年份")
            year = None
    template_id = str(meta["template"]) if meta.get("template") else _infer_template(data, year)
    if template_id not in T.TEMPLATES:
        raise DataError([f"未知的模板版本“{template_id}”，可用：{'、'.join(T.TEMPLATES)}"])
    tpl = T.get(template_id)
    rd = ReportData.blank(template_id, meta.get("agency"), year)
    rd.title = meta.get("title")
    for key, body in data.items():
        if key == "meta" or key in _IGNORED or _meta_key(key):
            continue
        if fold(str(key)) in ("sections", "正文", "各部分"):
            _read_sections(tpl, body, rd, problems)
            continue
        tkey = _table_key(tpl, key)
        if tkey is None:
            problems.append(f"无法识别的键“{key}”（应为 active/requests/appeals、表二/表三/表四、sections 或 meta）")
            continue
        _read_table(tpl, tpl.table(tkey), body, rd, problems)
    if problems:
        raise DataError(problems)
    return rd


def _read_sections(tpl, body, rd: ReportData, problems: list[str]) -> None:
    items: list[tuple[Any, Any]]
    if isinstance(body, list):  # `xxgk parse` output: [{"number", "title", "text"}, ...]
        items = [(s.get("number") or s.get("title"), s.get("text")) for s in body if isinstance(s, dict)]
    elif isinstance(body, dict):
        items = list(body.items())
    else:
        problems.append("sections 应为 {部分编号或标题: 正文} 的映射")
        return
    for key, text in items:
        n = _section_number(tpl, key)
        if n is None:
            problems.append(f"无法识别的部分“{key}”（应为1～6或部分标题，如“总体情况”）")
        elif text is not None and str(text).strip():
            rd.sections[n] = str(text).strip("\n")


def _read_table(tpl, table: T.Table, body, rd: ReportData, problems: list[str]) -> None:
    if not isinstance(body, dict):
        problems.append(f"{table.name}应为 {{行: {{列: 数字}}}} 的映射")
        return
    for rkey, cols in body.items():
        rid = _row_key(tpl, table, rkey)
        if rid is None:
            problems.append(f"{table.name}中无法识别的行“{rkey}”（{tpl.id}年模板）")
            continue
        row = table.row(rid)
        if not isinstance(cols, dict):
            problems.append(f"{table.name}「{row.name}」应为 {{列: 数字}} 的映射")
            continue
        for ckey, raw in cols.items():
            cid = _col_key(table, ckey)
            if cid is None or cid not in row.columns:
                problems.append(f"{table.name}「{row.name}」中无法识别的列“{ckey}”")
                continue
            try:
                rd.values[table.key][rid][cid] = _value(raw, table.column(cid).kind)
            except (ValueError, ArithmeticError):
                problems.append(f"{table.name}「{row.name}」{table.column(cid).label}的值“{raw}”不是数字")


# ---- files -------------------------------------------------------------------------------------

def load(path: str | Path) -> ReportData:
    """YAML, JSON or a filled XLSX form (by content)."""
    p = Path(path)
    from ..readers import ReadError
    from ..readers import load as read_file

    try:
        raw = read_file(p)
    except ReadError as exc:
        raise DataError([str(exc)]) from None
    if raw.startswith(b"PK\x03\x04"):
        from .form_xlsx import read_form

        return read_form(p)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise DataError([f"{p}不是 UTF-8 或 GBK 编码的文本"]) from None
    # a .yaml file may well start with "{" (a flow mapping): only a .json file is read as JSON
    if p.suffix.lower() == ".json" or (p.suffix.lower() not in (".yaml", ".yml") and text.lstrip().startswith("{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError([f"JSON 格式错误：第{exc.lineno}行第{exc.colno}列，{exc.msg}"]) from None
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"第{mark.line + 1}行" if mark else ""
            raise DataError([f"YAML 格式错误{where}：{getattr(exc, 'problem', None) or exc}{_HINT}"]) from None
    if not isinstance(data, dict):
        raise DataError([f"不是报告数据{_HINT}"])
    return from_mapping(data)


_HINT = "（数据文件应为 YAML、JSON 或 xxgk form 生成的 XLSX 填报表；已有的报告可先用 xxgk parse 转成 JSON）"


def dump(data: dict, path: str | Path) -> None:
    """Write a canonical dict as JSON or YAML, by the file's extension."""
    p = Path(path)
    if p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        p.write_text(yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False), encoding="utf-8")
    else:
        p.write_text(json.dumps(_plain(data), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _plain(obj):
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, Decimal):
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    return obj
