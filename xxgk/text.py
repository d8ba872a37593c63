"""Small, fast text helpers shared by the stages: Traditional→Simplified, width/space folding,
numbering prefixes, cell values and Chinese numerals."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .limits import MAX_NUMBER_DIGITS

# Characters that only occur in Traditional text and are frequent in these reports.  A document
# containing none of them is taken as Simplified and skips the (comparatively slow) conversion.
_TRADITIONAL_MARKERS = frozenset(
    "報資訊開請處況辦結與機關統體計數審複議訴訟區縣鄉鎮費無屬類務發廢現規範許強罰單萬進問題項"
    "視還產業組織構會為們個國號條應衛專職責網頁點說讓從獲製達過這執經隱護調環標準門電歷東見"
)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


# a character class scans a long text several times faster than a set test per character
_TRADITIONAL_RX = re.compile("[" + "".join(sorted(_TRADITIONAL_MARKERS)) + "]")


def looks_traditional(text: str) -> bool:
    return _TRADITIONAL_RX.search(text) is not None


# Pinyin annotations some Traditional mirrors print after every character: 機(jī)關(guān).  An
# annotation is a parenthesised run of Latin letters right after a CJK character; it is taken as
# pinyin only in text that has tone-marked letters at all (so 长度(km) in plain text stays), and a
# toneless one only when it is a syllable's shape (de, ma).  Real parentheses — （一）,
# (单位:万元), (区分处理的…) — hold no Latin letters and are never touched.
_TONE_MARKS = frozenset("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜǹńňḿ\u0300\u0301\u030c\u0304")
_PINYIN_NOTE = re.compile(
    r"(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])[(（]\s?"
    r"([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüǹńňḿ\u0300\u0301\u030c\u0304]{1,8})\s?[)）]"
)
_SYLLABLE = re.compile(r"^(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?[aeiouüv][a-zü]{0,4}$")


def _pinyin_note(m: re.Match) -> str:
    body = m.group(1)
    if not _TONE_MARKS.isdisjoint(body) or _SYLLABLE.match(body.lower()):
        return ""
    return m.group(0)


_TONE_RX = re.compile("[" + "".join(sorted(_TONE_MARKS)) + "]")


def strip_pinyin(text: str) -> str:
    """Remove pinyin annotations (機(jī)關(guān) → 機關); text without tone marks comes back as is."""
    if _TONE_RX.search(text) is None:
        return text
    return _PINYIN_NOTE.sub(_pinyin_note, text)


def to_simplified(text: str) -> str:
    text = strip_pinyin(text)
    return _t2s().convert(text) if looks_traditional(text) else text


_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "“”„‟\"'‘’「」『』`")


_FOLD_DROP = re.compile(r"[\s“”„‟\"'‘’「」『』`]+")  # white space and the quotes of _QUOTES, in one pass
_normalize = unicodedata.normalize


# the full-width forms Chinese text is full of, and their NFKC forms: replaced first (a scan each),
# they leave most text already in NFKC, which `normalize` then confirms in one quick pass instead
# of decomposing and recomposing every character (several times slower)
_WIDE = tuple((chr(c), chr(c - 0xFEE0)) for c in (0xFF0C, 0xFF08, 0xFF09, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0xFF05))
_WIDE_DIGITS = tuple((chr(c), chr(c - 0xFEE0)) for c in range(0xFF10, 0xFF1A))
_FULLWIDTH_DIGIT = re.compile("[\uff10-\uff19]")
_is_normalized = unicodedata.is_normalized


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), faster on Chinese text.  Each character replaced
    first is replaced by its own NFKC form, which changes nothing NFKC makes of the whole."""
    if text.isascii() or _is_normalized("NFKC", text):  # (ASCII is its own NFKC form)
        return text
    for wide, narrow in _WIDE:
        if wide in text:
            text = text.replace(wide, narrow)
    if _FULLWIDTH_DIGIT.search(text) is not None:
        for wide, narrow in _WIDE_DIGITS:
            text = text.replace(wide, narrow)
    return _normalize("NFKC", text)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The form labels are matched in: NFKC (full-width → ASCII), no white space, no quotes."""
    return _FOLD_DROP.sub("", nfkc(text))


def folded_lines(doc) -> list[str]:
    """fold() of every line of a document, worked out once per document.  The lines must not
    change after the first call; `xxgk.extract.extract` starts afresh."""
    cached = doc.__dict__.get("_folded")
    if cached is not None and cached[0] is doc.lines and len(cached[1]) == len(doc.lines):
        return cached[1]
    out = list(map(fold, [line.text for line in doc.lines]))
    doc.__dict__["_folded"] = (doc.lines, out)
    return out


_CN_NUM = "一二三四五六七八九十"
_NUMBERING = re.compile(
    r"^(?:[" + _CN_NUM + r"]{1,3}[、.．:：]|\([" + _CN_NUM + r"]{1,3}\)[、.]?|\d{1,2}[、.．](?!\d)|\(\d{1,2}\)|[①-⑳])"
)


def strip_numbering(folded: str) -> str:
    """Remove leading numbering such as 一、 (三) 3. ⑵ (possibly several) from folded text."""
    prev = None
    while prev != folded:
        prev = folded
        folded = _NUMBERING.sub("", folded, count=1)
    return folded


_NOT_NUMERAL = re.compile(r"[^0-9" + _CN_NUM + "]")


def numbering_of(folded: str) -> int | None:
    """The number of a heading's leading numbering (一、→1, 4、→4, (三)→3), or None."""
    m = _NUMBERING.match(folded)
    if not m:
        return None
    digits = _NOT_NUMERAL.sub("", m.group(0))
    if not digits:
        return None
    return int(digits) if digits.isdigit() else cn_to_int(digits)


