"""Positioned text and ruling lines → lines and tables, for the PDF and OCR readers.

Input per page: text pieces with boxes (a glyph of a PDF text layer, or a recognised text box of
OCR) and ruling-line segments, all in top-down page coordinates.  Ruling lines that touch each
other form a table; the distinct rule positions cut it into a grid of slots, and two neighbouring
slots belong to one (merged) cell when no rule separates them.  Text outside tables is grouped
into lines by vertical overlap.  Running headers, footers and page numbers are dropped, wrapped
paragraph lines are joined, and a table that ends a page and goes on at the top of the next one
with the same columns is continued.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from .. import limits
from ..document import Cell, Document, Line, Row, Table
from ..text import cell_value, to_simplified

TOL = 2.5  # points: rules closer than this are one
_NUMBERED = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]{1,2}[）)]|[一二三四五六七八九十]{1,2}\s*[、.．]|\d{1,2}\s*[.．、])")
_INNER_NUMBER = re.compile(r"\d{1,2}[.．、]\D")  # "2.申请人" inside a label line
_PAGE_NO = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,3}(?:\s*页)?(?:\s*[/共]\s*\d{1,3}\s*页?)?[-—–\s]*$")


@dataclass(slots=True)
class Piece:
    """A glyph or a recognised text box."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float | None = None

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class Rule:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.bottom - self.top)


@dataclass
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    pieces: list[Piece]
    rules: list[Rule] = field(default_factory=list)


@dataclass
class _Grid:
    xs: list[float]
    ys: list[float]
    cells: list[tuple[int, int, int, int]]  # (row, col, rowspan, colspan), top-left order
    box: tuple[float, float, float, float]


@dataclass
class _Block:
    """A narrative line or a table of one page, in reading order."""

    top: float
    line: list[Piece] | None = None
    table: list[list[Cell]] | None = None  # expanded matrix
    xs: list[float] | None = None
    bottom: float = 0.0


# ---- tables from rules -----------------------------------------------------------------------

def _clusters(values: list[float], tol: float = TOL) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _touch(a: Rule, b: Rule, tol: float = TOL) -> bool:
    return a.x0 - tol <= b.x1 and b.x0 - tol <= a.x1 and a.top - tol <= b.bottom and b.top - tol <= a.bottom


def _components(rules: list[Rule]) -> list[list[Rule]]:
    parent = list(range(len(rules)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(rules)), key=lambda i: rules[i].top)
    for a in range(len(order)):
        ra = rules[order[a]]
        for b in range(a + 1, len(order)):
            rb = rules[order[b]]
            if rb.top - TOL > ra.bottom:
                break
            if _touch(ra, rb):
                parent[find(order[a])] = find(order[b])
    groups: dict[int, list[Rule]] = {}
    for i in range(len(rules)):
        groups.setdefault(find(i), []).append(rules[i])
    return list(groups.values())


def _covered(rules: list[Rule], pos: float, lo: float, hi: float, horizontal: bool) -> bool:
    """Is there a rule at `pos` running over the middle of lo..hi?"""
    mid = (lo + hi) / 2
    span = (hi - lo) / 2
    for r in rules:
        if horizontal:
            if abs((r.top + r.bottom) / 2 - pos) <= TOL and r.x0 - TOL <= mid - span / 2 and r.x1 + TOL >= mid + span / 2:
                return True
        elif abs((r.x0 + r.x1) / 2 - pos) <= TOL and r.top - TOL <= mid - span / 2 and r.bottom + TOL >= mid + span / 2:
            return True
    return False


def _by_position(rules: list[Rule], positions: list[float], horizontal: bool) -> list[list[Rule]]:
    """The rules near each grid line (within TOL of it, as `_covered` asks), so that a cell's
    borders are looked for among a few rules, not all of the page's."""
    out: list[list[Rule]] = [[] for _ in positions]
    for r in rules:
        pos = (r.top + r.bottom) / 2 if horizontal else (r.x0 + r.x1) / 2
        k = bisect_left(positions, pos - TOL)
        while k < len(positions) and positions[k] <= pos + TOL:
            out[k].append(r)
            k += 1
    return out


