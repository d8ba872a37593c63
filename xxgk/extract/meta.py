"""Title, agency and year of a report — from wherever the report states them, with provenance.

Real pages often carry no title in their text (the title sat in the page header, or the text starts
at the body).  The agency is then usually still stated somewhere; the sources, best first:

    title        the report's title line in the text
    compiled     "本年度报告由某某镇人民政府编制" / "现公布某某镇2023年度政府信息公开工作年度报告"
    opening      the opening sentences: "2023年，某某镇认真贯彻…" / "某某县某某镇人民政府2023年…"
    page_title   the HTML <title> (a reader hands it over; the site name around it is dropped)
    file_name    the input's file name ("某某镇2023年政府信息公开工作年度报告.docx")
    e_version    where the electronic version is: "…政府信息公开栏中的“某某区某某镇”板块"
    contact      the contact sentence: "请与某某市某某区某某镇人民政府办公室联系"
    publisher    the page's 发布机构 / 信息来源 field

A candidate must look like an organ's name: a breadcrumb (首页>…), a bare 政府 / 街道办事处 / 我镇,
a website's name or a two-character fragment is never taken.  When no source names the agency it
stays None and MISSING_AGENCY says so.  The year likewise: title, statistical period, page title,
file name, then the years the opening prose names — never a publication date.
"""

from __future__ import annotations

import re
from collections import Counter

from ..document import Document
from ..report import Meta, SectionText
from ..text import fold

_YEAR = r"(20\d{2}|二[〇○零]二[〇○零一二三四五六七八九])"
_TITLE_HINT = re.compile(r"(?:政府信息公开|政务公开|信息公开).{0,12}报告")
_TITLE_AGENCY = (
    re.compile(r"^(?P<agency>.+?)(?:关于)?" + _YEAR + r"年度?(?:的)?(?:本级)?(?:政府信息公开|政务公开|信息公开)"),
    re.compile(r"^" + _YEAR + r"年度?(?P<agency>.+?)(?:本级)?(?:政府信息公开|政务公开|信息公开)"),
    re.compile(r"^(?P<agency>.+?)(?:政府信息公开|政务公开)工作(?:年度)?报告"),
)
_PERIOD = (
    re.compile(r"统计(?:期限|期间|时限|时段|数据|周期|时间)?[^。]{0,16}?" + _YEAR + r"年0?1月0?1日"),
    re.compile(_YEAR + r"年0?1月0?1日(?:起)?(?:至|到|—|-|~)(?:" + _YEAR + r"年)?12月31日"),
)
_ORGAN = r"(?:人民政府办公室|人民政府|办事处|街道|苏木|乡|镇|委员会|管委会|管理委员会|局|厅|委|办公室|办|署|中心|院)"
_NAME = r"[^，,。、;；:：\s“”\"（）()《》<>我本该各全]"
_OPENING_VERB = (
    r"(?:在|按照|根据|依据|坚持|认真|深入|以|紧|全面|始终|严格|积极|高度|持续|进一步|继续|不断|切实|扎实|紧紧|聚焦|"
    r"围绕|立足|贯彻|落实|着力|大力|强化|加强|推进|努力|依法|共|进|政府信息公开工作|政务公开工作|信息公开工作)"
)
_COMPILED = (
    re.compile(r"由(?P<agency>" + _NAME + r"{2,30}?" + _ORGAN + r")(?:负责)?(?:编制|制作|编写|发布)"),
    re.compile(r"(?:现将|现向社会公布|现予公布|现公布|现发布|特向社会公布|发布|编制|公布)《?(?P<agency>" + _NAME + r"{2,30}?"
               + _ORGAN + r")(?:关于)?" + _YEAR + r"年度?(?:的)?(?:本级)?(?:政府信息公开|政务公开|信息公开)"),
    re.compile(r"^(?P<agency>" + _NAME + r"{2,30}?" + _ORGAN + r")(?:关于)?" + _YEAR + r"年度?(?:的)?(?:政府信息公开|政务公开|信息公开)"),
)
_OPENING = re.compile(r"^" + _YEAR + r"年度?(?:以来|全年)?[，,]?(?P<agency>" + _NAME + r"{2,24}?" + _ORGAN + r")" + _OPENING_VERB)
_CONTACT = re.compile(
    r"(?:请与|请联系|联系单位[:：]?|请向)(?P<agency>" + _NAME + r"{2,40}?)"
    r"(?:人民政府办公室|政府办公室|党政综合办公室|党政办公室|党政办|综合办公室|综合办|办公室|政务公开办公室|政务服务中心|党政综合办)"
    r"(?:联系|咨询|反映)"
)
_E_VERSION = re.compile(r"(?:栏|栏目|专栏|网站|网)中?的?[“\"「『](?P<agency>[^“”\"」』]{2,30})[”\"」』](?:板块|栏目|专栏|子栏目|频道)")
_PUBLISHER = re.compile(r"^(?:发布机构|信息来源|来源|发文机关|发布单位|发布部门)[:：|]?\|?(?P<agency>" + _NAME + r"{2,30}?)(?:\||发布时间|时间|日期|作者|浏览|点击|$)")
_YEAR_IN_TEXT = re.compile(_YEAR + r"年")
_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_BREADCRUMB = re.compile(r"[>＞»›→]|首页|当前位置|您的位置|所在位置")
_SITE_WORDS = ("网站", "门户", "政务网", "政府网", "服务网", "欢迎", "主页", "官网", "信息网", "频道", "栏目", "专栏", "平台")
_NOT_NAME = ("报告", "年度", "关于", "公开", "条例", "通知", "印发", "工作", "情况")
# the organ's form alone, or a pronoun: never an agency
_BARE = re.compile(
    r"^(?:我|本|该|各|全|上级|县|区|市|镇|乡|州|省|旗)?(?:人民政府办公室|人民政府|政府办公室|政府办|政府|街道办事处|办事处|街道办|街道|"
    r"委员会|管委会|镇|乡|局|委|办|县|区|市|苏木|单位|机关|部门)$"
)
_ORGAN_END = re.compile(
    r"(?:政府|办事处|街道|苏木|乡|镇|委员会|管委会|局|厅|委|办公室|办|署|中心|院|所|站|队|部|处|会|室|区|县|市|旗|盟|州|场|馆|社|团|司|行)$"
)
_TRAIL = re.compile(r"(?:关于|的|本级|本机关)+$")


