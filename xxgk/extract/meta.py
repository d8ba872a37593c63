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
from ..agency import agency_key, same_agency
from ..text import fold

_YEAR = r"(20\d{2}|二[〇○零]二[〇○零一二三四五六七八九])"
_TITLE_HINT = re.compile(r"(?:政府信息公开|政务公开|信息公开).{0,12}报告")
_TITLE_AGENCY = (
    re.compile(r"^(?P<agency>.+?)(?:关于)?" + _YEAR + r"年度?(?:的)?(?:本级)?(?:政府信息公开|政务公开|信息公开)"),
    re.compile(r"^" + _YEAR + r"年度?(?P<agency>.+?)(?:本级)?(?:政府信息公开|政务公开|信息公开)"),
    re.compile(r"^(?P<agency>.+?)(?:政府信息公开|政务公开|信息公开)工作(?:年度)?报告"),
)
_PERIOD = (
    re.compile(r"统计(?:期限|期间|时限|时段|数据|周期|时间)?[^。]{0,16}?" + _YEAR + r"年0?1月0?1日"),
    re.compile(_YEAR + r"年0?1月0?1日(?:起)?(?:至|到|—|-|~)(?:" + _YEAR + r"年)?12月31日"),
)
_ORGAN = r"(?:人民政府办公室|人民政府|办事处|街道|苏木|乡|镇|委员会|管委会|管理委员会|局|厅|委|办公室|办|署|中心|院|开发区|园区|新区|区|县|市|旗|州|盟)"
_NAME = r"[^，,。、;；:：\s“”\"（）()《》<>我本该各全]"
_NAME_P = r"[^，,。、;；:：\s“”\"《》<>我本该各全]"  # parentheses allowed: 中国(福建)自由贸易试验区
_OPENING_VERB = (
    r"(?:在|按照|根据|依据|坚持|认真|深入|以|紧|全面|始终|严格|积极|高度|持续|进一步|继续|不断|切实|扎实|紧紧|聚焦|"
    r"围绕|立足|贯彻|落实|着力|大力|强化|加强|推进|努力|依法|共|进|政府信息公开工作|政务公开工作|信息公开工作)"
)
_REPORT_NAME = r"(?:关于)?" + _YEAR + r"年?度?(?:的)?(?:本级)?(?:政府信息公开|政务公开|信息公开)"
_COMPILED = (
    re.compile(r"由(?P<agency>" + _NAME + r"{2,30}?" + _ORGAN + r")(?:负责)?(?:编制|制作|编写|发布|根据|依据|按照|依照)"),
    re.compile(r"(?:现将|现向社会公布|现予公布|现公布|现公开|现发布|现印发|特向社会公布|发布|编制了?|公布)《?(?P<agency>" + _NAME_P + r"{2,30}?"
               + _ORGAN + r")(?:\([^()]{1,20}\))?" + _REPORT_NAME),
    re.compile(r"^(?P<agency>" + _NAME + r"{2,30}?" + _ORGAN + r")" + _REPORT_NAME),
    # 编制形成2021年某市人民政府办公室政府信息公开年度报告: the year before the name
    re.compile(r"(?:编制形成|编制|形成|现将|公布|发布|现公布|现公开)了?《?" + _YEAR + r"年度?(?P<agency>" + _NAME_P + r"{2,30}?" + _ORGAN
               + r")(?:本级)?(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?报告"),
    # the report named in 《》 anywhere in the opening: 《某镇人民政府2023年政府信息公开工作年度报告》
    re.compile(r"《[^《》]{0,40}?(?P<agency>" + _NAME_P + r"{2,30}?" + _ORGAN + r")" + _REPORT_NAME + r"[^《》]{0,12}报告》"),
)
_OPENING = (
    # 某镇人民政府根据《条例》…: the opening sentence starts with the organ
    re.compile(r"^(?P<agency>" + _NAME + r"{2,30}?(?:人民政府|办事处|委员会|管委会|局|厅))(?:根据|按照|依据|依照)"),
    re.compile(r"^" + _YEAR + r"年度?+(?:以来|全年)?[，,]?(?P<agency>" + _NAME + r"{1,24}?" + _ORGAN + r")" + _OPENING_VERB),
    re.compile(r"^(?:" + _YEAR + r"年度?+(?:以来|全年)?[，,]?)?"
               r"(?:在[^，,。]{2,30}?(?:领导|指导|部署)下|按照[^，,。]{2,30}?(?:要求|部署))[，,]?"
               r"(?P<agency>" + _NAME + r"{1,40}?" + _ORGAN + r")" + _OPENING_VERB),
)
_CONTACT = re.compile(
    r"(?:请与|请联系[:：]?|联系单位[:：]?|请向)(?P<agency>" + _NAME_P + r"{2,60}?)"
    r"(?:联系|咨询|反映|[，,;；]地址|[，,;；]电话|\((?=[^()]{0,30}?(?:路|街|号|地址|电话|邮编)))"
)
# the office of an organ named in a contact sentence: 某镇人民政府办公室 / 某镇党政综合办公室 → the organ
_INFO_OFFICE = re.compile(r"(?:政府信息与政务公开|政府信息公开|政务公开|信息公开)(?:工作)?(?:领导小组)?(?:办公室|办)$")
_ALIAS = re.compile(r"\([^()]{2,30}?(?:委员会|局|政府|办事处|管委会)\)")
_OFFICE_OF = re.compile(
    r"^(?P<organ>.{2,50}(?:人民政府|政府|办事处|街道|苏木|乡|镇|委员会|管委会|局|厅|委))"
    r"(?P<office>[^政府镇乡局委]{0,10}?(?:办公室|办|室|科|股|组|中心))$"
)
_PARTY_OFFICE = re.compile(r"(?:党政综合办公室|党政办公室|党政综合办|党政办|综合办公室|综合办|党政综合服务中心)$")
_E_VERSION = re.compile(r"(?:栏|栏目|专栏|网站|网)中?的?[“\"「『](?P<agency>[^“”\"」』]{2,30})[”\"」』](?:板块|栏目|专栏|子栏目|频道)")
_PUBLISHER = re.compile(
    r"(?:(?:^|\|)(?:发布机构|信息来源|来源|发文机关|发布单位|发布部门)[:：]?|(?:发布机构|信息来源|发文机关|发布单位)[:：])\|?"
    r"(?P<agency>" + _NAME + r"{2,30}?)(?:\||发布时间|时间|日期|作者|浏览|点击|$)"
)
_YEAR_IN_TEXT = re.compile(_YEAR + r"年")
_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_BREADCRUMB = re.compile(r"[>＞»›→]|首页|当前位置|您的位置|所在位置")
_SITE_WORDS = ("网站", "门户", "政务网", "政府网", "服务网", "欢迎", "主页", "官网", "信息网", "频道", "栏目", "专栏", "平台", "博彩", "娱乐", "彩票")
_NOT_NAME = ("报告", "年度", "关于", "公开", "条例", "通知", "印发", "情况", "领导", "认真", "贯彻", "要求")
# the organ's form alone, or a pronoun: never an agency
_BARE = re.compile(
    r"^(?:我|本|该|各|全|上级|县|区|市|镇|乡|州|省|旗)?(?:人民政府办公室|人民政府|政府办公室|政府办|政府|街道办事处|办事处|街道办|街道|"
    r"委员会|管委会|镇|乡|局|委|办|县|区|市|苏木|单位|机关|部门)$"
)
# a two-character township name (螅镇) is a name; these words are not
_GENERIC_TWO = frozenset({"城镇", "集镇", "乡镇", "村镇", "小镇", "城乡", "下乡", "两镇", "各镇", "全镇", "本镇", "我镇", "该镇",
                          "全乡", "本乡", "我乡", "该乡", "各乡", "市镇", "县乡", "重镇", "古镇", "名镇", "强镇", "新镇"})