def _grid(rules: list[Rule]) -> _Grid | None:
    hs = [r for r in rules if r.horizontal]
    vs = [r for r in rules if not r.horizontal]
    if len(hs) < 2 or len(vs) < 2:
        return None
    ys = _clusters([(r.top + r.bottom) / 2 for r in hs])
    xs = _clusters([(r.x0 + r.x1) / 2 for r in vs])
    if len(ys) < 2 or len(xs) < 2:
        return None
    nr, nc = len(ys) - 1, len(xs) - 1
    if nr * nc > limits.MAX_GRID_SLOTS:
        return None  # more cells than any table of a report: a pattern of lines, not a table
    by_y, by_x = _by_position(hs, ys, True), _by_position(vs, xs, False)
    parent = {(r, c): (r, c) for r in range(nr) for c in range(nc)}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _covered(by_x[c + 1], xs[c + 1], ys[r], ys[r + 1], horizontal=False):
                parent[find((r, c + 1))] = find((r, c))
            if r + 1 < nr and not _covered(by_y[r + 1], ys[r + 1], xs[c], xs[c + 1], horizontal=True):
                parent[find((r + 1, c))] = find((r, c))
    spans: dict[tuple[int, int], list[int]] = {}
    for (r, c) in parent:
        root = find((r, c))
        s = spans.setdefault(root, [r, c, r, c])
        s[0], s[1], s[2], s[3] = min(s[0], r), min(s[1], c), max(s[2], r), max(s[3], c)
    cells = sorted((s[0], s[1], s[2] - s[0] + 1, s[3] - s[1] + 1) for s in spans.values())
    return _Grid(xs, ys, cells, (xs[0], ys[0], xs[-1], ys[-1]))


def _join(pieces: list[Piece], gap: str = " ") -> str:
    """Text of pieces on one line, left to right; `gap` only where a wide gap separates them."""
    pieces = sorted(pieces, key=lambda p: p.x0)
    out = ""
    prev = None
    for p in pieces:
        if prev is not None:
            h = max(prev.bottom - prev.top, p.bottom - p.top, 1.0)
            if p.x0 - prev.x1 > 1.2 * h and out and not out.endswith(gap):
                out += gap
        out += p.text
        prev = p
    return out


def _lines_of(pieces: list[Piece]) -> list[list[Piece]]:
    """Group pieces into lines: a piece joins the line whose vertical extent its centre lies in."""
    lines: list[list[Piece]] = []
    bounds: list[list[float]] = []
    for p in sorted(pieces, key=lambda p: (p.cy, p.x0)):
        for k in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            top, bottom = bounds[k]
            if top <= p.cy <= bottom:
                lines[k].append(p)
                bounds[k] = [min(top, p.top), max(bottom, p.bottom)]
                break
        else:
            lines.append([p])
            bounds.append([p.top, p.bottom])
    for line in lines:
        line.sort(key=lambda p: p.x0)
    return lines


def _cell_text(pieces: list[Piece]) -> tuple[str, float | None, tuple[float, float, float, float] | None]:
    if not pieces:
        return "", None, None
    text = "".join(_join(line) for line in _lines_of(pieces)).strip()
    confs = [p.confidence for p in pieces if p.confidence is not None]
    box = (min(p.x0 for p in pieces), min(p.top for p in pieces), max(p.x1 for p in pieces), max(p.bottom for p in pieces))
    return text, (min(confs) if confs else None), box


def _table_matrix(grid: _Grid, pieces: list[Piece], page: int) -> list[list[Cell]]:
    nr, nc = len(grid.ys) - 1, len(grid.xs) - 1
    matrix: list[list[Cell | None]] = [[None] * nc for _ in range(nr)]
    inside: dict[tuple[int, int], list[Piece]] = {}
    for p in pieces:
        r = _slot(grid.ys, p.cy)
        c = _slot(grid.xs, p.cx)
        if r is not None and c is not None:
            inside.setdefault((r, c), []).append(p)
    for r, c, rs, cs in grid.cells:
        got = [p for dr in range(rs) for dc in range(cs) for p in inside.get((r + dr, c + dc), [])]
        text, conf, _ = _cell_text(got)
        box = (grid.xs[c], grid.ys[r], grid.xs[c + cs], grid.ys[r + rs])
        cell = Cell(text, page=page, bbox=box, confidence=conf, rowspan=rs, colspan=cs)
        for dr in range(rs):
            for dc in range(cs):
                matrix[r + dr][c + dc] = cell if (dr, dc) == (0, 0) else Cell(
                    text, page=page, bbox=box, confidence=conf, rowspan=rs, colspan=cs, spanned=True
                )
    return [[c if c is not None else Cell("", page=page) for c in row] for row in matrix]


