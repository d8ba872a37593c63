"""OCR of a scanned page with RapidOCR (PP-OCR models in ONNX, shipped inside the
rapidocr-onnxruntime wheel — nothing is downloaded) and OpenCV.

The page is straightened by the angle of its long horizontal rules; the ruling lines are found by
morphology (opening with long thin kernels); the table grid they make is cut into cells; the text
lines of every cell and of the prose around the tables are found by their ink profile, and only the
recogniser runs, on those line images (no text-detection network: it is the slow part, and the
ruled layout tells where the text is).  The result is the same positioned text and rules a PDF
text layer gives, in points of a 595-point-wide page, each piece with its recognition confidence.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass

from .. import limits
from .budget import Budget
from .layout import PageContent, Piece, Rule, grids_of

DPI = 200  # scanned PDF pages are rendered at this resolution
PAGE_W = 595.0  # coordinates are scaled to an A4 width in points, whatever the image resolution
_LOCK = threading.Lock()
_ENGINE = None
_DIGITLIKE = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1", "S": "5", "B": "8", "Z": "2"})


def available() -> bool:
    try:
        import cv2  # noqa: F401
        import numpy  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _threads() -> int:
    """onnxruntime threads: half the cores by default (the machine is shared), XXGK_OCR_THREADS to set."""
    try:
        return max(1, int(os.environ.get("XXGK_OCR_THREADS", "")))
    except ValueError:
        return max(1, (os.cpu_count() or 2) // 2)


def engine():
    """The recogniser, loaded once per process from the models inside the installed package."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            from rapidocr_onnxruntime import RapidOCR

            n = _threads()
            _ENGINE = RapidOCR(use_det=False, use_cls=False, print_verbose=False, intra_op_num_threads=n, inter_op_num_threads=1)
        return _ENGINE


@dataclass(slots=True)
class Reading:
    """A recognised line: its text, each character's probability and its runner-up character."""

    text: str
    probs: list[float]
    alternatives: list[str]

    @property
    def confidence(self) -> float:
        return min(self.probs) if self.probs else 0.0


_HEIGHT = 48  # the recogniser's input height
_MIN_PAGE_WIDTH = 1600  # pixels: narrower page images are enlarged first (an A4 page at ~195 dpi)
_MIN_WIDTH = 192  # narrower lines are padded to this width (RapidOCR pads to 320: 1.5× slower, no better on
# 598 test cells, clean and turned/noisy; 128 left 15 of them doubtful)


