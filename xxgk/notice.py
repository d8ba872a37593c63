"""Review opinions (审核意见) to send back to the organs whose reports have problems, and the
batch register 审核汇总.xlsx.

    items = [from_report(r, reviews) for r in reports]     # or from_store(store, **filters)
    write_batch(items, Path("审核意见"), deadline="2025年2月10日", office="某县政务公开办")

A notice quotes every error and warning of its report verbatim — grouped 必须整改 (errors) and
建议修改 (warnings) — with the table/row/column or section it is about and the source line or page;
findings a reviewer dismissed in the desk are left out, confirmed ones are marked 已确认.  The
layout is the one xxgk.render.docx uses for reports (A4, GB/T 9704 margins, 仿宋/黑体/宋体).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import template as T
from .report import Report

PLACEHOLDER_DEADLINE = "【待补充：整改期限】"
PLACEHOLDER_OFFICE = "【待补充：审核单位】"
PLACEHOLDER_DATE = "【待补充：成文日期】"
SUMMARY_NAME = "审核汇总.xlsx"
REVIEW_CN = {"confirmed": "已确认", "dismissed": "已排除", None: "未审核"}
SEVERITY_CN = {"error": "必须整改", "warning": "建议修改", "info": "提示"}


@dataclass
class Item:
    """One finding as a notice shows it."""

    code: str
    severity: str  # error | warning | info
    message: str
    where: dict[str, Any]
    key: str | None = None  # the stable key the corpus's reviews attach to
    review: str | None = None  # confirmed | dismissed | None
    comment: str | None = None


@dataclass
class Subject:
    """One report under review: who, which year, which file, and its findings."""

    agency: str | None
    year: int | None
    template: str
    source: str | None
    sha256: str | None
    findings: list[Item]
    lines: list[str] = field(default_factory=list)
    report_id: int | None = None  # in the corpus
    # where each cell was read: (table, row, column) → (line, page), for findings without a line
    cell_at: dict[tuple[str, str, str], tuple[int | None, int | None]] = field(default_factory=dict)

    def where_of(self, f: "Item") -> dict[str, Any]:
        """The finding's `where`, with the line/page of the first cell it names when it has none."""
        w = f.where
        if w.get("line") is not None or w.get("page") is not None:
            return w
        rows = [w["row"]] if w.get("row") else list(w.get("rows") or ())
        cols = [w["column"]] if w.get("column") else list(w.get("columns") or ())
        for r in rows:
            for c in cols:
                line, page = self.cell_at.get((w.get("table"), r, c), (None, None))
                if line is not None or page is not None:
                    return dict(w, line=line, page=page)
        return w

    @property
    def file(self) -> str | None:
        """The file's own name (a path on the reviewer's machine means nothing to the organ)."""
        return re.split(r"[/\\!]", self.source)[-1] if self.source else None

    @property
    def shown(self) -> list[Item]:
        """What the notice quotes: errors and warnings not dismissed."""
        return [f for f in self.findings if f.severity in ("error", "warning") and f.review != "dismissed"]

    @property
    def needs_notice(self) -> bool:
        return bool(self.shown)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.shown if f.severity == severity)

    @property
    def review_state(self) -> str:
        """未审核 / 已审核 / 部分审核, with the counts of confirmed and dismissed."""
        rated = [f for f in self.findings if f.severity in ("error", "warning")]
        if not rated:
            return "无问题"
        done = [f for f in rated if f.review]
        c = sum(1 for f in done if f.review == "confirmed")
        d = len(done) - c
        state = "未审核" if not done else ("已审核" if len(done) == len(rated) else "部分审核")
        return state + (f"（确认{c}、排除{d}）" if done else "")


# ---- from a parsed report, or from the corpus -------------------------------------------------


