"""Write a synthetic report as text in the layouts real reports come in (see readers/text.py).

The tables are first laid out as a grid of the national form (from the template declaration),
then serialised per layout.  Used by the property tests and the benchmarks; also a reference for
what each layout looks like.
"""

from __future__ import annotations

import random
from decimal import Decimal

from .. import template as T
from ..form import grids
from . import SynthReport

# layout name → writer(grid rows, rng, repeat_header) → lines; a new layout is one entry here
LAYOUTS = ("tsv", "pdf", "tab-cell", "cells", "pipe", "pipe-cells", "pipe-open", "label-line", "pipe-cells-end", "cells-dense")
# Table 2 as agencies vary it: read back to the same numbers, with INFO findings saying how
# (SUBROWS_SUMMED, UNIT_CONVERTED) — tests/test_property_variants.py
VARIANT_LAYOUTS = ("variants",)
# written but not yet read back exactly (rows of one or two numbers, blank marks): see docs/tables.md
# (runtogether: the cells joined with nothing between them; some cells stay null and flagged
# CELL_AMBIGUOUS, see xxgk/extract/split.py and docs/split.md)
EXTRA_LAYOUTS = ("spaced", "runtogether")
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


def _pipe_cells(grid, rng) -> list[str]:
    """A web page turned into text: every cell on its own line closed by ` |`, the slots of a
    merged cell as a line of `|`s (`||`, `|||`), now and then a cell's `|` on the next line."""
    out = []
    for row in grid:
        k = 0
        while k < len(row):
            cell = row[k]
            if not cell and out and out[-1].strip(" |") == "" and out[-1].strip():
                out[-1] += "|"  # a run of empty slots: one line of |s
            elif not cell:
                out.append("|")
            elif rng.random() < 0.1:
                out += [cell, "|"]
            else:
                out.append(f"{cell} |")
            k += 1
    return out


def _spare_at_end(grid) -> list[list[str]]:
    """The grid's rows with the slots merged cells cover moved after each row's own cells — how
    some converters write a merged cell's spare `|`s (`申请人情况 |` right after the note cell)."""
    out = []
    for row in grid.matrix():
        own = [c.text for c in row if c is not None]
        out.append(own + [""] * (grid.width - len(own)))
    return out


def _cells_dense(grid, rng) -> list[str]:
    """Every cell of the printed table on its own line, no blank lines between them; an empty
    cell is an empty line (`1`, five empty lines, `1`); merged slots are not written."""
    out = []
    for row in grid:
        out += [cell for cell in row if cell is not None]
    return out


def _pipe_open(grid, rng) -> list[str]:
    """Every row opened by a line holding only `|`, each cell on its own line ending in ` | `,
    the empty slots of merged cells appended to the cell before them (`第二十条第(一)项  | |||`)."""
    out = []
    for row in grid:
        out.append("| ")
        for cell in row:
            if cell or len(out) and out[-1] == "| ":
                out.append(f" {cell}  | ")
            else:
                out[-1] += "|"
    return out


def _label_line(grid, rng) -> list[str]:
    """Tab-separated rows whose row label stands on a line of its own, its numbers on the next."""
    out = []
    for row in grid:
        cells = [c for c in row if c]
        values = [c for c in cells if _is_value(c)]
        if len(values) >= 3 and not _is_value(cells[0]) and cells[-len(values):] == values and len(values) < len(cells):
            out.append("\t".join(cells[: len(cells) - len(values)]))
            out.append("\t".join(values))
        else:
            out.append("\t".join(row))
    return out


def _spaced(grid, rng) -> list[str]:
    """A PDF flip-book's text: each row's cells separated by spaces."""
    return [" ".join(c for c in row if c) for row in grid]


def _is_value(cell: str) -> bool:
    return cell.lstrip("+-").replace(".", "", 1).isdigit() or cell in BLANK_MARKS


def _table(grid, layout: str, rng, repeat_header=None) -> list[str]:
    writer = WRITERS.get(layout)
    if writer is None:
        raise ValueError(layout)
    return writer(grid, rng, repeat_header)


