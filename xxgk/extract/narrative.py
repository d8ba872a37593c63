"""Numbers the narrative states about disclosure work.

Two kinds of statement are taken out of the prose:

* restatements of table cells — "收到政府信息公开申请3件", "结转下年度继续办理1件", "行政复议2件",
  "未收到政府信息公开申请" (= 0) — each mapped to the cells of the template it restates;
* stated totals with their listed parts — "公开信息3条，其中机构职能类0条，经费公开类4条，新闻类3条".

Only exact numbers (Arabic or Chinese numerals) with a counting unit are taken; approximate ones
(100余条, 近千条, 50多件, 约, 以上) are kept but never compared.  Anything about other matters
(热线, 网民留言, 公众号期数 …) is not matched by the patterns.  A missed comparison is preferred to
a false alarm.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ..report import Claim, Quantity, SumClaim
from ..template import Template
from ..text import cn_to_int, fold, numbering_of, small_int

_CN = "零〇○一二两三四五六七八九十百千万"
NUM = rf"(?:\d+(?:,\d{{3}})*|[{_CN}]+)"
UNITS = "人次|条|件|篇|期|次|个|项|份|起|宗|批"
_QTY = re.compile(
    rf"(?P<pre>近|约|超过|逾|大约|将近)?\s*(?P<num>{NUM})\s*(?P<post>余|多)?\s*(?P<unit>{UNITS})(?P<tail>以上|左右|多)?"
)
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９，", "0123456789,")
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
_TOPIC = re.compile("申请|公开|复议|诉讼|结转")
_OTHER_MATTERS = ("热线", "12345", "留言", "信访", "公众号", "微博", "抖音", "来电", "来信", "来访", "投诉事项", "咨询", "工作群")
_OTHER_RX = re.compile("|".join(_OTHER_MATTERS))


def quantities(text: str) -> list[Quantity]:
    out = []
    for m in _QTY.finditer(text):
        num = m.group("num")
        value = small_int(num.replace(",", "")) if num[0].isdigit() else cn_to_int(num)
        if value is None:
            continue  # more digits than any count: not a quantity
        if num[0].isdigit() and m.start() > 0 and text[m.start() - 1] in ".．":
            continue  # the fraction of a decimal
        approx = bool(m.group("pre") or m.group("post") or m.group("tail"))
        out.append(Quantity(value, m.group("unit"), approx, m.start(), m.end()))
    return out


@dataclass(frozen=True)
class Pattern:
    what: str
    regex: re.Pattern
    cells: tuple[tuple[str, str, str], ...] | str  # a tuple of cells, or a group name of the template
    zero: bool = False  # a negative statement: the number is 0
    needle: str = ""  # a word every match contains (a cheap test before the regex)


def _p(what, regex, cells, zero=False):
    return Pattern(what, re.compile(regex), cells, zero, _needle(regex))


def _needle(regex: str) -> str:
    """A word every match of `regex` contains, for the patterns below: a fixed word they name."""
    for word in ("不予公开", "部分公开", "予以公开", "行政复议", "行政诉讼", "结转", "申请"):
        if word in regex:
            return word
    return ""


_REQ = r"(?:政府信息公开申请|信息公开申请|依申请公开(?:政府信息)?申请|申请公开政府信息|依申请公开)"
_Q = rf"(?P<n>{NUM})件"
PATTERNS = (
    _p("收到政府信息公开申请", rf"(?:新)?(?:收到|受理|接收|接到|新收)[^，,。；;]{{0,8}}?{_REQ}(?:共计|共|合计|总计|数量为|数量|数为|为)?{_Q}", (("requests", "new_received", "total"),)),
    _p("收到政府信息公开申请", rf"(?:共|全年|本年度?|今年)(?:收到|受理){_Q}{_REQ}", (("requests", "new_received", "total"),)),
    _p("收到政府信息公开申请", rf"(?:未|没有|无)(?:收到|受理|接到)[^，,。；;]{{0,6}}?{_REQ}", (("requests", "new_received", "total"),), zero=True),
    _p("上年结转申请", rf"上(?:一)?年(?:度)?结转(?:的)?(?:政府信息公开)?(?:申请)?(?:共|为)?{_Q}", (("requests", "carried_over", "total"),)),
    _p("结转下年度继续办理", rf"结转(?:至|到)?下(?:一)?年(?:度)?(?:继续办理|办理)?(?:的)?(?:申请)?(?:共|为)?{_Q}", (("requests", "carried_forward", "total"),)),
    _p("予以公开", rf"(?<!不)予以公开(?:的)?(?:申请)?(?:共|为)?{_Q}", (("requests", "granted", "total"),)),
    _p("部分公开", rf"部分公开(?:的)?(?:申请)?(?:共|为)?{_Q}", (("requests", "partially_granted", "total"),)),
    _p("不予公开", rf"不予公开(?:的)?(?:申请)?(?:共|为)?{_Q}", "withheld"),
    _p("行政复议", rf"行政复议(?:案件|申请)?(?:共|为)?(?P<n>{NUM})(?:件|起|宗|次)", (("appeals", "reconsideration", "total"),)),
    _p("行政诉讼", rf"行政诉讼(?:案件)?(?:共|为)?(?P<n>{NUM})(?:件|起|宗|次)", (("appeals", "litigation_direct", "total"), ("appeals", "litigation_after_reconsideration", "total"))),
    _p("行政复议", r"(?:未|没有|无)(?:发生|出现)?(?:因)?政府信息(?:公开)?(?:工作)?(?:而)?(?:被)?(?:申请|提起|引发)?(?:的)?行政复议", (("appeals", "reconsideration", "total"),), zero=True),
    _p("行政诉讼", r"(?:未|没有|无)(?:发生|出现)?(?:因)?政府信息(?:公开)?(?:工作)?(?:而)?(?:被)?(?:申请|提起|引发)?(?:的)?行政复议(?:和|、|及|或)行政诉讼", (("appeals", "litigation_direct", "total"), ("appeals", "litigation_after_reconsideration", "total")), zero=True),
)


def _cells_for(pattern: Pattern, tpl: Template) -> tuple[tuple[str, str, str], ...]:
    if isinstance(pattern.cells, tuple):
        return pattern.cells
    table = tpl.table("requests")
    return tuple(("requests", r.id, "total") for r in table.rows if r.group == pattern.cells)


_LINE_END = ("。", "！", "？", "!", "?", "；", ";", "：", ":")
_WRAP_MIN = 15  # a line this long that stops mid-sentence was wrapped by the page, not ended
_HEADING_MAX = 25  # a numbered line shorter than this is a heading, never the start of a wrapped sentence


def paragraphs(lines: list[tuple[int, str, int | None]]):
    """(section, text, [(offset, line no)]): lines that a page wrapped mid-sentence (PDF and Word
    text break long sentences) joined back, within one section.  A short line or one ending a
    sentence ends its paragraph; a numbered line starts a new one, and is a heading on its own
    unless it is long."""
    text, starts, current = "", [], None
    for no, line, section in lines:
        numbered = numbering_of(fold(line)) is not None
        if starts and (section != current or numbered):
            yield current, text, starts
            text, starts = "", []
        if not starts:
            current = section
        starts.append((len(text), no))
        text += line
        if line.endswith(_LINE_END) or len(line) < (_HEADING_MAX if numbered else _WRAP_MIN):
            yield current, text, starts
            text, starts = "", []
    if starts:
        yield current, text, starts


def sentences(lines: list[tuple[int, str, int | None]]):
    """(line, section, sentence) over the paragraphs of `lines`; the line is where it starts."""
    for section, text, starts in paragraphs(lines):
        offsets = [off for off, _ in starts]
        for m in _SENTENCE.finditer(text):
            sentence = m.group(0)
            if len(sentence) <= _MAX_SENTENCE:  # the common case: the sentence is its one piece
                s = sentence.strip()
                if s:
                    yield starts[bisect_right(offsets, m.start()) - 1][1], section, s
                continue
            for start, piece in _pieces(m.start(), sentence):
                s = piece.strip()
                if s:
                    no = starts[bisect_right(offsets, start) - 1][1]
                    yield no, section, s


_MAX_SENTENCE = 1000  # characters; a "sentence" longer than this (no 。 in pages of text) is cut
_CLAUSE_END = re.compile(r"[，,；;：:]")


def _pieces(start: int, sentence: str):
    """A sentence as (offset, text) pieces of at most _MAX_SENTENCE characters, cut after a comma
    where there is one: a run of text without a full stop is read clause by clause, in linear time."""
    i, n = 0, len(sentence)
    while n - i > _MAX_SENTENCE:
        end = i + _MAX_SENTENCE
        cut = max((m.end() for m in _CLAUSE_END.finditer(sentence, i + _MAX_SENTENCE // 2, end)), default=end)
        yield start + i, sentence[i:cut]
        i = cut
    yield start + i, sentence[i:] if i else sentence


def claims(lines: list[tuple[int, str, int | None]], tpl: Template) -> tuple[list[Claim], list[SumClaim]]:
    found: list[Claim] = []
    sums: list[SumClaim] = []
    for no, section, sentence in sentences(lines):
        f = fold(sentence)
        if _OTHER_RX.search(f):
            continue
        sums.extend(_sums(sentence, no, section))
        if not _TOPIC.search(f):
            continue  # every pattern names one of these words
        seen: list[tuple[int, int, object]] = []  # spans already read, per kind of statement
        for pat in PATTERNS:
            if pat.needle and pat.needle not in f:
                continue
            for m in pat.regex.finditer(f):
                if any(a <= m.start() < b and what == pat.cells for a, b, what in seen):
                    continue
                if pat.zero:
                    value = 0
                else:
                    num = m.group("n")
                    tail = f[m.end() : m.end() + 2]
                    head = f[max(0, m.start("n") - 2) : m.start("n")]
                    if tail.startswith(("余", "多", "以上", "左右")) or head.endswith(("近", "约", "超过", "逾")):
                        continue
                    value = small_int(num.replace(",", "")) if num[0].isdigit() else cn_to_int(num)
                    if value is None:
                        continue
                seen.append((m.start(), m.end(), pat.cells))
                found.append(Claim(_cells_for(pat, tpl), value, pat.what, sentence, no, section))
    return found, sums


def _sums(sentence: str, no: int, section: int | None) -> list[SumClaim]:
    """Totals followed by 其中 and their parts, within one sentence.  Works on the sentence with
    only full-width digits narrowed, so offsets (and the quoted clause) are the original's."""
    out = []
    if "其中" not in sentence:
        return out
    t = sentence.translate(_FULLWIDTH_DIGITS)
    qs = quantities(t)
    marks = [m.start() for m in re.finditer("其中", t)]
    for k, mark in enumerate(marks):
        before = [q for q in qs if q.end <= mark]
        if not before:
            continue
        total = before[-1]
        if t[total.end : mark].strip("，,：:；;、 \u3000") != "":
            continue  # 其中 must follow the total directly
        nxt = marks[k + 1] if k + 1 < len(marks) else len(t)
        parts = [q for q in qs if mark < q.start and q.end <= nxt]
        if k + 1 < len(marks) and parts and t[parts[-1].end : nxt].strip("，,：:；;、 \u3000") == "":
            parts = parts[:-1]  # the last one is the next group's total
        same = []
        for q in parts:
            if q.unit != total.unit:
                break
            same.append(q)
        if len(same) < 2:
            continue  # one part is a subset named, not a breakdown
        if t[same[-1].end : same[-1].end + 3].startswith("等") or any(q.approximate for q in same + [total]):
            continue
        start = max(t.rfind(p, 0, total.start) for p in "；;。：:") + 1
        out.append(SumClaim(total, same, sentence[start : same[-1].end].strip(), no, section))
    return out