def from_report(report: Report, reviews: Mapping[str, Any] | None = None) -> Subject:
    """A parsed report (cross-year findings of its batch included); `reviews` maps finding keys
    to the corpus's reviews (objects with .status and .comment), keyed as the corpus keys them."""
    from .checks import RULES
    from .store.rows import finding_keys

    sha = report.source.sha256 or ""
    own = [f for f in report.findings if RULES.get(f.code) is None or RULES[f.code].scope != "corpus"]
    mine = {id(f) for f in own}
    cross = [f for f in report.findings if id(f) not in mine]
    keyed = list(zip(finding_keys(sha, ((f.code, f.where) for f in own)), own))
    keyed += list(zip(finding_keys(sha, ((f.code, f.where) for f in cross)), cross))
    order = {id(f): i for i, f in enumerate(report.findings)}
    keyed.sort(key=lambda kf: order[id(kf[1])])
    items = []
    for key, f in keyed:
        rev = (reviews or {}).get(key)
        items.append(Item(f.code, f.severity.value, f.message, f.where, key,
                          getattr(rev, "status", None), getattr(rev, "comment", None)))
    return Subject(report.meta.agency, report.meta.year, report.template, report.source.path or report.source.name,
                   report.source.sha256, items, list(report.lines), cell_at=_cell_at(report))


def _cell_at(report: Report) -> dict:
    return {(t, r, c): (v.line, v.page) for t, rows in report.tables.items() for r, cols in rows.items()
            for c, v in cols.items() if v.line is not None or v.page is not None}


def from_store(store, *, limit: int | None = None, **filters) -> list[Subject]:
    """Every stored report matching the corpus filters (agency, year, region, level, ids …)."""
    out = []
    for s in store.reports(limit=limit, order="agency", is_report=True, **filters):
        out.append(subject_of(store, s.id))
    return out


def subject_of(store, report_id: int) -> Subject:
    report = store.report(report_id)
    rows = store.findings(report_id=report_id)
    items = [Item(f.code, f.severity, f.message, f.where, f.key, f.review.status if f.review else None,
                  f.review.comment if f.review else None) for f in rows]
    return Subject(report.meta.agency, report.meta.year, report.template, report.source.path or report.source.name,
                   report.source.sha256, items, list(report.lines), report_id, _cell_at(report))


# ---- where a finding is --------------------------------------------------------------------------


def location(template_id: str, where: Mapping[str, Any]) -> str:
    """The table, row and column (or the section) a finding is about, in Chinese."""
    tpl = T.get(template_id)
    parts: list[str] = []
    tkey = where.get("table")
    if tkey in tpl.table_keys:
        table = tpl.table(tkey)
        rows = [where["row"]] if where.get("row") else list(where.get("rows") or ())
        cols = [where["column"]] if where.get("column") else list(where.get("columns") or ())
        rnames = [table.row(r).name for r in rows if r in table._rows]
        cnames = [table.column(c).label for c in cols if c in table._cols]
        text = table.name
        if rnames:
            text += "「" + "、".join(rnames[:4]) + ("等" if len(rnames) > 4 else "") + "」"
        if cnames:
            text += "、".join(cnames[:4]) + ("等" if len(cnames) > 4 else "") + ("列" if not rnames else "")
        cells = [c for c in where.get("cells") or () if isinstance(c, str)]
        if not rnames and not cnames and cells:
            text += f"（{len(cells)}个单元格）"
        parts.append(text)
    section = where.get("section")
    if isinstance(section, int):
        title = next((s.title for s in tpl.sections if s.number == section), "")
        parts.append(f"第{_CN_NUM.get(section, section)}部分{('“' + title + '”') if title else ''}")
    return "；".join(parts)


_CN_NUM = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六"}


def source_ref(where: Mapping[str, Any], lines: list[str] | None = None, width: int = 40) -> str:
    """第3页 / 原文第12行“…” — where the reviewer finds it in the report as published."""
    page, line = where.get("page"), where.get("line")
    out = []
    if isinstance(page, int):
        out.append(f"第{page}页")
    if isinstance(line, int) and line > 0:
        text = ""
        if lines and line <= len(lines):
            t = re.sub(r"\s+", " ", lines[line - 1]).strip()
            text = f"“{t[:width]}{'…' if len(t) > width else ''}”" if t else ""
        out.append(f"原文第{line}行{text}")
    return "，".join(out)


# ---- the DOCX ----------------------------------------------------------------------------------


def title_of(s: Subject) -> str:
    return f"关于{s.agency or '【待补充：机关名称】'}{s.year or '【待补充：年度】'}年政府信息公开工作年度报告的审核意见"