_ORGAN_END = re.compile(
    r"(?:政府|办事处|街道|苏木|乡|镇|委员会|管委会|局|厅|委|办公室|办|署|中心|院|所|站|队|部|处|会|室|区|县|市|旗|盟|州|场|馆|社|团|司|行)$"
)
_TRAIL = re.compile(r"(?:关于|的|本级|本机关)+$")
_FLIPBOOK = re.compile(r"^\s*(?:Page|P\.)\s*\d{1,4}\s*[-—]\s*(.{2,80})$")
_COMPILED_GATE = re.compile("编制|公布|发布|现将|制作|编写|公开")
_RELATIVE = "区县市州旗盟省镇乡"  # a name that starts with a bare level word is relative: 区农业农村局
_RANK = ("title", "compiled", "opening", "page_title", "file_name", "e_version", "contact", "publisher")
# the sources in Chinese, for the desk and the messages
AGENCY_SOURCES_CN = {
    "title": "标题", "compiled": "编制说明", "opening": "正文开头", "page_title": "网页标题", "file_name": "文件名",
    "e_version": "电子版栏目说明", "contact": "联系方式", "publisher": "发布机构栏",
}
YEAR_SOURCES_CN = {"title": "标题", "period": "统计期限", "page_title": "网页标题", "file_name": "文件名", "body": "正文所述年份"}


