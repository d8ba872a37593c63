"""Word list numbering → the printed prefix ("一、", "（一）", "1.", "1.2") of each paragraph.

Word does not store a numbered heading's number in its text: the paragraph refers (directly or
through its style) to a list in ``numbering.xml`` and Word counts at display time.  This module
counts the same way, closely enough for report headings: counters per abstract list, deeper
levels restart when a higher level advances, ``startOverride`` restarts a list instance, and the
usual Chinese and Western number formats are rendered.
"""

from __future__ import annotations

import re

from ..text import small_int

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DIGITS = "零一二三四五六七八九"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
_PPR = W + "pPr"
_PLACEHOLDER = re.compile(r"%([1-9])")


def chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (as Word's chineseCounting)."""
    if n <= 0:
        return _DIGITS[0]
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if not rest else ("零" + _DIGITS[rest] if rest < 10 else (_DIGITS[1] if rest < 20 else "") + chinese(rest))
        return _DIGITS[n // 100] + "百" + tail
    return str(n)


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(97 + r) + out
    return out


def _roman(n: int) -> str:
    out = ""
    for value, sym in _ROMAN:
        while n >= value:
            out += sym
            n -= value
    return out


def format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "japaneseCounting",
               "taiwaneseCounting", "koreanCounting", "ideographLegalTraditional"):
        return chinese(n)
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10] if n > 0 else ""
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)  # decimal, decimalZero and anything unknown


class _Level:
    __slots__ = ("start", "fmt", "text", "legal")

    def __init__(self, el):
        def val(tag, default):
            child = el.find(W + tag)
            return child.get(W + "val", default) if child is not None else default

        self.start = small_int(val("start", "0"), 0, digits=4)
        self.fmt = val("numFmt", "decimal")
        self.text = val("lvlText", "")[:64]  # a list label; a longer one is not a label
        self.legal = el.find(W + "isLgl") is not None


class Numbering:
    """Counts a document's numbered paragraphs; `label(p)` is called once per paragraph in order."""

    def __init__(self, numbering_root, styles_root):
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId → (abstractNumId, start overrides)
        self.styles: dict[str, tuple[str | None, int, str | None]] = {}  # styleId → (numId, ilvl, basedOn)
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        if numbering_root is not None:
            for a in numbering_root.iter(W + "abstractNum"):
                self.abstract[a.get(W + "abstractNumId")] = {
                    small_int(lvl.get(W + "ilvl", "0"), 0, digits=2): _Level(lvl) for lvl in a.iter(W + "lvl") if small_int(lvl.get(W + "ilvl", "0"), None, digits=2) is not None
                }
            for n in numbering_root.iter(W + "num"):
                ref = n.find(W + "abstractNumId")
                overrides = {}
                for o in n.iter(W + "lvlOverride"):
                    s = o.find(W + "startOverride")
                    start = small_int(s.get(W + "val"), None, digits=4) if s is not None else None
                    ilvl = small_int(o.get(W + "ilvl", "0"), None, digits=2)
                    if start is not None and ilvl is not None:
                        overrides[ilvl] = start
                if ref is not None:
                    self.nums[n.get(W + "numId")] = (ref.get(W + "val"), overrides)
        if styles_root is not None:
            for s in styles_root.iter(W + "style"):
                num = s.find(f"{W}pPr/{W}numPr")
                based = s.find(W + "basedOn")
                num_id, ilvl = None, 0
                if num is not None:
                    num_id, ilvl = _num_pr(num)
                self.styles[s.get(W + "styleId")] = (num_id, ilvl, based.get(W + "val") if based is not None else None)

    def _style_num(self, style: str | None) -> tuple[str | None, int]:
        seen = set()
        while style and style not in seen:
            seen.add(style)
            num_id, ilvl, based = self.styles.get(style, (None, 0, None))
            if num_id is not None:
                return num_id, ilvl
            style = based
        return None, 0

    def label(self, p) -> str:
        if not self.nums:
            return ""
        ppr = p[0] if len(p) and p[0].tag == _PPR else None  # w:pPr is always a paragraph's first child
        if ppr is None:
            return ""
        num = ppr.find(W + "numPr")
        if num is not None:
            num_id, ilvl = _num_pr(num)
            if num_id is None:  # only w:ilvl: the level applies to the style's list
                style = ppr.find(W + "pStyle")
                num_id = self._style_num(style.get(W + "val") if style is not None else None)[0]
        else:
            style = ppr.find(W + "pStyle")
            if style is None:
                return ""
            num_id, ilvl = self._style_num(style.get(W + "val"))
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for lvl, start in overrides.items():
                counters[lvl] = start - 1
        level = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def render(m):
            k = int(m.group(1)) - 1
            lv = levels.get(k)
            if lv is None:
                return ""
            n = counters.get(k, lv.start)
            return format_number(n, "decimal" if level.legal else lv.fmt)

        return _PLACEHOLDER.sub(render, level.text)


def _num_pr(num) -> tuple[str | None, int]:
    nid = num.find(W + "numId")
    lvl = num.find(W + "ilvl")
    num_id = nid.get(W + "val") if nid is not None else None
    ilvl = small_int(lvl.get(W + "val", "0"), 0, digits=2) if lvl is not None else 0
    return num_id, ilvl
