"""A time budget for reading one document.

Readers check it between pages, table cells and batches of text lines (`expired`); a step that
runs in C (PDFium, OpenCV, the recogniser) cannot be interrupted, so its input size is bounded
instead (`xxgk.limits`).  What a reader leaves unread when the time is up is recorded
(`shortfalls`), so that the document says so in a finding and is never silently partial."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Budget:
    seconds: float
    start: float = field(default_factory=time.process_time)  # CPU seconds of the whole process (all
    # its threads): what the reading costs, the same on an idle and on a loaded machine
    # page number → why part of it was not read ("time", "lines", "columns", "wide-lines")
    shortfalls: dict[int, set[str]] = field(default_factory=dict)

    def extend(self, seconds: float) -> None:
        self.seconds += seconds

    def elapsed(self) -> float:
        return time.process_time() - self.start

    def expired(self) -> bool:
        return self.elapsed() > self.seconds

    def short(self, page: int, why: str) -> None:
        self.shortfalls.setdefault(page, set()).add(why)


_WHY = {
    "time": "识别时间超过上限",
    "lines": "文字行数超过上限",
    "columns": "文字总量超过上限",
    "wide-lines": "有过宽的文字行（多为扫描噪点）",
    "rules": "线条过多、未按表格线识别表格",
}


def ocr_note(budget: Budget) -> tuple[str, str, dict] | None:
    """The OCR_INCOMPLETE note of the pages left partly unread, or None."""
    if not budget.shortfalls:
        return None
    pages = sorted(budget.shortfalls)
    why = sorted({w for ws in budget.shortfalls.values() for w in ws})
    reasons = "、".join(_WHY[w] for w in why)
    return (
        "OCR_INCOMPLETE",
        f"第{'、'.join(map(str, pages))}页的OCR识别未完成（{reasons}），未识别的文字和单元格已留空，请对照扫描件核实",
        {"pages": pages, "reasons": why},
    )