def small_int(text: str | None, default: int | None = None, digits: int = MAX_NUMBER_DIGITS) -> int | None:
    """An attribute or a token of untrusted input as an int, or `default` when it is not a plain
    integer of at most `digits` digits (Python refuses more than 4,300 digits; a span, a start
    number or a count of more than a few digits is a damaged or hostile file, not a value)."""
    if text is None:
        return default
    s = text.strip()
    body = s[1:] if s[:1] in "+-" else s
    if not body or len(body) > digits or not body.isascii() or not body.isdigit():
        return default
    return int(s)


_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def cn_to_int(text: str) -> int | None:
    """Chinese numerals to int: 三→3, 十二→12, 二十→20, 一百零五→105, 两千三百→2300; None if not one
    (nor when longer than any count of a report is written)."""
    if not text or len(text) > 2 * MAX_NUMBER_DIGITS:
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
        else:
            return None
    return total + section + (digit or 0)


# ---- cell values ---------------------------------------------------------------------------

BLANK_MARKS = frozenset({"", "/", "-", "—", "——", "–", "－", "无", "/ ", "\\", "－－", "--", "空"})
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
_UNIT_SUFFIX = re.compile(r"(?:件|个|条|项|次|人|份|万元|元)$")


class CellValue:
    """What a table cell holds: a number, a blank, or text (a label or something unreadable)."""

    __slots__ = ("kind", "number")

    def __init__(self, kind: str, number: int | Decimal | None = None):
        self.kind = kind  # "number" | "blank" | "text"
        self.number = number

    def __repr__(self) -> str:
        return f"CellValue({self.kind}, {self.number!r})"


_BLANK = CellValue("blank")
_TEXT = CellValue("text")


@lru_cache(maxsize=65536)
def cell_value(text: str) -> CellValue:
    if text.isascii() and text.isdigit():  # the common cell: plain digits
        return CellValue("number", int(text)) if len(text) <= MAX_NUMBER_DIGITS else _TEXT
    s = fold(text)
    if s in BLANK_MARKS:
        return _BLANK
    s = _UNIT_SUFFIX.sub("", s) if len(s) > 1 else s
    if s.startswith("--") and s[2:3].isdigit():
        s = s[1:]  # "--253": a minus sign typed twice
    elif s[:1] in "增减" and len(s) > 1:
        rest = s[2:] if s[1:2] in "加少" else s[1:]
        if rest[:1].isdigit():
            s = ("-" if s[0] == "减" else "") + rest  # 本年增/减 written as 减4, 增加3
    m = _NUMBER.match(s)
    if not m:
        return _TEXT
    sign, whole, frac = m.groups()
    whole = whole.replace(",", "")
    if len(whole) + max(0, len(frac or "") - 1) > MAX_NUMBER_DIGITS:
        return _TEXT  # no count or amount of a report has that many digits: not a number
    if frac:
        try:
            return CellValue("number", Decimal(sign + whole + frac))
        except InvalidOperation:  # pragma: no cover - regex guarantees a decimal
            return _TEXT
    return CellValue("number", int(sign + whole))


def is_value_text(text: str) -> bool:
    return cell_value(text).kind != "text"