def _prepare(gray):
    import cv2
    import numpy as np

    h, w = gray.shape
    width = max(1, int(math.ceil(_HEIGHT * w / h)))
    resized = cv2.resize(gray, (width, _HEIGHT)).astype(np.float32) / 127.5 - 1.0
    out = np.zeros((3, _HEIGHT, max(_MIN_WIDTH, (width + 31) // 32 * 32)), np.float32)
    out[:, :, :width] = resized
    return out


def _decode(pred, chars) -> Reading:
    """Greedy CTC decoding that keeps every character's probability and its runner-up."""
    import numpy as np

    best = pred.argmax(1)
    text, probs, alts = [], [], []
    prev = 0
    for t, i in enumerate(best):
        i = int(i)
        if i != 0 and i != prev:
            order = np.argsort(pred[t])[::-1]
            runner = next((int(j) for j in order[:3] if int(j) not in (0, i)), 0)
            text.append(chars[i])
            probs.append(float(pred[t, i]))
            alts.append(chars[runner] if runner else "")
        elif i != 0:
            probs[-1] = max(probs[-1], float(pred[t, i]))
        prev = i
    return Reading("".join(text), probs, alts)


def recognise(images: list) -> list[Reading]:
    """The reading of each single-line image (greyscale arrays); lines of equal padded width
    go through the network together."""
    import numpy as np

    if not images:
        return []
    rec = engine().text_rec
    chars = rec.postprocess_op.character
    inputs = [_prepare(im) for im in images]
    by_width: dict[int, list[int]] = {}
    for k, x in enumerate(inputs):
        by_width.setdefault(x.shape[2], []).append(k)
    out: list[Reading | None] = [None] * len(images)
    for ks in by_width.values():
        for b in range(0, len(ks), 16):
            batch = ks[b : b + 16]
            preds = rec.session(np.stack([inputs[k] for k in batch]))[0]
            for k, pred in zip(batch, preds):
                out[k] = _decode(pred, chars)
    return out  # type: ignore[return-value]


# ---- image → rules ---------------------------------------------------------------------------

def _ink(gray, smooth: bool = True):
    """Dark pixels as 255.  Smoothing removes scanner speckle but also 1-pixel rules, so the
    rules are looked for in the unsmoothed image (the long opening kernels remove speckle there)."""
    import cv2

    src = cv2.medianBlur(gray, 3) if smooth else gray
    _, ink = cv2.threshold(src, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


def _line_masks(ink):
    import cv2

    h, w = ink.shape
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 40), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, h // 80))))
    return horiz, vert


def skew_angle(gray) -> float:
    """Degrees the page is turned, from its long horizontal rules (0 when there are none)."""
    import cv2
    import numpy as np

    ink = _ink(gray, smooth=False)
    h, w = ink.shape
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 60), 1))
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    if cv2.countNonZero(horiz) > limits.MAX_SKEW_INK * h * w:
        return 0.0  # bands of noise, not ruled lines: the Hough transform would take seconds over them
    segs = cv2.HoughLinesP(horiz, 1, np.pi / 1800, threshold=w // 8, minLineLength=w // 4, maxLineGap=10)
    if segs is None:
        return 0.0
    angles = [np.degrees(np.arctan2(y2 - y1, x2 - x1)) for x1, y1, x2, y2 in segs.reshape(-1, 4).astype(float)]
    angles = [a for a in angles if abs(a) < 5]
    return float(np.median(angles)) if angles else 0.0


def straighten(gray):
    import cv2

    angle = skew_angle(gray)
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _rules(mask, horizontal: bool, f: float) -> list[Rule]:
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    out = []
    for k in range(1, n):
        x, y, w, h = (int(v) for v in stats[k][:4])
        if (w if horizontal else h) < 15:
            continue
        if horizontal:
            mid = (y + h / 2) * f
            out.append(Rule(x * f, mid, (x + w) * f, mid))
        else:
            mid = (x + w / 2) * f
            out.append(Rule(mid, y * f, mid, (y + h) * f))
    return out


# ---- text lines by ink profile -------------------------------------------------------------------

def _runs(profile, min_gap: int) -> list[tuple[int, int]]:
    """Runs of nonzero entries, joining runs separated by fewer than min_gap zeros."""
    runs = []
    start = None
    last = -min_gap - 1
    for i, v in enumerate(profile):
        if v:
            if start is None:
                start = i
            elif i - last > min_gap:
                runs.append((start, last + 1))
                start = i
            last = i
    if start is not None:
        runs.append((start, last + 1))
    return runs


def _text_lines(ink, x0: int, y0: int, x1: int, y1: int, min_ink: int = 12):
    """Boxes of the text lines inside a region (pixel coordinates)."""
    region = ink[y0:y1, x0:x1]
    if region.size == 0 or int(region.sum() // 255) < min_ink:
        return []
    rows = (region > 0).sum(axis=1)
    out = []
    for a, b in _runs(rows > 0, 2):
        if b - a < 5:
            continue  # a speck or the remains of a rule
        band = region[a:b]
        cols = (band > 0).sum(axis=0)
        spans = _runs(cols > 0, max(12, 2 * (b - a)))
        for c0, c1 in spans:
            if c1 - c0 < 3 or int(band[:, c0:c1].sum() // 255) < min_ink:
                continue
            out.append((x0 + c0, y0 + a, x0 + c1, y0 + b))
    return out


def _crop(gray, box, pad: int = 6):
    import numpy as np

    x0, y0, x1, y1 = box
    piece = gray[y0:y1, x0:x1]
    return np.pad(piece, pad, constant_values=255)


def _clean(text: str, conf: float) -> tuple[str, float]:
    """Letters a recogniser confuses with digits, in a cell that is otherwise a number, are read
    as the digits — and the confidence is lowered so that the cell is flagged, not trusted."""
    t = text.strip().replace(" ", "")
    if t and any(ch.isdigit() for ch in t) and not t.isdigit():
        mapped = t.translate(_DIGITLIKE)
        if mapped.replace(".", "", 1).replace(",", "").isdigit() and mapped != t:
            return mapped, min(conf, 0.5)
    return text, conf


def _leading_dash(crop) -> bool:
    """Does the line start with a short horizontal stroke (a minus sign) left of the first glyph?"""
    import cv2

    if crop.size == 0:
        return False
    ink = (crop < 128).astype("uint8")
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    parts = sorted((tuple(stats[k][:4]) for k in range(1, n) if stats[k][4] >= 3), key=lambda s: s[0])
    if len(parts) < 2:
        return False
    x, y, w, h = parts[0]
    tallest = max(p[3] for p in parts)
    return bool(w >= 1.5 * h and h <= 0.3 * tallest and x + w <= parts[1][0])


def _columns(box) -> int:
    """Columns of the recogniser's input for a line box (scaled to 48 pixels high, padded)."""
    x0, y0, x1, y1 = box
    return max(_MIN_WIDTH, int(math.ceil(_HEIGHT * (x1 - x0 + 12) / max(1, y1 - y0 + 12))))


def _work_size(w: int, h: int) -> tuple[int, int]:
    """The size a page image is read at: a low-resolution scan enlarged to ~200 dpi for an A4
    width, and any page kept within `limits.MAX_OCR_PIXELS` (a huge or very tall image reduced)."""
    k = _MIN_PAGE_WIDTH / w if w < _MIN_PAGE_WIDTH else 1.0
    if w * h * k * k > limits.MAX_OCR_PIXELS:
        k = (limits.MAX_OCR_PIXELS / (w * h)) ** 0.5
        return max(1, int(w * k)), max(1, int(h * k))
    return max(1, int(round(w * k))), max(1, int(round(h * k)))


def page_seconds(img) -> float:
    """The time (CPU seconds) a page image gets: `limits.OCR_PAGE_SECONDS` for an A4 page at
    200 dpi or larger, a smaller image its share by pixels once enlarged as it will be read, at
    least a quarter."""
    w, h = _work_size(*img.size)
    return limits.OCR_PAGE_SECONDS * min(1.0, max(0.25, w * h / limits.OCR_PAGE_PIXELS))


def _chosen(boxes: list, number: int, budget: Budget) -> list[int]:
    """Indices of the line boxes to recognise, within the per-page bounds (the rest are recorded)."""
    out, total = [], 0
    for k, box in enumerate(boxes):
        cols = _columns(box)
        if cols > limits.MAX_OCR_LINE_COLUMNS:
            budget.short(number, "wide-lines")
            continue
        if len(out) >= limits.MAX_OCR_LINES:
            budget.short(number, "lines")
            break
        if total + cols > limits.MAX_OCR_COLUMNS:
            budget.short(number, "columns")
            break
        out.append(k)
        total += cols
    return out


def _chunks(chosen: list[int], boxes: list) -> list[list[int]]:
    """The chosen lines in runs of at most `limits.OCR_CHUNK_COLUMNS` recogniser columns."""
    out: list[list[int]] = [[]]
    cols = 0
    for k in chosen:
        c = _columns(boxes[k])
        if out[-1] and cols + c > limits.OCR_CHUNK_COLUMNS:
            out.append([])
            cols = 0
        out[-1].append(k)
        cols += c
    return [part for part in out if part]


def ocr_page(img, number: int, budget: Budget | None = None) -> PageContent:
    """One page image (PIL, any mode) → positioned text pieces and rules.  With a budget, what
    is left when its time is up (or beyond the per-page bounds) is not read, and recorded in it."""
    import cv2
    import numpy as np

    budget = budget or Budget(limits.OCR_PAGE_SECONDS)
    gray = np.asarray(img.convert("L"))
    size = _work_size(gray.shape[1], gray.shape[0])
    if size != (gray.shape[1], gray.shape[0]):
        shrink = size[0] < gray.shape[1]
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)
    gray = straighten(gray)
    h, w = gray.shape
    f = PAGE_W / w
    if budget.expired():
        budget.short(number, "time")
        return PageContent(number, PAGE_W, h * f, [], [])
    ink = _ink(gray)
    horiz, vert = _line_masks(_ink(gray, smooth=False))
    rules = _rules(horiz, True, f) + _rules(vert, False, f)
    if len(rules) > limits.MAX_PAGE_RULES:
        budget.short(number, "rules")
        rules = []
    text_ink = cv2_subtract(ink, horiz | vert)
    boxes: list[tuple[int, int, int, int]] = []
    covered = np.zeros_like(ink)
    for grid in grids_of(rules):
        for r, c, rs, cs in grid.cells:
            if budget.expired():
                break
            cx0, cy0 = int(grid.xs[c] / f) + 3, int(grid.ys[r] / f) + 3
            cx1, cy1 = int(grid.xs[c + cs] / f) - 3, int(grid.ys[r + rs] / f) - 3
            boxes += _text_lines(text_ink, cx0, cy0, cx1, cy1)
        gx0, gy0, gx1, gy1 = (int(v / f) for v in grid.box)
        covered[max(0, gy0 - 4) : gy1 + 4, max(0, gx0 - 4) : gx1 + 4] = 255
    if budget.expired():
        budget.short(number, "time")
        return PageContent(number, PAGE_W, h * f, [], rules)
    free = text_ink.copy()
    free[covered > 0] = 0
    boxes += _text_lines(free, 0, 0, w, h)
    chosen = _chosen(boxes, number, budget)
    readings: dict[int, Reading] = {}
    for part in _chunks(chosen, boxes):
        if budget.expired():
            budget.short(number, "time")
            break
        readings.update(zip(part, recognise([_crop(gray, boxes[k]) for k in part])))
    pieces = []
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        reading = readings.get(k)
        if reading is None or not reading.text.strip():
            continue
        text, conf = _clean(reading.text, reading.confidence)
        if text.isdigit() and _leading_dash(gray[y0:y1, x0:x1]):
            text, conf = "-" + text, min(conf, 0.5)  # a minus sign the recogniser dropped: flag it
        pieces.append(Piece(text, x0 * f, y0 * f, x1 * f, y1 * f, confidence=conf))
    return PageContent(number, PAGE_W, h * f, pieces, rules)


def cv2_subtract(a, b):
    import cv2

    return cv2.subtract(a, b)