def verdict(s: Subject) -> str:
    e, w = s.count("error"), s.count("warning")
    year = f"{s.year}年" if s.year else ""
    head = f"经审核，你单位报送的{year}政府信息公开工作年度报告"
    if e:
        return (f"{head}存在{e}处必须整改的问题" + (f"和{w}处建议修改的问题" if w else "")
                + "，不符合《中华人民共和国政府信息公开条例》和年度报告格式的要求，请逐项核实整改后重新报送。")
    return f"{head}基本符合要求，有{w}处建议修改的问题，请核实修改后重新报送。"


def lines_of(s: Subject) -> list[tuple[str, str]]:
    """The notice as (kind, text) blocks: title, addressee, body, heading, item, closing, signature."""
    out: list[tuple[str, str]] = [("title", title_of(s)), ("addressee", f"{s.agency or '【待补充：机关名称】'}：")]
    out.append(("body", verdict(s)))
    src = f"报告文件：{s.file}（{s.template}年模板）" if s.source else f"{s.template}年模板"
    out.append(("body", src + "。"))
    n = 0
    for sev, head in (("error", "必须整改"), ("warning", "建议修改")):
        group = [f for f in s.shown if f.severity == sev]
        if not group:
            continue
        n += 1
        out.append(("heading", f"{_CN_NUM[n]}、{head}（{len(group)}处）"))
        for k, f in enumerate(group, 1):
            out.append(("item", item_text(k, s, f)))
    return out


def item_text(k: int, s: Subject, f: Item) -> str:
    where = location(s.template, f.where)
    src = source_ref(s.where_of(f), s.lines)
    tail = "；".join(x for x in (f"位置：{where}" if where else "", f"出处：{src}" if src else "", f"规则：{f.code}") if x)
    mark = "（已确认）" if f.review == "confirmed" else ""
    return f"{k}. {f.message}{mark}（{tail}）"


def to_docx(s: Subject, *, deadline: str | None = None, office: str | None = None, date: str | None = None) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from .render.docx import BODY_FONT, BODY_PT, HEADING_FONT, HEADING_PT, TITLE_FONT, TITLE_PT, _runs, _setup, _stable

    doc = Document()
    _setup(doc)
    doc.core_properties.title = clean(title_of(s))
    doc.core_properties.language = "zh-CN"
    doc.core_properties.author = clean(office or "")
    doc.core_properties.comments = ""

    def para(text, kind):
        p = doc.add_paragraph()
        pf = p.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing = Pt(28)
        if kind == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pf.space_after = Pt(16)
            pf.line_spacing = Pt(36)
            _runs(p, text, TITLE_FONT, TITLE_PT, bold=True)
        elif kind == "addressee":
            _runs(p, text, BODY_FONT, BODY_PT)
        elif kind == "heading":
            pf.first_line_indent = Pt(2 * HEADING_PT)
            pf.keep_with_next = True
            _runs(p, text, HEADING_FONT, HEADING_PT)
        elif kind == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            pf.right_indent = Pt(4 * BODY_PT)
            _runs(p, text, BODY_FONT, BODY_PT)
        else:
            pf.first_line_indent = Pt(2 * BODY_PT)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _runs(p, text, BODY_FONT, BODY_PT)
        return p

    for kind, text in lines_of(s):
        para(clean(text), kind)
    para(clean(f"请于{deadline or PLACEHOLDER_DEADLINE}前将整改后的年度报告报送{office or PLACEHOLDER_OFFICE}，"
               "并按规定在政府网站重新发布。"), "body")
    doc.add_paragraph()
    para(clean(office or PLACEHOLDER_OFFICE), "right")
    para(clean(date or PLACEHOLDER_DATE), "right")
    buf = io.BytesIO()
    doc.save(buf)
    return _stable(buf.getvalue())


# ---- the register --------------------------------------------------------------------------------

_FORMULA = ("=", "+", "-", "@")
# characters XML 1.0 cannot hold (a report's quoted line may carry them: form feeds of PDF text, NULs)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: str) -> str:
    """Text a DOCX or XLSX part can hold: XML-incompatible characters become spaces."""
    return _NOT_XML.sub(" ", text)