def _raw(text: str | None, matched: str | None, fspan: tuple[int, int] | None = None) -> tuple[str | None, tuple[int, int] | None]:
    """The verbatim text a statement was taken from, and its (start, end) in `text` (a document
    line): `matched` was found in `text` itself, or at `fspan` of fold(text) (white space and
    quotes dropped, full-width forms folded) — mapped back character by character."""
    if not text or not matched:
        return matched, None
    i = text.find(matched)
    if i >= 0:
        return matched, (i, i + len(matched))
    if fspan is None:
        return matched, None
    fs, fe = fspan
    pos, start, end = 0, None, None
    for i, ch in enumerate(text):
        n = len(fold(ch))
        if not n:
            continue
        if pos == fs and start is None:
            start = i
        pos += n
        if pos == fe and start is not None and end is None:
            end = i + 1
    if start is None or end is None or pos != len(fold(text)):
        return matched, None  # NFKC across characters: keep the folded text, no span
    return text[start:end], (start, end)


def _year(text: str) -> int:
    """2023 or 二〇二三 (digit by digit) → 2023."""
    return int(text.translate(_YEAR_DIGITS))


def plausible_agency(name: str | None, strict: bool = True) -> str | None:
    """The name cleaned, or None when it cannot be an organ's name: a breadcrumb, a bare
    政府/街道办事处/我镇, a website's name, a two-character fragment, a phrase.  `strict` (for names
    found in prose) also asks for an organ's or place's ending.  A name with words glued before
    its government (…官网区人民政府北京街道办事处) is taken from after the last 人民政府."""
    if not name:
        return None
    name = _TRAIL.sub("", name.strip(" \u3000\t-—_|·"))
    got = _plausible(name, strict)
    if got is None and "人民政府" in name[:-4]:
        got = _plausible(name[name.rindex("人民政府") + 4:], True)
    return got


def _plausible(name: str, strict: bool) -> str | None:
    if not 2 <= len(name) <= 40 or _BREADCRUMB.search(name):
        return None
    if len(name) == 2 and (name[1] not in "镇乡" or name in _GENERIC_TWO):
        return None  # a fragment; a two-character township (螅镇) is a name
    if _BARE.match(name) or any(w in name for w in _SITE_WORDS) or any(w in name for w in _NOT_NAME):
        return None
    if re.search(r"[\d,，。:：;；!?！？/\\<>《》“”\"【】\[\]•·●◆■▪◇※►▶*#@&$%^=+~]", name):
        return None
    if "(" in name or ")" in name:  # a place in parentheses, 中国(福建)自由贸易试验区: balanced, Chinese
        if not re.fullmatch(r"[^()]+(?:\([\u4e00-\u9fff]{1,8}\)[^()]*)+", name):
            return None
    if strict and not _ORGAN_END.search(name):
        return None
    return name


def organ_of_contact(raw: str) -> str | None:
    """请与某市某区某镇人民政府办公室联系 → 某市某区某镇人民政府; …党政综合办公室 → the township."""
    name = _ALIAS.sub("", raw)
    name = _INFO_OFFICE.sub("", name)
    name = _PARTY_OFFICE.sub("", name)
    if name.endswith("办公室") or name.endswith(("办", "室", "科", "股", "组", "中心")):
        if name.endswith(("人民政府办公室", "政府办公室")):
            name = name[: -len("办公室")]
        else:
            m = _OFFICE_OF.match(name)
            if m:
                name = m.group("organ")
    return plausible_agency(name)


