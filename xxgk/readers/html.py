"""HTML pages → Document.

Government sites publish the report as an article inside a page of navigation, breadcrumbs, share
buttons and footers, often inside page-layout tables, in GBK/GB2312 or UTF-8 (declared or not).
The reader decodes the page, drops what is recognisably page furniture (never anything that holds
a table or a long text), turns block elements into lines in reading order, and every *data* table
— one that holds no other table — into a Table whose merged cells are expanded into a grid
(`grid.expand`).  Each table row is also emitted as a line (``in_table``) so that line numbers
count the whole article.
"""

from __future__ import annotations

import re

from ..document import Cell, Document, Line, Table
from ..text import to_simplified
from . import lossy, register
from .compose import append
from .decode import decode
from .errors import ReadError
from .grid import expand, join_cell_lines, row_text
from .text import read_text

try:
    import lxml.html
    from lxml import etree
except ImportError:  # pragma: no cover - the `formats` extra is not installed
    lxml = None

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)|^\s*<\?xml[^>]+?encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.I
)
# legacy Chinese encodings are read as their superset
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030",
            "big5": "big5hkscs", "utf8": "utf-8", "unicode": "utf-8"}

_DROP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "select",
                   "button", "input", "textarea", "head", "title", "map", "audio", "video"})
_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
                    "article", "main", "aside", "blockquote", "pre", "center", "form", "address", "figure",
                    "figcaption", "hr", "caption", "body", "html", "tr", "td", "th", "thead", "tbody", "tfoot",
                    "header", "footer", "nav", "fieldset", "legend", "table"})
# class/id words of page furniture; such an element is dropped only if it is short and has no table
_JUNK_WORDS = frozenset({"nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "crumb", "crumbs",
                         "footer", "foot", "share", "bdshare", "topbar", "sidebar", "copyright", "position",
                         "location", "dqwz", "weizhi", "toolbar", "header", "head", "banner", "sharebox"})
_JUNK_TAGS = frozenset({"nav", "header", "footer"})
_WORD = re.compile(r"[a-z]+")
_TITLE_HINT = re.compile(r"信息公开.{0,12}报告")
_MAX_JUNK_TEXT = 200
_MAX_DATA_CELL = 300  # a cell with more text is page layout holding the article, not a table cell
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r]*\n\s*(?=[{_CJK}])")
_SPACE = re.compile(r"\s+")


def _charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:32768])  # scripts and styles may come first
    if not m:
        return None
    name = (m.group(1) or m.group(2)).decode("ascii", "replace").lower()
    return _ALIASES.get(name, name)


