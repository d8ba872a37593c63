"""Test fixtures: a synthetic report as a messy government web page (HTML bytes) or Word file
(DOCX bytes), with the tables drawn from `xxgk.form.grids` so the merges are the template's.

These model what real files do to a reader — encodings declared or not, navigation and footers
around the article, page-layout tables, paragraphs and ``&nbsp;`` inside cells, a table split at a
page break with its header repeated; in Word merged cells, list-numbered headings, a table in a
text box, a table inside a layout table.  They are fixtures, not a renderer (see `xxgk.render`).
"""

from __future__ import annotations

import io
import random
import zipfile
from html import escape

from .. import template as T
from ..form import Grid, GridCell, grids
from ..readers.numbering import chinese
from . import SynthReport

# ---- the tables as segments of rows -------------------------------------------------------------

Seg = list[list[GridCell]]  # HTML-like rows: slots covered by a merge omitted


def segment(grid: Grid, start: int, end: int, repeat: str = "text") -> Seg:
    """Rows [start, end) of the grid as a table of their own, spans clipped to it.  A cell that
    began above `start` is drawn again in the first row (`repeat`="text") or left empty ("blank")."""
    m = grid.matrix()
    owner = grid.owners()
    out: Seg = []
    for r in range(start, end):
        row = []
        for c in range(grid.width):
            r0, c0 = owner[r][c]
            if c != c0:
                continue
            cell = m[r0][c0]
            if r0 == r or (r == start and r0 < start):
                text = cell.text if (r0 == r or repeat == "text") else ""
                rowspan = min(r0 + cell.rowspan, end) - r
                row.append(GridCell(text, rowspan=rowspan, colspan=cell.colspan, role=cell.role, slot=cell.slot))
        out.append(row)
    return out


def _header_rows(key: str) -> int:
    return {"active": 0, "requests": 3, "appeals": 3}[key]


def table_segments(grid: Grid, split: bool, rng: random.Random) -> list[Seg]:
    """One segment, or (split) two: the second repeats the header rows, as after a page break."""
    n = len(grid.rows)
    heads = _header_rows(grid.table)
    if not split or grid.table != "requests":
        return [segment(grid, 0, n)]
    cut = rng.randint(heads + 2, n - 2)
    first = segment(grid, 0, cut)
    rest = segment(grid, cut, n, rng.choice(("text", "blank")))
    second = segment(grid, 0, heads) + rest if rng.random() < 0.7 else rest  # header repeated, or not
    return [first, second]


def _grids(rep: SynthReport, blank: str) -> dict[str, Grid]:
    values = rep.values
    tpl = T.get(rep.template)

    def get(t, r, c):
        v = values[t][r][c]
        return blank if v is None else v

    return grids(tpl, get)


def _heading(tpl: T.Template, n: int) -> str:
    return f"{chinese(n)}、{tpl.sections[n - 1].title}"


def _intro(rep: SynthReport) -> str:
    return (f"本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求编制。"
            f"本报告中所列数据的统计期限自{rep.year}年1月1日起至{rep.year}年12月31日止。")


# ---- HTML -------------------------------------------------------------------------------------

_NAV = """<div class="top-nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/xxgk/">政府信息公开</a></li><li><a href="/nb/">政府信息公开工作年度报告</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a> &gt; 政府信息公开年报</div>
"""
_SHARE = """<div class="bdsharebuttonbox">分享到：<a class="bds_weixin">微信</a><a class="bds_tsina">微博</a></div>
<div class="article-tools">【字体：<a>大</a> <a>中</a> <a>小</a>】 <a>打印本页</a> <a>关闭窗口</a></div>"""
_FOOTER = """<footer><p>主办单位：某某人民政府办公室　地址：某某路1号　联系电话：0000-0000000</p>
<p>网站标识码：0000000000　备案号：某ICP备00000000号</p></footer>"""


def _html_cell(cell: GridCell, rng: random.Random, p_in_cells: bool, nbsp: bool) -> str:
    tag = "th" if cell.role in ("group", "header") else "td"
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f" colspan='{cell.colspan}'"
    text = escape(cell.text)
    if p_in_cells and cell.role != "value" and len(cell.text) >= 6 and rng.random() < 0.5:
        cut = rng.randint(2, len(cell.text) - 2)
        text = f'<p style="text-align:left"><span>{escape(cell.text[:cut])}</span></p><p>{escape(cell.text[cut:])}</p>'
    elif p_in_cells and cell.role == "value" and rng.random() < 0.3:
        text = f"<p align=center><span style='font-size:12pt'>{text}</span></p>"
    if nbsp:
        text = ("&nbsp;" if rng.random() < 0.5 else "") + (text or "&nbsp;") + ("&nbsp;&nbsp;" if rng.random() < 0.3 else "")
    return f"<{tag}{attrs}>{text}</{tag}>"


