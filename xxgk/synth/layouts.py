"""Write a synthetic report as text in the layouts real reports come in (see readers/text.py).

The tables are first laid out as a grid of the national form (from the template declaration),
then serialised per layout.  Used by the property tests and the benchmarks; also a reference for
what each layout looks like.
"""

from __future__ import annotations

import random

from .. import template as T
from ..form import grids
from . import SynthReport

LAYOUTS = ("tsv", "pdf", "tab-cell", "cells", "pipe")  # every number can be read back exactly
# written but not always read back exactly (runtogether: the cells joined with nothing between
# them; some cells stay null and flagged, see xxgk/extract/split.py and docs/split.md)
EXTRA_LAYOUTS = ("runtogether",)
ALL_LAYOUTS = LAYOUTS + EXTRA_LAYOUTS
HEADINGS = ("一、", "1、", "1.", "（一）", "")
_CN = "一二三四五六"


class _Blank:
    """A blank cell as the layout writes it."""

    def __init__(self, mark: str):
        self.mark = mark

    def __str__(self) -> str:
        return self.mark


# ---- serialisation ---------------------------------------------------------------------------

def _split(text: str, rng: random.Random) -> list[str]:
    """Break a label across lines the way narrow table cells do."""
    if len(text) < 4 or rng.random() < 0.6:
        return [text]
    cut = rng.randint(2, len(text) - 2)
    return [text[:cut], text[cut:]]


def _tsv(grid, rng, pdf=False) -> list[str]:
    out = []
    for row in grid:
        cells = list(row)
        if pdf:
            cells = [c.replace("政府", "政 府", 1) if rng.random() < 0.2 else c for c in cells]
            cells = [""] * rng.randint(0, 1) + cells + [""] * rng.randint(0, 2)
        out.append("\t".join(cells))
    return out


def _pipe(grid) -> list[str]:
    return ["| " + " | ".join(row) + " |" for row in grid]


def _tabcell(grid, rng) -> list[str]:
    out = []
    for row in grid:
        for cell in row:
            parts = _split(cell, rng) if cell and not cell.lstrip("-").replace(".", "").isdigit() else [cell]
            out.append("\t" + parts[0])
            out.extend(parts[1:])
        out.append("")
    return out


def _cells(grid, rng, repeat_header: str | None = None) -> list[str]:
    out = []
    for row in grid:
        if repeat_header and any(c.startswith(("（五）", "(五)")) for c in row):
            out += [repeat_header, ""]  # a header repeated after a page break
        for cell in row:
            if cell:
                out += [cell, ""]
    return out


def _table(grid, layout: str, rng, repeat_header=None) -> list[str]:
    if layout == "tsv":
        return _tsv(grid, rng)
    if layout == "pdf":
        return _tsv(grid, rng, pdf=True)
    if layout == "pipe":
        return _pipe(grid)
    if layout == "tab-cell":
        return _tabcell(grid, rng)
    if layout == "cells":
        return _cells(grid, rng, repeat_header)
    if layout == "runtogether":  # a crawled page's text: cells joined with nothing between them
        return ["".join("".join(row) for row in grid)]
    raise ValueError(layout)


BLANK_MARKS = ("", "/", "—", "-", "无")


def write(
    rep: SynthReport,
    layout: str = "tsv",
    rng: random.Random | int | None = None,
    heading: str | None = None,
    blank: str | None = None,
    one_line: bool | None = None,
) -> str:
    """The report as text.  Blank cells are written as `blank` (default: chosen at random; the
    one-cell-per-line and PDF layouts cannot show an empty cell, so they always use a mark)."""
    if not isinstance(rng, random.Random):
        rng = random.Random(rng)
    if blank is None:
        blank = rng.choice(BLANK_MARKS)
    if layout in ("cells", "pdf", "runtogether") and not blank:
        blank = "/"
    tpl = T.get(rep.template)
    heading = heading if heading is not None else rng.choice(HEADINGS)

    def head(n: int) -> str:
        title = tpl.sections[n - 1].title
        if heading == "一、":
            return f"{_CN[n - 1]}、{title}"
        if heading == "（一）":
            return f"（{_CN[n - 1]}）{title}"
        return f"{n}{heading[-1]}{title}" if heading else title

    lines: list[str] = []
    if layout == "cells":
        lines += ["欢迎访问本站 返回首页", "", rep.title, "", "来源：政务公开办 发布时间：2025-01-10 打印文章", ""]
    else:
        lines += [rep.title, ""]
    lines += [
        f"本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求编制。"
        f"本报告中所列数据的统计期限自{rep.year}年1月1日起至{rep.year}年12月31日止。",
        "",
        head(1),
    ]
    lines += rep.sections[1].split("\n")
    values = rep.values
    tables = grids(tpl, lambda t, r, c: values[t][r][c] if values[t][r][c] is not None else _Blank(blank))
    for n, key in ((2, "active"), (3, "requests"), (4, "appeals")):
        lines += ["", head(n), ""]
        rows = tables[key].text_rows()
        lines += _table(rows, layout, rng, repeat_header="三、本年度办理结果" if n == 3 else None)
    for n in (5, 6):
        lines += ["", head(n)]
        lines += rep.sections[n].split("\n")
    if layout == "cells":
        lines += ["", "附件：", "分享到："]
    if layout == "runtogether":  # the whole report on one line (`one_line`, default: at random), or a few
        if one_line if one_line is not None else rng.random() < 0.5:
            return "".join(line.strip() for line in lines) + "\n"
        return "\n".join(line.strip() for line in lines if line.strip()) + "\n"
    return "\n".join(lines) + "\n"


def encode(text: str, encoding: str = "utf-8", traditional: bool = False) -> bytes:
    if traditional:
        import opencc

        text = opencc.OpenCC("s2t").convert(text)
    if encoding == "utf-8-sig":
        return text.encode("utf-8-sig")
    if encoding == "utf-16":
        return text.encode("utf-16")  # with BOM
    return text.encode(encoding)