def decode_html(data: bytes) -> tuple[str, str, list[str]]:
    """The page's text: a BOM wins, then a declared charset that decodes cleanly, else detection."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ReadError("文件为空", "empty")
    declared = _charset(data)
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode(declared), declared, []
        except LookupError:
            pass  # a name Python does not know
        except UnicodeDecodeError:
            # a few bad bytes in a page that is otherwise what it says, or declared wrongly
            # (a GBK page saying utf-8, common with CMS templates): detection decides
            text = data.decode(declared, errors="replace")
            if text.count("\ufffd") <= max(2, len(text) // 2000):
                return text, declared, ["网页含少量无法按声明的编码解码的字节，已用替换字符代替"]
    return decode(data)


def _junk(el) -> bool:
    tag = el.tag
    words = set(_WORD.findall(f"{el.get('class', '')} {el.get('id', '')}".lower()))
    if tag not in _JUNK_TAGS and words.isdisjoint(_JUNK_WORDS) and not any(w.startswith(("bdshare", "share")) for w in words):
        return False
    if next(el.iter("table"), None) is not None:
        return False
    text = el.text_content()
    if len(text) > _MAX_JUNK_TEXT:
        return False
    # a page header may carry the report's title
    return not ((tag == "header" or "header" in words or "head" in words) and _TITLE_HINT.search(text))


def _menu_item(li) -> bool:
    """A list item that is nothing but one short link: a menu entry, even where the menu has no
    telling class (its text, e.g. “政府信息公开工作年度报告”, would pass for the report's title)."""
    links = [c for c in li if isinstance(c.tag, str)]
    if len(links) != 1 or links[0].tag != "a" or (li.text or "").strip() or (links[0].tail or "").strip():
        return False
    return len(links[0].text_content().strip()) <= 30


def _clean(text: str) -> str:
    text = _CJK_BREAK.sub("", text)
    return _SPACE.sub(" ", text).strip()


class _Builder:
    """Walks the page's elements, making lines of the text and Tables of the data tables.  Inside
    a table cell (`in_cell`) nothing is dropped as furniture and there are no tables."""

    def __init__(self, in_cell: bool = False):
        self.in_cell = in_cell
        self.lines: list[Line] = []
        self.tables: list[Table] = []
        self.buf: list[str] = []

    # -- lines ---------------------------------------------------------------------------------
    def flush(self) -> None:
        if self.buf:
            text = _clean("".join(self.buf))
            self.buf = []
            if text:
                self.lines.append(Line(len(self.lines) + 1, text))

    def walk(self, el) -> None:
        tag = el.tag
        if not isinstance(tag, str):
            return  # comment or processing instruction (its tail is added by the caller)
        tag = tag.lower()
        if tag in _DROP:
            return
        if not self.in_cell and (tag in _JUNK_TAGS or el.get("class") or el.get("id")) and _junk(el):
            return
        if tag == "li" and not self.in_cell and _menu_item(el):
            return
        if tag == "table" and not self.in_cell and _is_data_table(el):
            self.flush()
            self.table(el)
            return
        if tag == "br":
            self.flush()
            return
        if tag == "pre" and not self.in_cell:
            self.pre(el)
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        self.content(el)
        if block:
            self.flush()

    def content(self, el) -> None:
        """An element's own text and its children, each followed by its tail."""
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.buf.append(child.tail)

    def pre(self, el) -> None:
        """Preformatted text — a report pasted as plain text — is read by the text reader, so its
        line breaks and tab-separated tables survive."""
        self.flush()
        text = el.text_content()
        if text.strip():
            append(self.lines, self.tables, read_text(text))

    # -- tables --------------------------------------------------------------------------------
    def table(self, el) -> None:
        caption = next((c for c in el if isinstance(c.tag, str) and c.tag.lower() == "caption"), None)
        if caption is not None:
            self.walk(caption)
        raw: list[list[tuple[None, Cell]]] = []
        lines: list[int] = []
        first = len(self.lines) + 1
        for tr in _rows(el):
            no = first + len(raw)
            cells = []
            for td in tr:
                if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                    continue
                cell = Cell(_cell_text(td), line=no, rowspan=_span(td.get("rowspan")), colspan=_span(td.get("colspan")))
                cells.append((None, cell))
            if cells:
                raw.append(cells)
                lines.append(no)
        if not raw:
            return
        rows = expand(raw, lines)
        for row, no in zip(rows, lines):
            self.lines.append(Line(no, row_text(row), in_table=True))
        self.tables.append(Table(rows, first_line=first, last_line=first + len(rows) - 1, rows_known=True, padded=False))


def _span(value: str | None) -> int:
    if not value:
        return 1
    m = re.match(r"\s*(\d+)", value)
    return int(m.group(1)) if m else 1


def _rows(table):
    """The table's own rows (not those of tables nested in it), in order."""
    for child in table:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            for tr in child:
                if isinstance(tr.tag, str) and tr.tag.lower() == "tr":
                    yield tr


def _cell_text(td) -> str:
    """A cell's text: its paragraphs and line breaks joined (Chinese without a space)."""
    builder = _Builder(in_cell=True)
    builder.content(td)
    builder.flush()
    return join_cell_lines([line.text for line in builder.lines])


def _is_data_table(el) -> bool:
    """A table holding no other table and no long text; an outer page-layout table is walked as
    blocks instead, so that only the innermost tables become Tables."""
    if next(el.iterdescendants("table"), None) is not None:
        return False
    for td in el.iter("td", "th"):
        if len(td.text_content()) > _MAX_DATA_CELL:
            return False
    return True


def _build(body, title: str | None = None) -> _Builder:
    builder = _Builder()
    if title:
        builder.buf.append(title)
        builder.flush()
    try:
        builder.walk(body)
    except RecursionError:
        raise ReadError("网页结构嵌套过深，无法解析", "bad-html") from None
    builder.flush()
    return builder


def _page_title(root) -> str | None:
    """The report's title from <title>, without the site name around it ("…报告_某某人民政府")."""
    el = root.find(".//title")
    if el is None:
        return None
    for part in re.split(r"\s*(?:[_|｜]|--?|—+)\s*", _clean(el.text_content())):
        if _TITLE_HINT.search(part) and len(part) <= 70:
            return part
    return None


def _full_title(root) -> str | None:
    """The whole <title> text (site name included), for the metadata extractor."""
    el = root.find(".//title")
    if el is None:
        return None
    text = _clean(el.text_content())[:300]
    return text or None


@register("html")
def read_html(data: bytes, name: str = "") -> Document:
    if lxml is None:
        raise ReadError("读取 HTML 需要 lxml，请重新安装 xxgk（pip install xxgk）", "missing-extra")
    text, encoding, warnings = decode_html(data)
    text = to_simplified(text.lstrip("\ufeff"))
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses str input with an encoding declaration
    if not text.strip():
        raise ReadError("文件为空", "empty")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        raise ReadError("网页无法解析（HTML 格式损坏）", "bad-html") from None
    body = root.find("body")
    builder = _build(body if body is not None else root)
    title = _page_title(root)
    if title and not any(_TITLE_HINT.search(line.text) and len(line.text) <= 70 for line in builder.lines[:25]):
        # the report's title only in <title> (the article starts with its first section): keep it
        builder = _build(body if body is not None else root, title)
    if not builder.lines:
        raise ReadError("网页中没有文字内容", "empty")
    doc = Document(lines=builder.lines, tables=builder.tables, format="html", encoding=encoding, layout="html")
    doc.page_title = _full_title(root)
    lossy(doc, warnings)
    return doc
