"""The report's own identity: which organ, which year — stated somewhere, or said to be missing."""

from __future__ import annotations

from ..report import Report, Severity
from .registry import finding, rule


@rule("MISSING_AGENCY", Severity.WARNING, "报告中找不到发布机关的名称（标题、正文开头、联系方式、网页标题和文件名均未写明）")
def missing_agency(report: Report):
    if not report.meta.agency:
        yield finding(
            "MISSING_AGENCY",
            "未能确定报告的发布机关：标题、正文开头、联系方式、网页标题和文件名都没有写明机关全称，请补充标题或核对原件",
            line=report.meta.title_line,
        )


@rule("MISSING_YEAR", Severity.WARNING, "报告中找不到报告年度（标题、统计期限、正文、网页标题和文件名均未写明）")
def missing_year(report: Report):
    if report.meta.year is None:
        yield finding(
            "MISSING_YEAR",
            "未能确定报告年度：标题、统计期限、总体情况正文、网页标题和文件名都没有写明年度，请核对原件",
            line=report.meta.title_line,
        )