def _html_table(seg: Seg, rng, p_in_cells, nbsp) -> str:
    rows = []
    for row in seg:
        rows.append("<tr>" + "".join(_html_cell(c, rng, p_in_cells, nbsp) for c in row) + "</tr>")
    return '<table border="1" cellspacing="0" cellpadding="0" class="MsoNormalTable">\n<tbody>\n' + "\n".join(rows) + "\n</tbody></table>"


def to_html(
    rep: SynthReport,
    rng: random.Random | int | None = None,
    *,
    encoding: str = "utf-8",  # "utf-8", "utf-8-sig" (with BOM), "gbk", "gb18030"
    declare: bool = True,  # <meta charset> in the head
    junk: bool = True,  # navigation, breadcrumb, share buttons, footer
    layout_table: bool = False,  # the article inside a page-layout table
    p_in_cells: bool = False,
    nbsp: bool = False,
    split: bool = False,  # Table 3 split in two, header repeated
    blank: str = "",
    doctype: bool = True,
) -> bytes:
    if not isinstance(rng, random.Random):
        rng = random.Random(rng)
    tpl = T.get(rep.template)
    tables = _grids(rep, blank)
    body: list[str] = [f"<h1 class=\"title\">{escape(rep.title)}</h1>",
                       '<div class="info">来源：政务公开办　发布时间：2025-01-10</div>',
                       f"<p>&nbsp;&nbsp;&nbsp;&nbsp;{escape(_intro(rep))}</p>"]
    body.append(f"<p><strong>{escape(_heading(tpl, 1))}</strong></p>")
    body += [f"<p style=\"text-indent:2em\">{escape(line)}</p>" for line in rep.sections[1].split("\n")]
    for n, key in ((2, "active"), (3, "requests"), (4, "appeals")):
        body.append(f"<h3>{escape(_heading(tpl, n))}</h3>")
        segs = table_segments(tables[key], split, rng)
        for k, seg in enumerate(segs):
            if k:
                body.append('<p style="page-break-before:always"><br></p>')
            body.append(_html_table(seg, rng, p_in_cells, nbsp))
    for n in (5, 6):
        body.append(f"<p><b>{escape(_heading(tpl, n))}</b></p>")
        body += [f"<p>{escape(line)}</p>" for line in rep.sections[n].split("\n")]
    article = '<div class="article-content" id="zoom">\n' + "\n".join(body) + "\n</div>"
    if junk:
        article = article + "\n" + _SHARE
    if layout_table:
        article = ('<table width="100%" class="layout"><tr><td width="200" class="left">'
                   '<ul><li>机构概况</li><li>政策文件</li></ul></td>'
                   f"<td>{article}</td></tr></table>")
    charset = {"utf-8-sig": "utf-8", "gbk": "gb2312"}.get(encoding, encoding)
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if declare else ""
    page = (("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">\n" if doctype else "")
            + f"<html>\n<head>{head}<title>{escape(rep.title)}</title>"
            "<script>var _hmt = _hmt || []; document.write('统计代码');</script>"
            "<style>.title{font-size:22px}</style></head>\n<body>\n"
            + (_NAV if junk else "") + article + "\n" + (_FOOTER if junk else "") + "\n</body></html>\n")
    if encoding == "utf-8-sig":
        return page.encode("utf-8-sig")
    return page.encode(encoding)


# ---- DOCX -------------------------------------------------------------------------------------

_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
       'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
       'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
       'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
       'xmlns:v="urn:schemas-microsoft-com:vml" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
       'mc:Ignorable="wps"')


def _x(text: str) -> str:
    return escape(text, quote=False)


def _p(text: str, ppr: str = "") -> str:
    runs = ""
    if text:
        # Word splits text into several runs (formatting, spell-check marks)
        cut = len(text) // 2
        pieces = [text[:cut], text[cut:]] if len(text) > 8 else [text]
        runs = "".join(f'<w:r><w:t xml:space="preserve">{_x(t)}</w:t></w:r>' for t in pieces if t)
    return f"<w:p>{'<w:pPr>' + ppr + '</w:pPr>' if ppr else ''}{runs}</w:p>"


def _num(num_id: int, ilvl: int) -> str:
    return f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'


def _docx_table(seg: Seg, width: int, repeat_header: int = 0) -> str:
    """A table segment as w:tbl: gridSpan for colspans, vMerge restart/continue for rowspans."""
    height = len(seg)
    grid = Grid("x", width, seg)
    m = grid.matrix()
    owner = grid.owners()
    rows = []
    for r in range(height):
        tcs = []
        c = 0
        while c < width:
            r0, c0 = owner[r][c]
            cell = m[r0][c0]
            pr = ""
            if cell.colspan > 1:
                pr += f'<w:gridSpan w:val="{cell.colspan}"/>'
            if r0 != r:
                pr += "<w:vMerge/>"
                text = ""
            else:
                if cell.rowspan > 1:
                    pr += '<w:vMerge w:val="restart"/>'
                text = cell.text
            tcs.append(f'<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/>{pr}</w:tcPr>{_p(text)}</w:tc>')
            c += cell.colspan
        trpr = "<w:trPr><w:tblHeader/></w:trPr>" if r < repeat_header else ""
        rows.append(f"<w:tr>{trpr}{''.join(tcs)}</w:tr>")
    cols = "".join('<w:gridCol w:w="800"/>' for _ in range(width))
    return ('<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders><w:top w:val="single" w:sz="4"/>'
            '<w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/></w:tblBorders></w:tblPr>'
            f"<w:tblGrid>{cols}</w:tblGrid>{''.join(rows)}</w:tbl>")