def _slot(edges: list[float], v: float) -> int | None:
    for k in range(len(edges) - 1):
        if edges[k] <= v < edges[k + 1]:
            return k
    return None


# ---- pages -----------------------------------------------------------------------------------

def grids_of(rules: list[Rule]) -> list[_Grid]:
    """The tables the ruling lines make: every group of touching rules that cuts a grid."""
    out = []
    for comp in _components(rules):
        grid = _grid(comp)
        if grid is not None and len(grid.cells) >= 2:
            out.append(grid)
    return out


def _page_blocks(page: PageContent) -> list[_Block]:
    blocks: list[_Block] = []
    free = list(page.pieces)
    for grid in grids_of(page.rules):
        x0, top, x1, bottom = grid.box
        mine = [p for p in free if x0 <= p.cx <= x1 and top <= p.cy <= bottom]
        if not mine:
            continue
        ids = {id(p) for p in mine}
        free = [p for p in free if id(p) not in ids]
        blocks.append(_Block(top, table=_table_matrix(grid, mine, page.number), xs=grid.xs, bottom=bottom))
    for line in _lines_of([p for p in free if p.text.strip()]):
        blocks.append(_Block(min(p.top for p in line), line=line, bottom=max(p.bottom for p in line)))
    blocks.sort(key=lambda b: b.top)
    return blocks


def _band_text(b: _Block, page: PageContent) -> str | None:
    """The text of a line in the top or bottom band of its page that is the first or last block."""
    band = 0.09 * page.height
    if b.line is None or not (b.bottom < band or b.top > page.height - band):
        return None
    return _join(b.line).strip()


def _drop_furniture(per_page: list[list[_Block]], pages: list[PageContent]) -> list[list[_Block]]:
    """Page numbers at the top or bottom of a page, and running headers/footers: a line in the
    top or bottom band, first or last on its page, whose text (digits aside) recurs so on another page."""
    def key(text: str) -> str:
        return re.sub(r"\d+", "#", text)

    seen: dict[str, int] = {}
    for page, blocks in zip(pages, per_page):
        for b in (blocks[:1] + blocks[-1:]) if blocks else []:
            text = _band_text(b, page)
            if text:
                seen[key(text)] = seen.get(key(text), 0) + 1
    out = []
    for page, blocks in zip(pages, per_page):
        kept = []
        for k, b in enumerate(blocks):
            text = _band_text(b, page) if k in (0, len(blocks) - 1) else None
            if text is not None and (_PAGE_NO.match(text) or (len(text) <= 60 and seen.get(key(text), 0) >= 2)):
                continue
            kept.append(b)
        out.append(kept)
    return out


def _right_edge(pages: list[list[_Block]]) -> float:
    edges = [max(p.x1 for p in b.line) for blocks in pages for b in blocks if b.line]
    return max(edges) if edges else 0.0