def _year(text: str) -> int:
    """2023 or 二〇二三 (digit by digit) → 2023."""
    return int(text.translate(_YEAR_DIGITS))


def plausible_agency(name: str | None, strict: bool = True) -> str | None:
    """The name cleaned, or None when it cannot be an organ's name: a breadcrumb, a bare
    政府/街道办事处/我镇, a website's name, a two-character fragment, a phrase.  `strict` (for names
    found in prose) also asks for an organ's or place's ending."""
    if not name:
        return None
    name = _TRAIL.sub("", name.strip(" \u3000\t-—_|·"))
    if not 3 <= len(name) <= 40 or _BREADCRUMB.search(name):
        return None
    if _BARE.match(name) or any(w in name for w in _SITE_WORDS) or any(w in name for w in _NOT_NAME):
        return None
    if re.search(r"[\d,，。:：;；!?！？/\\<>《》“”\"]", name):
        return None
    if strict and not _ORGAN_END.search(name):
        return None
    return name


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
        if len(f) <= 90 and _TITLE_HINT.search(f) and not f.startswith(("根据", "按照", "依据", "本报告", "本年度报告")):
            title = line.text.strip()
            if _BREADCRUMB.search(f):  # 首页>政务公开>…>某某镇2023年…报告: the last step is the title
                title = re.split(r"\s*(?:[>＞»›→]|首页|当前位置[:：]?|您的位置[:：]?)\s*", title)[-1]
                if not _TITLE_HINT.search(fold(title)):
                    prev_short = None
                    continue
            if len(fold(title)) > 70:
                continue
            if prev_short and (f[0].isdigit() or f.startswith(("关于", "二〇", "年度"))):
                title = prev_short + title  # a title broken after the agency name
            return re.sub(r"\s+", " ", title), line.no
        prev_short = line.text.strip() if len(f) <= 30 and not line.in_table and not _BREADCRUMB.search(f) else None
    return None, None


def agency_from_title(title: str) -> str | None:
    f = fold(title)
    for rx in _TITLE_AGENCY:
        m = rx.search(f)
        if m and m.group("agency"):
            agency = plausible_agency(m.group("agency"), strict=False)
            if agency:
                return agency
    return None


def _title_year(text: str) -> int | None:
    m = _YEAR_IN_TEXT.search(fold(text))
    return _year(m.group(1)) if m else None


def _stem(name: str | None) -> str | None:
    if not name:
        return None
    stem = re.split(r"[\\/]", name)[-1]
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", stem)
    return stem or None


def _contact_agency(raw: str) -> str | None:
    """请与某某市某某区某某镇人民政府办公室联系 → 某某市某某区某某镇人民政府."""
    name = raw
    if name.endswith(("镇", "乡", "街道", "苏木", "区", "县", "市", "旗")) or name.endswith("办事处"):
        return plausible_agency(name)
    return plausible_agency(name)


