"""Drafts: a report that still carries the renderer's 【待补充：…】 marks."""

from __future__ import annotations

import re

from ..report import Report, Severity
from .registry import finding, rule

_MARK = re.compile(r"[【\[［]\s*待补充")


@rule("DRAFT_PLACEHOLDER", Severity.WARNING, "报告仍含“【待补充：…】”标记，是未完成的草稿")
def draft_placeholder(report: Report):
    if "待补充" not in "\n".join(report.lines):  # the common case, in one scan
        return
    hits = [(no, text) for no, text in enumerate(report.lines, 1) if _MARK.search(text)]
    if not hits:
        return
    no, text = hits[0]
    what = text[_MARK.search(text).start():].split("】", 1)[0].lstrip("【[［").strip()
    more = f"等{len(hits)}处" if len(hits) > 1 else ""
    yield finding(
        "DRAFT_PLACEHOLDER",
        f"报告仍有待补充的内容（“{what[:40]}”{more}），请补写后再发布",
        line=no,
        count=len(hits),
    )