def _unruled(pages: list[PageContent], per_page: list[list[_Block]], fmt: str) -> Document:
    """No ruling lines anywhere: a table is only text positions.  Wide gaps become tabs and the
    text reader finds the tables, as in text extracted from a PDF (rows with shifted or lost
    cells are then placed by the identities, or left unknown)."""
    from .text import read_text

    texts, page_of = [], []
    for page, blocks in zip(pages, per_page):
        for b in blocks:
            texts.append(to_simplified(_join(b.line, "\t").rstrip()))
            page_of.append(page.number)
    # a numbered label ("2.申请人…") whose first part sits on the line above a row that shows only
    # the label's middle part before the numbers: put the first part in front of it
    for k in range(len(texts) - 1, 0, -1):
        fields = texts[k].split("\t")
        prev = texts[k - 1]
        if len(fields) < 3 or "\t" in prev or not _INNER_NUMBER.search(prev) or page_of[k] != page_of[k - 1]:
            continue
        numeric = [cell_value(f).kind != "text" for f in fields]
        first = next((i for i in range(len(fields)) if all(numeric[i:])), len(fields))
        if len(fields) - first >= 2 and first >= 1 and not numeric[first - 1] and not _NUMBERED.match(fields[first - 1]):
            fields[first - 1] = prev.strip() + fields[first - 1]
            texts[k - 1] = "\t".join(fields)
            del texts[k], page_of[k]
    # a label wrapped over lines sits above and below its row's numbers: join its first part to them
    for k in range(len(texts) - 1, 0, -1):
        fields = texts[k].split("\t")
        prev = texts[k - 1]
        if (
            len(fields) >= 2
            and all(cell_value(f).kind != "text" for f in fields)
            and page_of[k] == page_of[k - 1]
            and prev.strip()
            and "\t" not in prev
            and len(prev) <= 40
            and cell_value(prev).kind == "text"
        ):
            texts[k - 1] = prev + "\t" + texts[k]
            del texts[k], page_of[k]
    doc = read_text("\n".join(texts))
    for line in doc.lines:
        line.page = page_of[line.no - 1] if line.no - 1 < len(page_of) else None
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.line is not None and cell.line - 1 < len(page_of):
                    cell.page = page_of[cell.line - 1]
        table.page = table.rows[0].cells[0].page if table.rows and table.rows[0].cells else None
    doc.format = fmt
    doc.layout = "unruled"
    doc.pages = len(pages)
    return doc


def build(pages: list[PageContent], fmt: str, warnings: list[str] | None = None) -> Document:
    """The document of the pages: lines in reading order, tables as rows of cells."""
    per_page = _drop_furniture([_page_blocks(p) for p in pages], pages)
    if not any(b.table is not None for blocks in per_page for b in blocks):
        doc = _unruled(pages, per_page, fmt)
        doc.warnings.extend(warnings or [])
        return doc
    right = _right_edge(per_page)
    left = min((min(p.x0 for p in b.line) for blocks in per_page for b in blocks if b.line), default=0.0)
    lines: list[Line] = []
    tables: list[Table] = []
    last_table: Table | None = None
    last_xs: list[float] | None = None
    open_para: Line | None = None  # a line that ran to the right margin: the next may continue it
    for page, blocks in zip(pages, per_page):
        for k, b in enumerate(blocks):
            if b.table is not None:
                open_para = None
                continued = (
                    last_table is not None
                    and k == 0
                    and last_xs is not None
                    and len(last_xs) == len(b.xs)
                    and all(abs(a - c) <= 3 * TOL for a, c in zip(last_xs, b.xs))
                )
                table = last_table if continued else Table([], page=page.number)
                for cells in b.table:
                    no = len(lines) + 1
                    for cell in cells:
                        cell.line = no
                    lines.append(Line(no, "\t".join(c.text for c in cells), page=page.number, in_table=True))
                    table.rows.append(Row(cells))
                if not continued:
                    table.first_line = lines[-len(b.table)].no
                    tables.append(table)
                table.last_line = lines[-1].no
                last_table, last_xs = table, b.xs
                continue
            text = to_simplified(_join(b.line).rstrip())
            height = max(p.bottom - p.top for p in b.line)
            x0 = min(p.x0 for p in b.line)
            if open_para is not None and x0 <= left + 0.5 * height:
                open_para.text += text.strip()
            else:
                lines.append(Line(len(lines) + 1, text.strip(), page=page.number))
            cur = lines[-1]
            open_para = cur if max(p.x1 for p in b.line) >= right - 1.5 * height else None
            last_table = None
        # a table continues onto the next page only if nothing but furniture followed it
    doc = Document(lines=lines, tables=tables, format=fmt, pages=len(pages))
    if warnings:
        doc.warnings.extend(warnings)
    return doc