def find_meta(doc: Document, sections: list[SectionText]) -> Meta:
    meta = Meta()
    meta.title, meta.title_line = find_title(doc)
    if meta.title:
        meta.title_year = _title_year(meta.title)
        agency = agency_from_title(meta.title)
        if agency:
            meta.agency, meta.agency_source, meta.agency_line = agency, "title", meta.title_line
    lines = doc.lines
    second = next((s.line for s in sections if s.number >= 2), None)
    head: list[tuple[int, str]] = []  # (line, folded) of the prose before section 二 (at most 80 lines)
    for line in lines:
        if second is not None and line.no >= second:
            break
        if line.in_table or not line.text:
            continue
        head.append((line.no, fold(line.text)))
        if len(head) >= 80:
            break
    for no, f in head:
        if "月" not in f:
            continue
        for rx in _PERIOD:
            m = rx.search(f)
            if m:
                meta.period_year = _year(m.group(1))
                meta.period = m.group(0)
                meta.period_line = no
                break
        if meta.period_year:
            break
    # the body: years named in 总体情况 (or the opening prose), most frequent first
    body = "".join(f for no, f in head[:60] if no != meta.title_line)
    years = Counter(_year(y) for y in _YEAR_IN_TEXT.findall(body))
    if years:
        meta.body_year = years.most_common(1)[0][0]
        meta.body_years = frozenset(years)
    if not meta.agency:
        _agency_from_body(meta, doc, head)
    page_title = getattr(doc, "page_title", None)
    file_stem = _stem(getattr(doc, "name", None))
    if not meta.agency:
        for source, text in (("page_title", _title_part(page_title)), ("file_name", file_stem)):
            if text and _TITLE_HINT.search(fold(text)):
                agency = agency_from_title(text)
                if agency:
                    meta.agency, meta.agency_source = agency, source
                    break
    # the year: the title, the statistical period, the page title, the file name, the body
    if meta.title_year:
        meta.year, meta.year_source, meta.year_line = meta.title_year, "title", meta.title_line
    elif meta.period_year:
        meta.year, meta.year_source, meta.year_line = meta.period_year, "period", meta.period_line
    else:
        for source, text in (("page_title", _title_part(page_title)), ("file_name", file_stem)):
            if text and _TITLE_HINT.search(fold(text)):
                y = _title_year(text)
                if y:
                    meta.year, meta.year_source = y, source
                    break
        if meta.year is None and meta.body_year:
            meta.year, meta.year_source = meta.body_year, "body"
    return meta


def _title_part(page_title: str | None) -> str | None:
    """The part of an HTML <title> that is the report's title ("…报告_某某人民政府门户网站")."""
    if not page_title:
        return None
    for part in re.split(r"\s*(?:[_|｜]|--?|—+|\s-\s)\s*", page_title):
        if _TITLE_HINT.search(fold(part)) and len(part) <= 80:
            return part
    return None


def _agency_from_body(meta: Meta, doc: Document, head: list[tuple[int, str]]) -> None:
    """The agency stated in the prose: compiled-by, opening, e-version, contact, publisher."""
    found: dict[str, tuple[str, int]] = {}
    for no, f in head[:40]:
        if "compiled" not in found and ("编制" in f or "公布" in f or "发布" in f or "现将" in f or "制作" in f or "编写" in f or "信息公开" in f):
            for rx in _COMPILED:
                for m in rx.finditer(f):
                    agency = plausible_agency(m.group("agency"))
                    if agency:
                        found["compiled"] = (agency, no)
                        break
                if "compiled" in found:
                    break
        if "opening" not in found and f[:1] in "2二":
            m = _OPENING.search(f)
            if m:
                agency = plausible_agency(m.group("agency"))
                if agency:
                    found["opening"] = (agency, no)
        if "publisher" not in found and ("来源" in f or "发布" in f or "发文" in f):
            m = _PUBLISHER.search(f)
            if m:
                agency = plausible_agency(m.group("agency"))
                if agency:
                    found["publisher"] = (agency, no)
    if "compiled" not in found or "opening" not in found:
        # the prose anywhere (a contact or e-version sentence often closes the report)
        for line in doc.lines:
            t = line.text
            if line.in_table or not t:
                continue
            if "e_version" not in found and ("板块" in t or "栏目" in t or "专栏" in t or "频道" in t):
                m = _E_VERSION.search(fold(t))
                if m:
                    agency = plausible_agency(m.group("agency"))
                    if agency:
                        found["e_version"] = (agency, line.no)
            if "contact" not in found and "联系" in t:
                m = _CONTACT.search(fold(t))
                if m:
                    agency = _contact_agency(m.group("agency"))
                    if agency:
                        found["contact"] = (agency, line.no)
    for source in ("compiled", "opening"):
        if source in found:
            meta.agency, meta.agency_line = found[source]
            meta.agency_source = source
            return
    # the weaker sources wait for the page title and file name (find_meta) unless those say nothing
    page_title = _title_part(getattr(doc, "page_title", None))
    file_stem = _stem(getattr(doc, "name", None))
    for text in (page_title, file_stem):
        if text and _TITLE_HINT.search(fold(text)) and agency_from_title(text):
            return
    for source in ("e_version", "contact", "publisher"):
        if source in found:
            meta.agency, meta.agency_line = found[source]
            meta.agency_source = source
            return