def _title_in_line(text: str) -> str | None:
    """The title in a line that holds more than it: a pipe row (| 标题: | …报告 |), a breadcrumb
    (首页>…>某镇2023年…报告), a title run into the body (…报告2023年，某镇…)."""
    f = fold(text)
    if "|" in f:
        cells = [c.strip() for c in text.split("|")]
        cells = [c for c in cells if _TITLE_HINT.search(fold(c))]
        if not cells:
            return None
        text = cells[0]
    text = re.sub(r"^\s*[•·●◆■▪◇○◎※►▶*]+\s*", "", text)  # a list bullet
    text = re.sub(r"^\s*(?:标\s*题|题\s*名|名\s*称)\s*[:：]?\s*", "", text)
    text = re.sub(r"^\s*(?:Page|P\.|第)\s*\d{1,4}\s*页?\s*[-—_|:：]\s*", "", text)  # a flip-book page header
    if _BREADCRUMB.search(fold(text)):
        text = re.split(r"\s*(?:[>＞»›→]|首页|当前位置[:：]?|您的位置[:：]?)\s*", text)[-1]
    f = fold(text)
    m = _TITLE_HINT.search(f)
    if not m or any(ch in f[: m.start()] for ch in "，,。;；《"):
        return None  # a sentence that names the report, not its title
    if len(f) > 70:
        if m.start() > 50:
            return None
        # a title run into what follows: up to the end of the report's name
        end = re.search(r"(?:工作)?(?:年度)?报告", f[m.start():])
        if not end:
            return None
        cut = m.start() + end.end()
        # the same title twice in a row (a page header and the article's heading) is one title
        text = f[:cut]
    return text.strip()


def find_title(doc: Document) -> tuple[str | None, int | None]:
    """The report's title and its line: the first title-like line in the first 25 — unless it names
    neither organ nor year (a menu item: 部门信息公开工作年度报告) and a later one names both."""
    seen = 0
    prev_short: str | None = None
    first: tuple[str, int] | None = None
    for line in doc.lines:
        f = fold(line.text)
        if not f:
            continue
        seen += 1
        if seen > 25:
            break
        if _TITLE_HINT.search(f) and not f.startswith(("根据", "按照", "依据", "本报告", "本年度报告", "为", "现将")):
            title = _title_in_line(line.text)
            if title is None:
                prev_short = None
                continue
            tf = fold(title)
            if prev_short and (tf[0].isdigit() or tf.startswith(("关于", "二〇", "年度"))):
                joined = prev_short + title  # a title broken after the agency name
                if agency_from_title(joined):
                    title = joined
            title = re.sub(r"\s+", " ", title)
            if first is None:
                if agency_from_title(title) or _YEAR_IN_TEXT.search(fold(title)):
                    return title, line.no
                first = (title, line.no)
            elif agency_from_title(title) and _YEAR_IN_TEXT.search(fold(title)):
                return title, line.no
            prev_short = None
            continue
        short = len(f) <= 30 and not line.in_table and not _BREADCRUMB.search(f) and not re.search(r"[:：【】|]", f)
        prev_short = line.text.strip() if short else None
    return first if first else (None, None)


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


def _title_part(page_title: str | None) -> str | None:
    """The part of an HTML <title> that is the report's title ("…报告_某某人民政府门户网站")."""
    if not page_title:
        return None
    for part in re.split(r"\s*(?:[_|｜]|--?|—+|\s-\s)\s*", page_title):
        if _TITLE_HINT.search(fold(part)) and len(part) <= 80:
            return part
    return None