def safe(v):
    """A cell value that no spreadsheet runs as a formula: text starting with = + - @ (or a tab /
    carriage return) gets a leading apostrophe; characters XML cannot hold become spaces."""
    if isinstance(v, str):
        v = clean(v)
        if v and (v[0] in _FORMULA or v[0] in "\t\r"):
            return "'" + v
    return v


REPORT_HEADER = ("机关", "年度", "模板", "文件", "错误", "警告", "问题代码", "审核状态", "审核意见文件")
FINDING_HEADER = ("机关", "年度", "文件", "级别", "代码", "问题", "位置", "出处", "审核状态", "审核说明")


def summary_xlsx(subjects: list[Subject], files: Mapping[int, str] | None = None) -> bytes:
    """审核汇总.xlsx: sheet 报告 (one row per report), sheet 问题 (one row per finding)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    files = files or {}
    wb = Workbook()
    ws = wb.active
    ws.title = "报告"
    ws.append(REPORT_HEADER)
    for i, s in enumerate(subjects):
        codes = sorted({f.code for f in s.shown})
        ws.append([safe(x) for x in (s.agency or "（未识别机关）", s.year, s.template, s.source, s.count("error"),
                                     s.count("warning"), "、".join(codes), s.review_state, files.get(i, "无需整改"))])
    wf = wb.create_sheet("问题")
    wf.append(FINDING_HEADER)
    for s in subjects:
        for f in s.findings:
            if f.severity not in ("error", "warning"):
                continue
            wf.append([safe(x) for x in (s.agency or "（未识别机关）", s.year, s.source, SEVERITY_CN[f.severity], f.code,
                                         f.message, location(s.template, f.where), source_ref(s.where_of(f), s.lines),
                                         REVIEW_CN.get(f.review, f.review), f.comment or "")])
    for sheet, widths in ((ws, (28, 8, 8, 40, 6, 6, 40, 18, 40)), (wf, (28, 8, 40, 10, 26, 80, 30, 40, 10, 30))):
        for k, w in enumerate(widths):
            sheet.column_dimensions[chr(65 + k)].width = w
        for c in sheet[1]:
            c.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    for row in wf.iter_rows(min_row=2, min_col=6, max_col=6):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return _stable_xlsx(buf.getvalue())


def _stable_xlsx(package: bytes) -> bytes:
    """The workbook with its parts dated 1980-01-01 and no time of writing in its properties, so
    the same batch gives the same bytes (openpyxl stamps the time of saving)."""
    import zipfile

    out = io.BytesIO()
    stamp = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = stamp.sub(rb"\g<1>1980-01-01T00:00:00Z\g<2>", data)
            dst.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# ---- a batch -----------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def file_name(s: Subject, taken: set[str]) -> str:
    stem = _UNSAFE.sub("_", f"{s.agency or Path(s.source or '报告').stem}-{s.year or '年度未识别'}-审核意见")[:120]
    name, n = f"{stem}.docx", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.docx"
    taken.add(name)
    return name


def build_batch(subjects: list[Subject], *, deadline: str | None = None, office: str | None = None,
                date: str | None = None) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every notice and of 审核汇总.xlsx, in the subjects' order."""
    taken: set[str] = {SUMMARY_NAME}
    out: list[tuple[str, bytes]] = []
    names: dict[int, str] = {}
    for i, s in enumerate(subjects):
        if s.needs_notice:
            names[i] = file_name(s, taken)
            out.append((names[i], to_docx(s, deadline=deadline, office=office, date=date)))
    out.append((SUMMARY_NAME, summary_xlsx(subjects, names)))
    return out


def write_batch(subjects: list[Subject], out_dir: Path, **kw) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in build_batch(subjects, **kw):
        p = out_dir / name
        p.write_bytes(data)
        written.append(p)
    return written


def zip_batch(subjects: list[Subject], **kw) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in build_batch(subjects, **kw):
            zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def reviews_for(store, subjects: Iterable[Subject]) -> None:
    """Attach the corpus's reviews to subjects read from files (by the findings' stable keys)."""
    for s in subjects:
        for f in s.findings:
            if f.key:
                r = store.get_review(f.key)
                if r is not None:
                    f.review, f.comment = r.status, r.comment
