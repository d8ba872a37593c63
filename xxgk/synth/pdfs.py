"""Write a synthetic report as a PDF with a text layer, and rasterise it into images and an
image-only PDF — the fixtures of the PDF and OCR readers.

The tables are the national form's grids (`xxgk.form.grids`), drawn with ruling lines and their
merged cells, in a CID font (STSong-Light, not embedded); every page gets a running header and a
page number.  Table 3 is broken across a page at `break_row` (with or without its header rows
repeated).  Needs reportlab (test extra); the rasterisers need pypdfium2 and Pillow.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from .. import template as T
from ..form import Grid, GridCell, grids
from . import SynthReport

FONT = "STSong-Light"
PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
MARGIN = 56.0
BODY_SIZE = 10.5
TABLE_SIZE = 7.5
LEADING = 1.45
_CN = "一二三四五六"
_WIDTHS = {"active": [150.0], "requests": [42.0, 42.0, 130.0], "appeals": []}


@dataclass
class PdfStyle:
    ruled: bool = True  # draw ruling lines (False: a table made of positioned text only)
    repeat_header: bool = False  # repeat Table 3's header rows after its page break
    break_row: int | None = 12  # Table 3 grid row before which a new page starts (None: natural flow)
    furniture: bool = True  # running header and page numbers


def _font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Break text into lines of at most `width` points (CJK glyphs are one em, digits half)."""
    out, cur, w = [], "", 0.0
    for ch in text:
        cw = size * (0.5 if ord(ch) < 128 else 1.0)
        if cur and w + cw > width:
            out.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw
    if cur or not out:
        out.append(cur)
    return out


class _Writer:
    def __init__(self, style: PdfStyle, running_head: str):
        from reportlab.pdfgen import canvas

        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf, pagesize=(PAGE_W, PAGE_H), invariant=1)  # same bytes every time
        self.c.setTitle(running_head)
        self.style = style
        self.head = running_head
        self.page = 1
        self.y = PAGE_H - MARGIN  # cursor: top of the next block, PDF coordinates (bottom-up)
        self._furniture()

    def _furniture(self):
        if not self.style.furniture:
            return
        c = self.c
        c.setFont(_font(), 8)
        c.drawCentredString(PAGE_W / 2, PAGE_H - 30, self.head)
        c.drawCentredString(PAGE_W / 2, 28, f"- {self.page} -")

    def new_page(self):
        self.c.showPage()
        self.page += 1
        self.y = PAGE_H - MARGIN
        self._furniture()

    def room(self, height: float) -> bool:
        return self.y - height >= MARGIN

    def paragraph(self, text: str, size: float = BODY_SIZE, indent: bool = True, centre: bool = False):
        width = PAGE_W - 2 * MARGIN
        lines = _wrap(("\u3000\u3000" if indent else "") + text, width, size)
        for line in lines:
            if not self.room(size * LEADING):
                self.new_page()
            self.c.setFont(_font(), size)
            base = self.y - size
            if centre:
                self.c.drawCentredString(PAGE_W / 2, base, line.strip("\u3000"))
            else:
                self.c.drawString(MARGIN, base, line.replace("\u3000", "  "))
            self.y -= size * LEADING

    def gap(self, height: float = 6.0):
        self.y -= height

    # ---- tables ------------------------------------------------------------------------------

    def table(self, grid: Grid, widths: list[float], break_row: int | None = None, header_rows: int = 0):
        matrix = grid.matrix()
        owner = grid.owners()
        xs = [MARGIN]
        for w in widths:
            xs.append(xs[-1] + w)
        heights = [_row_height(grid, r, matrix, owner, xs) for r in range(len(matrix))]
        start = 0
        r = 0
        segment_top = self.y
        while r < len(matrix):
            forced = break_row is not None and r == break_row and r > start
            if forced or not self.room(heights[r]):
                self._segment(grid, matrix, owner, xs, heights, start, r, segment_top)
                self.new_page()
                start = r
                if self.style.repeat_header and header_rows:
                    self._segment(grid, matrix, owner, xs, heights, 0, header_rows, self.y)
                    self.y -= sum(heights[:header_rows])
                segment_top = self.y
            self.y -= heights[r]
            r += 1
        self._segment(grid, matrix, owner, xs, heights, start, len(matrix), segment_top)

    def _segment(self, grid, matrix, owner, xs, heights, r0, r1, top):
        """Draw rows r0..r1-1 from `top` down: the text of every cell part, and the rules."""
        c = self.c
        ys = [top]
        for r in range(r0, r1):
            ys.append(ys[-1] - heights[r])
        drawn = set()
        for r in range(r0, r1):
            for col in range(len(xs) - 1):
                o = owner[r][col]
                if o in drawn:
                    continue
                drawn.add(o)
                orow, ocol = o
                cell = matrix[orow][ocol]
                rr0, rr1 = max(orow, r0), min(orow + cell.rowspan, r1)
                x0, x1 = xs[ocol], xs[min(ocol + cell.colspan, len(xs) - 1)]
                y_top, y_bot = ys[rr0 - r0], ys[rr1 - r0]
                if orow < r0 and cell.role != "value":
                    pass  # a merged label continued from the previous page: drawn there
                else:
                    _cell_text(c, cell.text, x0, x1, y_top, y_bot)
        if not self.style.ruled:
            return
        c.setLineWidth(0.6)
        n = len(xs) - 1
        # horizontal rules: segment borders, and between rows where the owner changes
        for k in range(r0, r1 + 1):
            y = ys[k - r0]
            run = None
            for col in range(n):
                edge = k in (r0, r1) or owner[k - 1][col] != owner[k][col]
                if edge and run is None:
                    run = col
                if not edge and run is not None:
                    c.line(xs[run], y, xs[col], y)
                    run = None
            if run is not None:
                c.line(xs[run], y, xs[n], y)
        for col in range(n + 1):
            x = xs[col]
            run = None
            for r in range(r0, r1):
                edge = col in (0, n) or owner[r][col - 1] != owner[r][col]
                if edge and run is None:
                    run = r
                if not edge and run is not None:
                    c.line(x, ys[run - r0], x, ys[r - r0])
                    run = None
            if run is not None:
                c.line(x, ys[run - r0], x, ys[r1 - r0])

    def bytes(self) -> bytes:
        self.c.save()
        return self.buf.getvalue()


