"""Bytes → str for text inputs: BOMs, UTF-8, UTF-16 without BOM, GB18030/GBK, Big5 — detected
from the bytes, never assumed."""

from __future__ import annotations

from .errors import ReadError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

# Phrases one of which any annual report contains; used to choose between legacy encodings.
_PROBES = ("政府信息", "政府資訊", "信息公开", "信息公開", "年度报告", "年度報告", "公开", "公開")


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    # ASCII-heavy UTF-16 has NULs at every other byte; CJK-heavy UTF-16 has none but then the
    # bytes do not decode as UTF-8 or GB18030 sensibly either — handled by the probes below.
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\ufffd")
    return bad / len(sample)


def _probe_hits(text: str) -> int:
    return sum(text.count(p) for p in _PROBES)


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Return (text, encoding, warnings).  Raises ReadError for empty, binary or undecodable input."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ReadError("文件为空", "empty")
    warnings: list[str] = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc, warnings
            except UnicodeDecodeError:
                text = data.decode(enc, errors="replace")
                warnings.append("文件末尾不完整或含无法解码的字节，已按可读部分处理")
                return text, enc, warnings
    enc16 = _utf16_without_bom(data)
    if enc16:
        text = data.decode(enc16, errors="replace")
        if _control_ratio(text) < 0.01:
            return text, enc16, warnings
    if b"\x00" in data[:8000]:
        raise ReadError("不是文本文件（含二进制内容）", "binary")
    try:
        return data.decode("utf-8"), "utf-8", warnings
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason in ("unexpected end of data", "invalid continuation byte"):
            warnings.append("文件末尾被截断（不完整的 UTF-8 字符），已按可读部分处理")
            return data[: exc.start].decode("utf-8"), "utf-8", warnings
    candidates = []
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _control_ratio(text) < 0.01:
            candidates.append((_probe_hits(text), enc, text))
    if candidates:
        candidates.sort(key=lambda c: -c[0])
        hits, enc, text = candidates[0]
        if hits or len(candidates) == 1:
            return text, enc, warnings
    try:  # the general detector as the last resort
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200000]).best()
    except Exception:  # pragma: no cover - library failure is treated as undetectable
        best = None
    if best is not None and best.encoding:
        text = data.decode(best.encoding, errors="replace")
        if _control_ratio(text) < 0.01 and _probe_hits(text):
            return text, best.encoding, warnings
    if candidates:
        return candidates[0][2], candidates[0][1], warnings
    raise ReadError("无法识别文字编码（不是 UTF-8、UTF-16、GB18030/GBK 或 Big5 文本）", "encoding")