def _textbox(inner: str) -> str:
    """A paragraph anchoring a text box that holds `inner` (DrawingML with the VML fallback Word
    also writes — the reader must take one of them, not both)."""
    return ("<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
            '<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="5400000" cy="1800000"/>'
            '<wp:docPr id="1" name="文本框 1"/><a:graphic><a:graphicData '
            'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
            '<wps:cNvSpPr txBox="1"/><wps:spPr/><wps:txbx><w:txbxContent>'
            f"{inner}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:inline>"
            "</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
            f"{inner}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>")


_NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering {_NS}>
<w:abstractNum w:abstractNumId="0">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>"""

_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {_NS}>
<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/>
<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
</w:styles>"""

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
</Types>"""

_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""

_DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""


_AFCHUNK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk"


def package(document_xml: str, numbering: str = _NUMBERING, styles: str = _STYLES,
            chunks: dict[str, bytes] | None = None) -> bytes:
    """A minimal DOCX package around a document.xml body; `chunks` (relationship id → HTML bytes)
    become parts the body's w:altChunk elements refer to."""
    buf = io.BytesIO()
    rels = _DOC_RELS
    for k, rid in enumerate(chunks or {}):
        rels = rels.replace("</Relationships>", f'<Relationship Id="{rid}" Type="{_AFCHUNK}" Target="afchunk{k}.htm"/>\n</Relationships>')
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES.replace(
            "</Types>", '<Default Extension="htm" ContentType="text/html"/>\n</Types>'))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/_rels/document.xml.rels", rels)
        for k, data in enumerate((chunks or {}).values()):
            z.writestr(f"word/afchunk{k}.htm", data)
        z.writestr("word/document.xml", document_xml)
        z.writestr("word/numbering.xml", numbering)
        z.writestr("word/styles.xml", styles)
    return buf.getvalue()


def document_xml(body: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {_NS}><w:body>{body}'
            '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')


def to_docx(
    rep: SynthReport,
    rng: random.Random | int | None = None,
    *,
    numbered: bool = True,  # headings numbered by the list style, not typed
    textbox: bool = False,  # Table 4 inside a text box
    nested: bool = False,  # Table 2 inside a one-cell layout table
    split: bool = False,  # Table 3 split in two, header rows repeated
    blank: str = "",
) -> bytes:
    if not isinstance(rng, random.Random):
        rng = random.Random(rng)
    tpl = T.get(rep.template)
    tables = _grids(rep, blank)

    def heading(n: int) -> str:
        if numbered:  # the number comes from the heading style's list (一、) — not in the text
            return _p(tpl.sections[n - 1].title, '<w:pStyle w:val="1"/>')
        return _p(_heading(tpl, n))

    body = [_p(rep.title, '<w:jc w:val="center"/>'), _p(_intro(rep)), heading(1)]
    for line in rep.sections[1].split("\n"):
        if numbered and line.startswith("（") and "）" in line[:5]:
            body.append(_p(line[line.index("）") + 1 :], _num(1, 1)))  # （一） from the list's level 2
        else:
            body.append(_p(line))
    for n, key in ((2, "active"), (3, "requests"), (4, "appeals")):
        body.append(heading(n))
        grid = tables[key]
        segs = table_segments(grid, split, rng)
        xml = ""
        for k, seg in enumerate(segs):
            if k:
                xml += _p("") if rng.random() < 0.5 else ""  # Word may or may not keep a paragraph between
            xml += _docx_table(seg, grid.width, _header_rows(key) if k == 0 else 0)  # Word's "repeat header rows"
        if key == "active" and nested:
            xml = ('<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/></w:tblPr><w:tblGrid><w:gridCol w:w="9000"/>'
                   f"</w:tblGrid><w:tr><w:tc>{_p('（单位：件）')}{xml}{_p('')}</w:tc></w:tr></w:tbl>")
        if key == "appeals" and textbox:
            xml = _textbox(xml + _p(""))
        body.append(xml)
    for n in (5, 6):
        body.append(heading(n))
        body += [_p(line) for line in rep.sections[n].split("\n")]
    return package(document_xml("".join(body)))


def to_docx_altchunk(rep: SynthReport, rng: random.Random | int | None = None, **html_options) -> bytes:
    """The report as a Word file whose body is one embedded web page (w:altChunk), as some web
    editors and OA systems export: a title paragraph, then the page."""
    page = to_html(rep, rng, **html_options)
    body = _p("（本文由网页导出）") + '<w:altChunk r:id="rIdChunk1"/>'
    return package(document_xml(body), chunks={"rIdChunk1": page})
