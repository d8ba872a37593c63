"""What OCR could not read with confidence: numbers left for the reviewer to compare with the
scan, and numbers the accounting identities confirmed or settled (see extract/settle.py)."""

from __future__ import annotations

from ..report import Report, Severity
from .reader_rules import notes
from .registry import rule


@rule("OCR_LOW_CONFIDENCE", Severity.WARNING, "OCR识别置信度低的数字，勾稽关系无法确认，需对照扫描件核实", group="reader")
def ocr_low_confidence(report: Report):
    yield from notes(report, "OCR_LOW_CONFIDENCE")


@rule("OCR_SETTLED", Severity.INFO, "OCR识别置信度低的数字，已由勾稽关系确认或唯一确定", group="reader")
def ocr_settled(report: Report):
    yield from notes(report, "OCR_SETTLED")


@rule("SCANNED_PAGE_SKIPPED", Severity.WARNING, "PDF中有扫描图像页，未安装OCR组件，未能读取", group="reader")
def scanned_page_skipped(report: Report):
    yield from notes(report, "SCANNED_PAGE_SKIPPED")


@rule("OCR_INCOMPLETE", Severity.WARNING, "扫描页的OCR识别未完成（超出时间或工作量上限），未识别的文字和单元格已留空，需对照扫描件核实", group="reader")
def ocr_incomplete(report: Report):
    yield from notes(report, "OCR_INCOMPLETE")