def _row_height(grid, r, matrix, owner, xs) -> float:
    lines = 1
    for c, cell in enumerate(matrix[r]):
        if cell is None or cell.rowspan > 1:
            continue
        width = xs[min(c + cell.colspan, len(xs) - 1)] - xs[c] - 4
        lines = max(lines, len(_wrap(cell.text, width, TABLE_SIZE)))
    return lines * TABLE_SIZE * 1.3 + 6


def _cell_text(c, text: str, x0, x1, y_top, y_bot):
    if not text:
        return
    lines = _wrap(text, x1 - x0 - 4, TABLE_SIZE)
    lead = TABLE_SIZE * 1.3
    block = len(lines) * lead
    base = (y_top + y_bot) / 2 + block / 2 - TABLE_SIZE
    c.setFont(_font(), TABLE_SIZE)
    for k, line in enumerate(lines):
        c.drawCentredString((x0 + x1) / 2, base - k * lead, line)


def _widths(key: str, grid: Grid) -> list[float]:
    usable = PAGE_W - 2 * MARGIN
    fixed = _WIDTHS[key]
    rest = grid.width - len(fixed)
    return fixed + [(usable - sum(fixed)) / rest] * rest


def write_pdf(rep: SynthReport, style: PdfStyle | None = None, blank: str = "/") -> bytes:
    """The report as a PDF with a text layer, headings numbered 一、… like `layouts.write(heading="一、")`."""
    style = style or PdfStyle()
    tpl = T.get(rep.template)
    w = _Writer(style, f"{rep.agency}政府信息公开")
    w.paragraph(rep.title, size=15, indent=False, centre=True)
    w.gap(8)
    w.paragraph(
        f"本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求编制。"
        f"本报告中所列数据的统计期限自{rep.year}年1月1日起至{rep.year}年12月31日止。"
    )
    values = rep.values
    tables = grids(tpl, lambda t, r, c: values[t][r][c] if values[t][r][c] is not None else blank)

    def heading(n: int):
        w.gap(4)
        w.paragraph(f"{_CN[n - 1]}、{tpl.sections[n - 1].title}", indent=False)

    heading(1)
    for para in rep.sections[1].split("\n"):
        w.paragraph(para)
    for n, key in ((2, "active"), (3, "requests"), (4, "appeals")):
        heading(n)
        grid = tables[key]
        header_rows = 3 if key == "requests" else 0
        w.table(grid, _widths(key, grid), style.break_row if key == "requests" else None, header_rows)
        w.gap(6)
    for n in (5, 6):
        heading(n)
        for para in rep.sections[n].split("\n"):
            w.paragraph(para)
    return w.bytes()


# ---- rasterising ---------------------------------------------------------------------------------

def render_pages(pdf: bytes, dpi: int = 200, angle: float = 0.0, noise: float = 0.0, seed: int = 0) -> list:
    """The pages as greyscale PIL images; optionally rotated by `angle` degrees and with
    Gaussian noise of standard deviation `noise` (grey levels) — a scanner's imperfections."""
    import pypdfium2 as pdfium
    from PIL import Image

    out = []
    doc = pdfium.PdfDocument(pdf)
    try:
        for page in doc:
            img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            if angle:
                img = img.rotate(angle, resample=Image.BILINEAR, expand=False, fillcolor=255)
            if noise:
                import numpy as np

                arr = np.asarray(img, dtype=np.float32)
                arr = arr + np.random.default_rng(seed).normal(0, noise, arr.shape)
                img = Image.fromarray(np.clip(arr, 0, 255).astype("uint8"))
            out.append(img)
    finally:
        doc.close()
    return out


def image_bytes(img, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def image_pdf(images: list, dpi: int = 200) -> bytes:
    """An image-only PDF (a scan): one page per image, no text layer."""
    buf = io.BytesIO()
    first, *rest = [im.convert("RGB") for im in images]
    first.save(buf, format="PDF", save_all=True, append_images=rest, resolution=dpi)
    return buf.getvalue()


def random_style(rng: random.Random) -> PdfStyle:
    return PdfStyle(repeat_header=rng.random() < 0.5, break_row=rng.choice([None, 6, 12, 18]))


__all__ = ["PdfStyle", "write_pdf", "render_pages", "image_bytes", "image_pdf", "random_style", "GridCell"]
