"""Find the six sections by their headings, whatever their numbering (一、 1、 （一） or none)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..document import Document
from ..report import SectionText
from ..template import Template, get
from ..text import fold, numbering_of, strip_numbering

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
    out = []
    for idx, line in enumerate(doc.lines):
        text = line.text
        if not text or len(text) > 3 * _MAX_HEADING or text.isdigit():  # a bare number is no heading
            continue
        f = fold(text)
        if not f or len(f) > _MAX_HEADING or f.endswith(("。", "；", ";", "，", ",")):
            continue
        if pattern.search(f) is None:  # the common case, decided before stripping the numbering
            continue
        core = strip_numbering(f)
        m = pattern.search(core)
        if m and m.start() <= 12 and len(core) <= len(m.group(0)) + 14:
            out.append((idx, by_key[m.group(0)], numbering_of(f), text.strip()))
    return out


def find_sections(doc: Document, tpl: Template) -> list[SectionText]:
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
        body = [
            (doc.lines[i].no, doc.lines[i].text.strip())
            for i in range(idx + 1, end + 1)
            if doc.lines[i].text.strip() and not doc.lines[i].in_table
        ]
        sections.append(
            SectionText(number, title, doc.lines[idx].no, doc.lines[end].no, "\n".join(t for _, t in body), body)
        )
    return sections
