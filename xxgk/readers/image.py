"""Images (PNG, JPEG, TIFF, …) → Document by OCR.  The size is checked from the header before
the pixels are decoded; every frame of a multi-page TIFF is a page."""

from __future__ import annotations

import io
import warnings

from .. import limits
from . import register
from .budget import Budget, ocr_note
from .errors import ReadError

MAX_PIXELS = limits.MAX_IMAGE_PIXELS  # per page; a scan of an A4 page at 600 dpi is 35 megapixels
MAX_FRAMES = limits.MAX_IMAGE_FRAMES


def _pil():
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise ReadError("识别图片需要安装OCR组件：pip install 'xxgk[ocr]'", "missing-ocr-extra") from None
    return Image, UnidentifiedImageError


def open_image(data: bytes):
    """The opened (not yet decoded) image, its size checked."""
    Image, _ = _pil()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit follows
            img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ReadError(f"图片过大，超过{MAX_PIXELS // 1_000_000}百万像素上限，请缩小后再读取", "image-too-large") from None
    except Exception:  # Pillow's plugins raise many kinds on damaged headers (OSError, SyntaxError,
        # struct.error, EOFError, IndexError, ZeroDivisionError …): all mean the same to the user
        raise ReadError("图片文件已损坏或格式无法识别", "image-broken") from None
    w, h = img.size
    if w * h > MAX_PIXELS:
        raise ReadError(
            f"图片过大（{w}×{h}像素，约{w * h // 1_000_000}百万像素），超过{MAX_PIXELS // 1_000_000}百万像素上限，请缩小后再读取",
            "image-too-large",
        )
    if w < 16 or h < 16:
        raise ReadError(f"图片过小（{w}×{h}像素），无法识别文字", "image-too-small")
    return img


def frames(data: bytes) -> list:
    """Every page of the image, decoded to greyscale."""
    img = open_image(data)
    out = []
    try:
        n = getattr(img, "n_frames", 1)
        if n > MAX_FRAMES:
            raise ReadError(f"图片页数过多（{n}页），超过{MAX_FRAMES}页上限", "image-too-many-pages")
        total = 0
        for k in range(n):
            img.seek(k)
            w, h = img.size  # checked before the frame's pixels are decoded
            total += w * h
            if w * h > MAX_PIXELS:
                raise ReadError(f"图片第{k + 1}页过大（{w}×{h}像素），超过上限", "image-too-large")
            if total > limits.MAX_IMAGE_TOTAL:
                raise ReadError(f"图片总像素过多（{n}页），超过{limits.MAX_IMAGE_TOTAL // 1_000_000}百万像素上限", "image-too-large")
            img.load()
            out.append(img.convert("L"))
    except ReadError:
        raise
    except Exception:  # truncated or corrupt pixel data shows only when decoding
        raise ReadError("图片文件已损坏或不完整，无法解码", "image-broken") from None
    return out


@register("image")
def read_image(data: bytes, name: str = ""):
    from . import ocr
    from .layout import build

    if not ocr.available():
        raise ReadError("识别图片需要安装OCR组件：pip install 'xxgk[ocr]'", "missing-ocr-extra")
    images = frames(data)
    budget = Budget(sum(ocr.page_seconds(img) for img in images))
    try:
        pages = [ocr.ocr_page(img, k + 1, budget) for k, img in enumerate(images)]
    except MemoryError:
        raise ReadError("图片过大，识别时内存不足，请缩小后再读取", "image-too-large") from None
    except Exception as exc:  # the recogniser failing on a degenerate image (a line of pixels, …)
        raise ReadError(f"图片无法识别（{type(exc).__name__}），请检查图片是否完整", "image-broken") from None
    doc = build(pages, "image")
    if not any(line.text.strip() for line in doc.lines):
        if any("time" in why for why in budget.shortfalls.values()):
            raise ReadError(f"图片识别超时（超过{budget.seconds:.0f}秒仍未识别出文字），图片可能已损坏", "read-time-limit")
        raise ReadError("图片中没有识别出文字", "image-no-text")
    note = ocr_note(budget)
    if note:
        doc.notes.append(note)
    return doc
