"""PDF → Document with pypdfium2 (PDFium): the glyphs of the text layer with their boxes and the
ruling lines (path objects) of every page, rebuilt into lines and tables by `layout`.  A page
without a text layer (a scan) goes to OCR when the `ocr` extra is installed."""

from __future__ import annotations

import re

from .. import limits
from . import register
from .budget import Budget, ocr_note
from .errors import ReadError
from .layout import PageContent, Piece, Rule, build

MAX_PAGES = limits.MAX_PAGES
_RULE_THICKNESS = 3.0  # points: a path thinner than this is a ruling line


def _pdfium():
    try:
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw
    except ImportError:
        raise ReadError("读取 PDF 需要 pypdfium2，请重新安装 xxgk（pip install xxgk）", "missing-pdf-extra") from None
    return pdfium, raw


_OBJ = re.compile(rb"(?<![0-9])(\d{1,10})\s+\d{1,5}\s+obj\b")


_STREAM = re.compile(rb"/Length\s+(\d{1,10})(?!\s+\d+\s+R)[^<>]{0,512}?>>\s*stream\r?\n")


def _check_structure(data: bytes) -> None:
    """Refuse, before PDFium sees them, two kinds of damage that PDFium takes minutes over
    (quadratic repair): objects defined over and over (a chunk of a PDF repeated thousands of
    times), and a stream running megabytes past its declared /Length."""
    seen: dict[bytes, int] = {}
    for m in _OBJ.finditer(data):
        n = seen[m.group(1)] = seen.get(m.group(1), 0) + 1
        if n > limits.MAX_PDF_REDEFINED:
            raise ReadError(f"PDF文件结构异常（同一对象重复定义超过{limits.MAX_PDF_REDEFINED}次），文件已损坏，无法读取", "pdf-broken")
    last = data.rfind(b"endstream")
    for m in _STREAM.finditer(data):
        start = m.end()
        if start > last:
            break  # no stream after this one is ended (a truncated file): PDFium copes
        limit = start + 4 * int(m.group(1)) + limits.MAX_PDF_STREAM_SLACK
        if limit < last and data.find(b"endstream", start, limit) < 0:
            raise ReadError("PDF文件已损坏（数据流的实际长度与声明的长度相差过大），无法读取", "pdf-broken")


def open_pdf(data: bytes):
    pdfium, raw = _pdfium()
    _check_structure(data)
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text or "security" in text:
            raise ReadError("PDF已加密（需要密码），无法读取，请提供未加密的文件", "pdf-encrypted") from None
        if re.search(rb"/Count\s*0\b", data) and not re.search(rb"/Type\s*/Page\b", data):
            raise ReadError("PDF没有任何页面", "pdf-no-pages") from None  # PDFium refuses a page tree of none
        raise ReadError("PDF文件已损坏或不完整，无法打开", "pdf-broken") from None
    if len(doc) == 0:
        doc.close()
        raise ReadError("PDF没有任何页面", "pdf-no-pages")
    pages = len(doc)
    if pages > MAX_PAGES:
        doc.close()
        raise ReadError(f"PDF页数过多（{pages}页），超过{MAX_PAGES}页上限", "pdf-too-many-pages")
    return doc


def _size(page) -> tuple[float, float]:
    """Width and height of the page's own coordinate space (glyph boxes are given in it, before
    the page's /Rotate, whereas PDFium reports the size after it)."""
    w, h = page.get_width(), page.get_height()
    return (h, w) if page.get_rotation() in (90, 270) else (w, h)


def _glyphs(page) -> list[Piece]:
    _, height = _size(page)
    tp = page.get_textpage()
    try:
        n = tp.count_chars()
        if n > limits.MAX_PAGE_GLYPHS:
            raise ReadError(f"PDF某页文字过多（{n}字，上限{limits.MAX_PAGE_GLYPHS}字），不是年报页面，已拒绝读取", "pdf-too-complex")
        text = tp.get_text_range(0, n) if n else ""
        out = []
        for i, ch in enumerate(text):
            if ch.isspace() or ch == "\ufffe":
                continue
            left, bottom, right, top = tp.get_charbox(i, loose=True)
            if right <= left:
                continue
            out.append(Piece(ch, left, height - top, right, height - bottom))
        return out
    finally:
        tp.close()


def _rules(page, raw) -> list[Rule] | None:
    """Ruling lines: thin path objects, and the four edges of stroked rectangles; None when the
    page has more than `limits.MAX_PAGE_RULES` (or more path objects than are worth looking at)."""
    _, height = _size(page)
    out = []
    for k, obj in enumerate(page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=2)):
        if k >= limits.MAX_PAGE_OBJECTS or len(out) > limits.MAX_PAGE_RULES:
            return None
        left, bottom, right, top = obj.get_bounds()
        w, h = right - left, top - bottom
        y0, y1 = height - top, height - bottom
        if w <= _RULE_THICKNESS or h <= _RULE_THICKNESS:
            if max(w, h) > _RULE_THICKNESS:
                out.append(Rule(left, y0, right, y1))
        elif raw.FPDFPath_CountSegments(obj.raw) <= 5:
            out += [Rule(left, y0, right, y0), Rule(left, y1, right, y1), Rule(left, y0, left, y1), Rule(right, y0, right, y1)]
        else:  # a whole grid drawn as one path: its straight axis-parallel segments
            out += _segments(obj, raw, height)
    return out if len(out) <= limits.MAX_PAGE_RULES else None


