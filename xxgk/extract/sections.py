"""Find the six sections by their headings, whatever their numbering (一、 1、 （一） or none)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..document import Document
from ..report import SectionText
from ..template import Template, get
from ..text import fold, folded_lines, numbering_of, strip_numbering

_MAX_HEADING = 40


@lru_cache(maxsize=None)
def _keys_pattern(template_id: str):
    tpl = get(template_id)
    keys = sorted({k for sec in tpl.sections for k in sec.keys}, key=len, reverse=True)
    by_key = {k: sec.number for sec in tpl.sections for k in sec.keys}
    return re.compile("|".join(re.escape(k) for k in keys)), by_key


def _candidates(doc: Document, tpl: Template):
    """(line index, section number, its numbering or None, text) for every heading-like line."""
    pattern, by_key = _keys_pattern(tpl.id)
    folded = folded_lines(doc)
    lines = doc.lines
    joined = "\n".join(folded)
    out = []
    idx, at, last = 0, 0, -1
    # only the lines that hold a key (one search over the whole folded text: no key holds a
    # newline, so every line holding one has a match of its own)
    for hit in pattern.finditer(joined):
        idx += joined.count("\n", at, hit.start())
        at = hit.start()
        if idx == last:
            continue
        last = idx
        text = lines[idx].text
        if not text or len(text) > 3 * _MAX_HEADING or text.isdigit():  # a bare number is no heading
            continue
        f = folded[idx]
        if not f or len(f) > _MAX_HEADING or f.endswith(("。", "；", ";", "，", ",")):
            continue
        core = strip_numbering(f)
        m = pattern.search(core)
        if m and m.start() <= 12 and len(core) <= len(m.group(0)) + 14:
            out.append((idx, by_key[m.group(0)], numbering_of(f), text.strip()))
    return out


def find_sections(doc: Document, tpl: Template) -> list[SectionText]:
    found = _by_lines(doc, tpl)
    if len(found) < 3:  # a crawled page kept as one or a few long lines: headings inside them
        inline = _inline(doc, tpl)
        if len(inline) > len(found):
            return inline
    return found


def _by_lines(doc: Document, tpl: Template) -> list[SectionText]:
    cands = _candidates(doc, tpl)
    chosen: list[tuple[int, int, str]] = []
    after = -1
    for number in range(1, len(tpl.sections) + 1):
        mine = [c for c in cands if c[1] == number and c[0] > after]
        pick = next((c for c in mine if c[2] == number), None)
        if pick is None:
            pick = next((c for c in mine if c[2] is None), None)
        if pick is None:
            # numbered differently (sections merged or renumbered): accept a top-level heading
            # (一、 / 1、) but never a sub-part of another section (（一）)
            pick = next((c for c in mine if not fold(c[3]).startswith("(")), None)
        if pick is not None:
            chosen.append((pick[0], number, pick[3]))
            after = pick[0]
    sections = []
    for k, (idx, number, title) in enumerate(chosen):
        end = chosen[k + 1][0] - 1 if k + 1 < len(chosen) else len(doc.lines) - 1
        body = [(line.no, text) for line in doc.lines[idx + 1 : end + 1] if not line.in_table and (text := line.text.strip())]
        sections.append(
            SectionText(number, title, doc.lines[idx].no, doc.lines[end].no, "\n".join(t for _, t in body), body)
        )
    return sections


_CN_NUMBERS = "一二三四五六"


@lru_cache(maxsize=None)
def _numbered(n: int) -> re.Pattern:
    """A section's numbering just before its title: 三、 3、 3. （三）."""
    cn = _CN_NUMBERS[n - 1]
    return re.compile(rf"(?:{cn}\s*[、.．]|{n}\s*[、.．]|[（(]{cn}[）)])[^\d、。，；,.．]{{0,8}}$")


def _inline(doc: Document, tpl: Template) -> list[SectionText]:
    """Sections whose numbered headings stand inside long lines (三、收到和处理政府信息公开申请情况
    in the middle of a one-line report), in order; each section's text runs to the next heading."""
    pattern, by_key = _keys_pattern(tpl.id)
    hits: list[tuple[int, int, int, int]] = []  # (line index, start, end, section number)
    for idx, line in enumerate(doc.lines):
        text = line.text
        if len(text) <= 3 * _MAX_HEADING:
            continue
        for m in pattern.finditer(text):
            n = by_key[m.group(0)]
            num = _numbered(n).search(text, max(0, m.start() - 14), m.start())
            if num is not None:
                title = tpl.sections[n - 1].title  # the whole official title when it is printed
                at = text.find(title, num.start(), m.end() + len(title))
                hits.append((idx, num.start(), at + len(title) if at >= 0 else m.end(), n))
    chosen: list[tuple[int, int, int, int]] = []
    for number in range(1, len(tpl.sections) + 1):
        after = (chosen[-1][0], chosen[-1][2]) if chosen else (-1, -1)
        pick = next((h for h in hits if h[3] == number and (h[0], h[1]) >= after), None)
        if pick is not None:
            chosen.append(pick)
    sections = []
    for k, (idx, start, end, number) in enumerate(chosen):
        stop = (chosen[k + 1][0], chosen[k + 1][1]) if k + 1 < len(chosen) else (len(doc.lines) - 1, None)
        body = []
        for i in range(idx, stop[0] + 1):
            text = doc.lines[i].text
            piece = text[end if i == idx else 0 : stop[1] if i == stop[0] else None].strip()
            if piece and not doc.lines[i].in_table:
                body.append((doc.lines[i].no, piece))
        title = doc.lines[idx].text[start:end]
        sections.append(SectionText(number, title, doc.lines[idx].no, doc.lines[stop[0]].no,
                                    "\n".join(t for _, t in body), body))
    return sections