def find_meta(doc: Document, sections: list[SectionText]) -> Meta:
    meta = Meta()
    meta.title, meta.title_line = find_title(doc)
    page_title = _title_part(doc.page_title)
    file_stem = _stem(doc.name)
    if file_stem and not _TITLE_HINT.search(fold(file_stem)):
        file_stem = None
    title_source = "title"
    untitled_html = doc.format == "html" and meta.title_line == 1 and page_title
    if meta.title and untitled_html and fold(meta.title) == fold(page_title):
        title_source = "page_title"  # the HTML reader put the <title> in front of an untitled article
    if meta.title:
        meta.title_year = _title_year(meta.title)
    # the statistical period: in the first 80 lines (outside tables)
    head = [(line.no, fold(line.text)) for line in doc.lines[:80] if not line.in_table and line.text]
    period_span = None
    for no, f in head:
        if "月" not in f:
            continue
        for rx in _PERIOD:
            m = rx.search(f)
            if m:
                meta.period_year = _year(m.group(1))
                meta.period = m.group(0)
                meta.period_line = no
                period_span = m.span(0)
                break
        if meta.period_year:
            break
    # the body: years named in 总体情况 (or the opening prose), most frequent first
    second = next((s.line for s in sections if s.number >= 2), None)
    opening = [
        f for no, f in ((line.no, line.text) for line in doc.lines if not line.in_table)
        if no != meta.title_line and (second is None or no < second)
    ]
    body = fold("".join(opening[:60])) if opening else "".join(f for _, f in head[:30])
    years = Counter(_year(y) for y in _YEAR_IN_TEXT.findall(body))
    if years:
        meta.body_year = years.most_common(1)[0][0]
        meta.body_years = frozenset(years)
    if second is not None:
        head = [(no, f) for no, f in head if no < second]  # the agency's statements come before section 二
    _choose_agency(meta, doc, head, title_source, page_title, file_stem)
    # the year: the title, the statistical period, the page title, the file name, the body
    if meta.title_year:
        meta.year, meta.year_source, meta.year_line = meta.title_year, title_source, meta.title_line
        meta.year_raw, meta.year_span = _raw(_line_text(doc, meta.title_line), meta.title)
    elif meta.period_year:
        meta.year, meta.year_source, meta.year_line = meta.period_year, "period", meta.period_line
        meta.year_raw, meta.year_span = _raw(_line_text(doc, meta.period_line), meta.period, period_span)
    else:
        for source, text, raw in (("page_title", page_title, page_title), ("file_name", file_stem, doc.name)):
            y = _title_year(text) if text else None
            if y:
                meta.year, meta.year_source, meta.year_raw = y, source, raw
                break
        if meta.year is None and meta.body_year:
            meta.year, meta.year_source = meta.body_year, "body"
    return meta


def _line_text(doc: Document, no: int | None) -> str | None:
    if no is None or not 1 <= no <= len(doc.lines):
        return None
    line = doc.lines[no - 1]
    return line.text if line.no == no else next((ln.text for ln in doc.lines if ln.no == no), None)


_Cand = tuple  # (rank, source, name, line, text, matched, fspan): the text it was taken from, see _raw


