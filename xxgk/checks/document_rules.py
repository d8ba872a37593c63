"""Completeness, template version, year, and the fee statement."""

from __future__ import annotations

import re

from ..report import Report, Severity
from ..template import for_year
from ..text import fold
from .registry import finding, rule


@rule("MISSING_PERIOD", Severity.WARNING, "报告没有写明统计期限（如“自2023年1月1日起至12月31日止”）")
def missing_period(report: Report):
    if report.meta.period_year is None:
        yield finding("MISSING_PERIOD", "报告没有写明数据的统计期限，请补充“本报告所列数据的统计期限自X年1月1日起至12月31日止”")


@rule("OUTDATED_TEMPLATE", Severity.WARNING, "2021年及以后的报告仍使用2019年模板")
def outdated_template(report: Report):
    year = report.meta.year
    if year is None or not report.template_detected:
        return
    should = for_year(year)
    if should.id != report.template and should.first_year > report.spec.first_year:
        yield finding(
            "OUTDATED_TEMPLATE",
            f"{year}年度报告应使用{should.id}年模板（{should.issued_by}），却使用了{report.template}年模板",
            template=report.template,
        )


@rule("YEAR_MISMATCH", Severity.WARNING, "标题、统计期限与正文所写的年度不一致")
def year_mismatch(report: Report):
    m = report.meta
    stated = {"标题": m.title_year, "统计期限": m.period_year}
    stated = {k: v for k, v in stated.items() if v is not None}
    if len(set(stated.values())) > 1:
        desc = "，".join(f"{k}为{v}年" for k, v in stated.items())
        yield finding("YEAR_MISMATCH", f"年度不一致：{desc}", line=m.title_line)
        return
    if stated and m.body_year is not None:
        year = next(iter(stated.values()))
        if m.body_year != year and year not in m.body_years:
            where = next(iter(stated))
            yield finding(
                "YEAR_MISMATCH",
                f"{where}写的是{year}年，但总体情况正文讲的是{m.body_year}年，未提到{year}年",
                line=m.title_line,
            )


_FEE = re.compile(r"处理费|收取.{0,8}费|收费|费用")


@rule("FEE_NOT_STATED", Severity.WARNING, "2021年及以后的报告，第六部分未说明是否收取信息处理费")
def fee_not_stated(report: Report):
    if report.meta.year is not None and report.meta.year < 2021:
        return
    sec = report.section(6)
    if sec is None:
        return  # MISSING_SECTION already says so
    if not _FEE.search(fold(sec.text)):
        quoted = sec.text.strip().replace("\n", " ")[:40] or "（空）"
        yield finding(
            "FEE_NOT_STATED",
            f"第六部分「其他需要报告的事项」只写了“{quoted}”，未说明本年度是否收取信息处理费",
            section=6,
            line=sec.line,
        )
