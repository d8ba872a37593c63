"""The codes of the consolidated-report comparison (xxgk.consolidate, `xxgk sum`, the corpus's
org tree).  Their scope is "consolidated": neither the one-report run nor the cross-year pass
runs them; xxgk.consolidate produces the findings."""

from ..report import Severity
from .registry import rule


@rule("SUM_BLANK", Severity.WARNING, "汇总：某下级报告该单元格为空白、未读出或识别存疑，合计留空（空白不按零计）",
      scope="consolidated", group="consolidated")
def _sum_blank(*_):  # pragma: no cover - produced by consolidate()
    return ()


@rule("CONSOLIDATED_MISMATCH", Severity.WARNING,
      "汇总：汇总报告的数字与下级报告之和不一致（列出汇总报告值、合计值与各下级报告的值）",
      scope="consolidated", group="consolidated")
def _mismatch(*_):  # pragma: no cover - produced by compare()
    return ()


@rule("CONSOLIDATED_INCOMPLETE", Severity.INFO,
      "汇总：未做（或部分未做）汇总核对——下级机关缺少该年度报告、模板版本不一致，或下级报告的单元格空白",
      scope="consolidated", group="consolidated")
def _incomplete(*_):  # pragma: no cover - produced by the corpus pass
    return ()


