"""Title, agency and year of a report."""

from __future__ import annotations

import re
from collections import Counter

from ..document import Document
from ..report import Meta, SectionText
from ..text import fold

_YEAR = r"(20\d{2}|二[〇○零]二[〇○零一二三四五六七八九])"
_TITLE_HINT = re.compile(r"(?:政府信息公开|政务公开|信息公开).{0,12}报告")
_TITLE_AGENCY = (
    re.compile(r"^(?P<agency>.+?)(?:关于)?" + _YEAR + r"年度?(?:的)?(?:政府信息公开|政务公开|信息公开)"),
    re.compile(r"^" + _YEAR + r"年度?(?P<agency>.+?)(?:政府信息公开|政务公开|信息公开)"),
    re.compile(r"^(?P<agency>.+?)(?:政府信息公开|政务公开)工作(?:年度)?报告"),
)
_PERIOD = (
    re.compile(r"统计(?:期限|期间|时限|时段|数据|周期|时间)?[^。]{0,16}?" + _YEAR + r"年0?1月0?1日"),
    re.compile(_YEAR + r"年0?1月0?1日(?:起)?(?:至|到|—|-|~)(?:" + _YEAR + r"年)?12月31日"),
)
_ORGAN = r"(?:人民政府办公室|人民政府|办事处|街道|苏木|乡|镇|委员会|管委会|管理委员会|局|厅|委|办公室|办|署|中心|院)"
_BODY_AGENCY = (
    re.compile(r"由(?P<agency>[^，,。、\s]{2,30}?" + _ORGAN + r")(?:负责)?编制"),
    re.compile(r"^" + _YEAR + r"年度?[，,]?(?P<agency>[^，,。、\s我本]{2,24}?" + _ORGAN + r")(?:在|按照|根据|坚持|认真|深入|以|紧|全面|始终|严格|积极|高度|持续|进一步)"),
)
_YEAR_IN_TEXT = re.compile(_YEAR + r"年")


_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")


def _year(text: str) -> int:
    """2023 or 二〇二三 (digit by digit) → 2023."""
    return int(text.translate(_YEAR_DIGITS))


def find_title(doc: Document) -> tuple[str | None, int | None]:
    seen = 0
    prev_short: str | None = None
    for line in doc.lines:
        f = fold(line.text)
        if not f:
            continue
        seen += 1
        if seen > 25:
            break
        if len(f) <= 70 and _TITLE_HINT.search(f) and not f.startswith(("根据", "按照", "依据", "本报告", "本年度报告")):
            title = line.text.strip()
            if prev_short and (f[0].isdigit() or f.startswith(("关于", "二〇", "年度"))):
                title = prev_short + title  # a title broken after the agency name
            return re.sub(r"\s+", " ", title), line.no
        prev_short = line.text.strip() if len(f) <= 30 and not line.in_table else None
    return None, None


def agency_from_title(title: str) -> str | None:
    f = fold(title)
    for rx in _TITLE_AGENCY:
        m = rx.search(f)
        if m and m.group("agency"):
            agency = m.group("agency")
            agency = re.sub(r"(?:关于|的)$", "", agency)
            if 2 <= len(agency) <= 40:
                return agency
    return None


def find_meta(doc: Document, sections: list[SectionText]) -> Meta:
    meta = Meta()
    meta.title, meta.title_line = find_title(doc)
    if meta.title:
        f = fold(meta.title)
        m = re.search(_YEAR + r"年", f)
        if m:
            meta.title_year = _year(m.group(1))
        meta.agency = agency_from_title(meta.title)
    head = [fold(line.text) for line in doc.lines[:80] if not line.in_table]
    for f in head:
        for rx in _PERIOD:
            m = rx.search(f)
            if m:
                meta.period_year = _year(m.group(1))
                meta.period = m.group(0)
                break
        if meta.period_year:
            break
    # the body: years named in 总体情况 (or the opening prose), most frequent first
    second = next((s.line for s in sections if s.number >= 2), None)
    opening = [
        line.text
        for line in doc.lines
        if not line.in_table and line.no != meta.title_line and (second is None or line.no < second)
    ]
    body = "".join(opening[:60]) if opening else "".join(head[:30])
    years = Counter(_year(y) for y in _YEAR_IN_TEXT.findall(fold(body)))
    if years:
        meta.body_year = years.most_common(1)[0][0]
        meta.body_years = frozenset(years)
    if not meta.agency:
        for f in head[:40]:
            for rx in _BODY_AGENCY:
                m = rx.search(f)
                if m:
                    meta.agency = m.group("agency")
                    break
            if meta.agency:
                break
    meta.year = meta.title_year or meta.period_year or meta.body_year
    return meta