def _segments(obj, raw, height: float) -> list[Rule]:
    import ctypes

    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj.raw, m):
        return []
    x, y = ctypes.c_float(), ctypes.c_float()
    out, prev, start = [], None, None
    for i in range(min(raw.FPDFPath_CountSegments(obj.raw), limits.MAX_PAGE_OBJECTS)):
        seg = raw.FPDFPath_GetPathSegment(obj.raw, i)
        if not raw.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        px, py = m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_LINETO and prev is not None:
            out += _axis_rule(prev, (px, py), height)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            start = (px, py)
        prev = (px, py)
        if raw.FPDFPathSegment_GetClose(seg) and start is not None:
            out += _axis_rule(prev, start, height)
            prev = start
    return out


def _axis_rule(a, b, height: float) -> list[Rule]:
    (x0, y0), (x1, y1) = a, b
    if abs(y0 - y1) <= 0.5 and abs(x1 - x0) > _RULE_THICKNESS:
        return [Rule(min(x0, x1), height - y0, max(x0, x1), height - y0)]
    if abs(x0 - x1) <= 0.5 and abs(y1 - y0) > _RULE_THICKNESS:
        return [Rule(x0, height - max(y0, y1), x0, height - min(y0, y1))]
    return []


@register("pdf")
def read_pdf(data: bytes, name: str = ""):
    _, raw = _pdfium()
    doc = open_pdf(data)
    pages: list[PageContent] = []
    scanned: list[int] = []
    warnings: list[str] = []
    notes: list[tuple[str, str, dict]] = []
    busy: list[int] = []  # pages with too many lines to look for tables in
    total = 0
    budget = Budget(limits.READ_SECONDS)
    try:
        for k in range(len(doc)):
            if budget.expired():
                raise ReadError(f"PDF读取超时（{k}页用了{budget.elapsed():.0f}秒，上限{limits.READ_SECONDS:.0f}秒），文件可能已损坏", "read-time-limit")
            page = doc[k]
            try:
                glyphs = _glyphs(page)
                total += len(glyphs)
                if total > limits.MAX_DOC_GLYPHS:
                    raise ReadError(f"PDF文字过多（超过{limits.MAX_DOC_GLYPHS}字），不是一份年报，已拒绝读取", "pdf-too-complex")
                if glyphs:
                    rules = _rules(page, raw)
                    if rules is None:
                        busy.append(k + 1)
                    pages.append(PageContent(k + 1, *_size(page), glyphs, rules or []))
                else:
                    scanned.append(k)
                    pages.append(PageContent(k + 1, *_size(page), []))
            finally:
                page.close()
        if scanned:
            budget.extend(limits.OCR_PAGE_SECONDS * len(scanned))
            ocr_pages = _ocr_pages(doc, scanned, all_scanned=len(scanned) == len(doc), budget=budget)
            if ocr_pages is None:
                warnings.append(f"第{'、'.join(str(k + 1) for k in scanned)}页是扫描图像，未安装OCR组件，未能识别")
                notes.append((
                    "SCANNED_PAGE_SKIPPED",
                    f"第{'、'.join(str(k + 1) for k in scanned)}页是扫描图像、没有文字层，未安装OCR组件，该页内容未读取"
                    "（安装：pip install 'xxgk[ocr]'）",
                    {"pages": [k + 1 for k in scanned]},
                ))
            else:
                for k, content in zip(scanned, ocr_pages):
                    if content is not None:  # None: left unread when the time was up (OCR_INCOMPLETE)
                        pages[k] = content
    except ReadError:
        raise
    except Exception as exc:  # PDFium failing half-way through a damaged file
        raise ReadError(f"PDF文件已损坏，读取中断（{type(exc).__name__}）", "pdf-broken") from None
    finally:
        doc.close()
    if busy:
        notes.append((
            "PAGE_TOO_COMPLEX",
            f"第{'、'.join(map(str, busy))}页线条过多（超过{limits.MAX_PAGE_RULES}条），不像年报的表格页，"
            "该页未按表格线识别表格，只读取了文字，请核对该页的表格",
            {"pages": busy},
        ))
    note = ocr_note(budget)
    if note:
        notes.append(note)
    out = build(pages, "pdf", warnings)
    out.notes.extend(notes)
    if scanned and len(scanned) == len(pages):
        out.format = "image"
    if not any(line.text.strip() for line in out.lines):
        if any("time" in why for why in budget.shortfalls.values()):
            raise ReadError(f"PDF扫描页识别超时（超过{budget.seconds:.0f}秒仍未识别出文字），文件可能已损坏", "read-time-limit")
        raise ReadError("PDF中没有可读取的文字", "pdf-no-text")
    return out


def _ocr_pages(doc, scanned: list[int], all_scanned: bool, budget: Budget | None = None):
    """OCR the scanned pages; None when the ocr extra is missing and some page has text."""
    try:
        from . import ocr
    except ImportError:
        ocr = None
    if ocr is None or not ocr.available():
        if all_scanned:
            raise ReadError("该PDF是扫描图像、没有文字层；识别需要安装OCR组件：pip install 'xxgk[ocr]'", "missing-ocr-extra")
        return None
    budget = budget or Budget(limits.OCR_PAGE_SECONDS * len(scanned))
    out = []
    for k in scanned:
        if budget.expired():  # not even rendered: the page is left empty, and the finding says so
            budget.short(k + 1, "time")
            out.append(None)
            continue
        page = doc[k]
        try:
            w, h = page.get_width(), page.get_height()
            # a page of any size is rendered within the image pixel limit (a poster-sized page
            # at 200 dpi would be billions of pixels)
            scale = min(ocr.DPI / 72, (limits.MAX_OCR_PIXELS / max(w * h, 1.0)) ** 0.5)
            img = page.render(scale=scale, grayscale=True).to_pil().convert("L")
            out.append(ocr.ocr_page(img, k + 1, budget))
        finally:
            page.close()
    return out