def _candidates(doc: Document, head: list[tuple[int, str]], meta: Meta, title_source: str,
                page_title: str | None, file_stem: str | None) -> list[_Cand]:
    """Every statement of the agency: (rank, source, name, line, line text, matched text, span of
    the match in the folded line)."""
    out: list[_Cand] = []

    def add(source: str, name: str | None, line: int | None, text: str | None = None, matched: str | None = None,
            fspan: tuple[int, int] | None = None) -> None:
        if name:
            out.append((_RANK.index(source), source, name, line, text, matched, fspan))

    if meta.title:
        named = agency_from_title(meta.title)
        add(title_source, named, meta.title_line, _line_text(doc, meta.title_line), meta.title)
        if not named and meta.title_line is not None:
            # 2023年政府信息公开工作年度报告 / 某区数据局: the agency on the line under the title
            nxt = next((ln for ln in doc.lines[meta.title_line:meta.title_line + 3] if ln.text.strip()), None)
            if nxt is not None and len(fold(nxt.text)) <= 24:
                add(title_source, plausible_agency(fold(nxt.text)), nxt.no, nxt.text, nxt.text.strip())
    if not meta.title:
        # a flip-book page header names the document: "Page 9 - 2020年报_某某局"
        for line in doc.lines[:3]:
            m = _FLIPBOOK.match(line.text)
            if m:
                for part in re.split(r"\s*[_|｜]\s*", m.group(1)):
                    if not _YEAR_IN_TEXT.search(part):
                        add("title", plausible_agency(fold(part)), line.no, line.text, line.text.strip())
                break
    done: set[str] = set()
    for no, f in head[:40]:
        if no == meta.title_line:
            continue
        if "compiled" not in done and _COMPILED_GATE.search(f):
            for rx in _COMPILED:
                for m in rx.finditer(f):
                    agency = plausible_agency(_PARTY_OFFICE.sub("", m.group("agency")))
                    if agency:
                        add("compiled", agency, no, _line_text(doc, no), m.group(0), m.span(0))
                        done.add("compiled")
                        break
                if "compiled" in done:
                    break
        if "opening" not in done and (f[:1] in "2二在按" or "根据" in f or "依据" in f or "依照" in f):
            for rx in _OPENING:
                m = rx.search(f)
                if m:
                    agency = plausible_agency(m.group("agency"))
                    if agency:
                        add("opening", agency, no, _line_text(doc, no), m.group(0), m.span(0))
                        done.add("opening")
                        break
        if "publisher" not in done and ("来源" in f or "发布" in f or "发文" in f):
            m = _PUBLISHER.search(f)
            if m:
                agency = plausible_agency(m.group("agency"))
                if agency:
                    add("publisher", agency, no, _line_text(doc, no), m.group(0).strip("|"), None)
                    done.add("publisher")
    if page_title:
        add("page_title", agency_from_title(page_title), None, None, page_title)
    if file_stem:
        add("file_name", agency_from_title(file_stem), None, None, doc.name)
    # the prose anywhere: a contact or e-version sentence may close the report.  Only the lines
    # holding a key word are looked at (found in one scan of the whole text).
    lines = doc.lines
    whole = "\n".join([line.text for line in lines])
    hits: set[int] = set()
    for word in ("联系", "板块", "栏目", "专栏", "频道"):
        i = whole.find(word)
        while i >= 0:
            hits.add(whole.count("\n", 0, i))  # the line holding it
            nxt = whole.find("\n", i)
            i = whole.find(word, nxt) if nxt >= 0 else -1
    for k in sorted(hits):
        line = lines[k]
        t = line.text
        if line.in_table:
            continue
        if "e_version" not in done and ("板块" in t or "栏目" in t or "专栏" in t or "频道" in t):
            m = _E_VERSION.search(t.replace(" ", ""))
            if m:
                agency = plausible_agency(fold(m.group("agency")))
                if agency:
                    add("e_version", agency, line.no, t, m.group(0), None)
                    done.add("e_version")
        if "contact" not in done and "联系" in t:
            f = fold(t)
            m = _CONTACT.search(f)
            if m:
                agency = organ_of_contact(m.group("agency"))
                if agency:
                    add("contact", agency, line.no, t, m.group(0), m.span(0))
                    done.add("contact")
    return out


_BEAT = 6  # at most this many losing statements are kept


def _take(meta: Meta, cand: _Cand, cands: list[_Cand]) -> None:
    _, source, name, line, text, matched, fspan = cand
    meta.agency, meta.agency_source, meta.agency_line = name, source, line
    meta.agency_raw, meta.agency_span = _raw(text, matched, fspan)
    beat: list[tuple[str, str, int | None]] = []
    seen = {(source, name)}
    for c in cands:
        if (c[1], c[2]) not in seen:
            seen.add((c[1], c[2]))
            beat.append((c[1], c[2], c[3]))
    meta.agency_beat = tuple(beat[:_BEAT])


def _choose_agency(meta: Meta, doc: Document, head, title_source, page_title, file_stem) -> None:
    """The best-ranked statement; unless it is the title's, a fuller statement of the same organ
    elsewhere (古塔镇 beside 榆阳区古塔镇人民政府) completes it.  When the title names the organ no
    other statement is looked for (agency_beat stays empty)."""
    if meta.title and title_source == "title":  # the common case: the title names it, nothing else counts
        named = agency_from_title(meta.title)
        if named and named[:1] not in _RELATIVE:
            meta.agency, meta.agency_source, meta.agency_line = named, "title", meta.title_line
            meta.agency_raw, meta.agency_span = _raw(_line_text(doc, meta.title_line), meta.title)
            return
    cands = _candidates(doc, head, meta, title_source, page_title, file_stem)
    if not cands:
        return
    cands.sort(key=lambda c: c[0])
    best = cands[0]
    name = best[2]
    if best[1] == "title" and name[:1] not in _RELATIVE:
        _take(meta, best, cands)
        return  # the title's own wording stands
    for c in cands[1:]:
        n2 = c[2]
        if len(n2) <= len(name):
            continue
        k1, k2 = agency_key(name) or "", agency_key(n2) or ""
        if (len(k2) > len(k1) and same_agency(n2, name)) or (name[:1] in _RELATIVE and n2.endswith(name)):
            best, name = c, n2  # more of its places (区农业农村局 → 某区农业农村局)
    _take(meta, best, cands)
