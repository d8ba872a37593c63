"""Findings of the run-together splitter (xxgk/extract/split.py)."""

from __future__ import annotations

from ..report import Report, Severity
from .reader_rules import notes
from .registry import rule


@rule("CELL_AMBIGUOUS", Severity.WARNING, "连写的数字有多种拆法（或无法拆分），这些格已留空并列出各种可能", group="reader")
def cell_ambiguous(report: Report):
    yield from notes(report, "CELL_AMBIGUOUS")


@rule("CELL_SPLIT", Severity.INFO, "表格数字在原文中连写、无分隔，已按格数与勾稽关系拆分", group="reader")
def cell_split(report: Report):
    yield from notes(report, "CELL_SPLIT")
