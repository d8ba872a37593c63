"""Self-contained HTML: inline style attributes only (a CMS editor keeps them, strips <style>),
no scripts, no external resources; the tables are real <table>s with rowspan/colspan."""

from __future__ import annotations

from html import escape

from .data import ReportData
from .skeleton import PLACEHOLDER, blocks

_FONT = "font-family:'仿宋','仿宋_GB2312',FangSong,'Noto Serif CJK SC','SimSun',serif"
_BODY = f"margin:0 auto;max-width:860px;padding:24px;{_FONT};font-size:16px;line-height:1.8;color:#000;background:#fff"
_TITLE = "font-family:'方正小标宋简体','宋体',SimSun,'Noto Serif CJK SC',serif;font-size:26px;font-weight:bold;text-align:center;margin:24px 0"
_H2 = "font-family:'黑体',SimHei,'Noto Sans CJK SC',sans-serif;font-size:18px;font-weight:bold;margin:20px 0 8px"
_P = "text-indent:2em;margin:4px 0"
_TABLE = "border-collapse:collapse;width:100%;margin:8px 0 16px;font-family:'宋体',SimSun,'Noto Serif CJK SC',serif;font-size:13px;line-height:1.4"
_CELL = "border:1px solid #000;padding:4px 6px;vertical-align:middle"
_ROLE = {
    "group": "text-align:center;font-weight:bold",
    "header": "text-align:center;font-weight:bold",
    "label": "text-align:left",
    "value": "text-align:center",
}
_TODO = "background:#fff3b0"


def _text(text: str) -> str:
    out = escape(text)
    if PLACEHOLDER in text:  # make the marks visible to the author
        out = out.replace("【待补充：", f'<span style="{_TODO}">【待补充：').replace("】", "】</span>")
    return out


def _table(grid) -> list[str]:
    out = [f'<table style="{_TABLE}">', "<tbody>"]
    for row in grid.rows:
        cells = []
        for c in row:
            tag = "th" if c.role in ("group", "header") else "td"
            span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            nowrap = ";white-space:nowrap" if tag == "th" and len(c.text) <= 4 else ""
            cells.append(f'<{tag}{span} style="{_CELL};{_ROLE[c.role]}{nowrap}">{escape(c.text)}</{tag}>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def to_html(rd: ReportData) -> str:
    body: list[str] = []
    title = rd.display_title()
    for b in blocks(rd):
        if b.kind == "title":
            body.append(f'<h1 style="{_TITLE}">{_text(b.text)}</h1>')
        elif b.kind == "heading":
            body.append(f'<h2 style="{_H2}">{_text(b.text)}</h2>')
        elif b.kind == "para":
            body.append(f'<p style="{_P}">{_text(b.text)}</p>')
        else:
            body += _table(b.grid)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n</head>\n"
        f'<body style="{_BODY}">\n' + "\n".join(body) + "\n</body>\n</html>\n"
    )