def _variants(rows: list[list[str]], tpl, rng) -> list[list[str]]:
    """Table 2 as agencies vary it: headers cut short (本年新), 规范性文件 without 行政, signed
    changes (+3), amounts with their unit in the cell (160.5964万元 in a yuan column), an extra row
    (其他主动公开文件), 其他对外管理服务事项 printed as sub-rows that add up to it, and a character
    lost before a number (`? 3`)."""
    out = []
    for row in rows:
        row = list(row)
        label = row[0]
        if label in ("本年新制作数量", "信息内容") or "本年新制作数量" in row:
            row = ["本年新" if c in ("本年新制作数量", "本年新公开数量") else c for c in row]
        if label == "行政规范性文件":
            row[0] = "规范性文件"
        if label == "规章" and row[1].isdigit() and rng.random() < 0.5:
            row[1] = "? " + row[1]  # a character the page's encoding lost before the number
        if tpl.id == "2019":
            if label == "政府集中采购" and row[2].isdigit():
                row[2] = f"{format((Decimal(row[2]) / 10000).normalize(), 'f')}万元"
            if label in ("行政许可", "行政处罚", "其他对外管理服务事项") and row[2].isdigit() and row[2] != "0":
                row[2] = "+" + row[2]
            if label == "其他对外管理服务事项" and all(_is_int(c) for c in row[1:4]):
                nums = [int(c.lstrip("+")) for c in row[1:4]]
                first = [rng.randint(0, max(n, 0)) if n >= 0 else n for n in nums]
                second = [n - f for n, f in zip(nums, first)]
                out.append([label, "", "", ""])
                out.append(["行政确认", *map(str, first)])
                out.append(["行政检查", *map(str, second)])
                continue
        out.append(row)
        if label == "行政规范性文件" or label == "规范性文件":
            out.append(["其他主动公开文件", *(str(rng.randint(0, 99)) for _ in row[1:])])
    return out


def _is_int(cell: str) -> bool:
    return cell.lstrip("+-").isdigit()


WRITERS = {
    "tsv": lambda g, rng, rh: _tsv(g, rng),
    "pdf": lambda g, rng, rh: _tsv(g, rng, pdf=True),
    "pipe": lambda g, rng, rh: _pipe(g),
    "tab-cell": lambda g, rng, rh: _tabcell(g, rng),
    "cells": lambda g, rng, rh: _cells(g, rng, rh),
    "pipe-cells": lambda g, rng, rh: _pipe_cells(g, rng),
    "pipe-open": lambda g, rng, rh: _pipe_open(g, rng),
    "pipe-cells-end": lambda g, rng, rh: _pipe_cells(g, rng),  # rows from _spare_at_end (see write)
    "cells-dense": lambda g, rng, rh: _cells_dense(g, rng),  # rows with None for merged slots (see write)
    "label-line": lambda g, rng, rh: _label_line(g, rng),
    "spaced": lambda g, rng, rh: _spaced(g, rng),
    # a crawled page's text: cells joined with nothing between them
    "runtogether": lambda g, rng, rh: ["".join("".join(row) for row in g)],
    "variants": lambda g, rng, rh: _tsv(g, rng),
}


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
    if layout in ("cells", "pdf", "label-line", "spaced", "runtogether") and not blank:
        blank = "/"  # these layouts cannot show an empty cell
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
        # (a dense page writes no blank lines: there an empty line is an empty cell)
        lines += [head(n)] if layout == "cells-dense" else ["", head(n), ""]
        if layout == "pipe-cells-end":
            rows = _spare_at_end(tables[key])
        elif layout == "cells-dense":
            rows = [[c.text if c is not None else None for c in row] for row in tables[key].matrix()]
        else:
            rows = tables[key].text_rows()
        if layout == "variants" and key == "active":
            rows = _variants(rows, tpl, rng)
        lines += _table(rows, layout, rng, repeat_header="三、本年度办理结果" if n == 3 else None)
    for n in (5, 6):
        lines += [head(n)] if layout == "cells-dense" else ["", head(n)]
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
