"""Parts of the national form that both template versions share: the six sections, Table 3's
columns and most of its rows, and Table 4."""

from __future__ import annotations

from .spec import Column, Group, Identity, Row, Section, Table

SECTIONS = (
    Section(1, "总体情况", ("总体情况", "总体概况", "基本情况", "概述")),
    Section(2, "主动公开政府信息情况", ("主动公开政府信息情况", "主动公开政府信息", "主动公开情况"), "active"),
    Section(
        3,
        "收到和处理政府信息公开申请情况",
        ("收到和处理政府信息公开申请", "收到和处理政府信息公开", "收到和处理", "依申请公开政府信息情况"),
        "requests",
    ),
    Section(
        4,
        "政府信息公开行政复议、行政诉讼情况",
        ("行政复议、行政诉讼", "行政复议行政诉讼", "行政复议和行政诉讼", "行政复议及行政诉讼", "复议、诉讼", "复议诉讼"),
        "appeals",
    ),
    Section(5, "存在的主要问题及改进情况", ("存在的主要问题", "主要问题及改进", "问题及改进", "存在问题")),
    Section(6, "其他需要报告的事项", ("其他需要报告的事项", "其他需要报告", "其他报告事项", "其他事项")),
)

# ---- Table 3 -------------------------------------------------------------------------------

APPLICANT_COLUMNS = (
    Column("natural_person", "自然人", ("自然人",)),
    Column("commercial", "商业企业", ("商业企业",)),
    Column("research", "科研机构", ("科研机构",)),
    Column("social_welfare", "社会公益组织", ("社会公益组织", "公益组织")),
    Column("legal_service", "法律服务机构", ("法律服务机构",)),
    Column("other_org", "其他", ("其他",)),
)
REQUEST_COLUMNS = APPLICANT_COLUMNS + (Column("total", "总计", ("总计", "合计")),)
_RC = tuple(c.id for c in REQUEST_COLUMNS)

REQUEST_GROUPS = (
    Group("results", "三、本年度办理结果", ("本年度办理结果", "办理结果")),
    Group("withheld", "（三）不予公开", ("不予公开",), parent="results"),
    Group("unavailable", "（四）无法提供", ("无法提供",), parent="results"),
    Group("rejected", "（五）不予处理", ("不予处理",), parent="results"),
    Group("other_handling", "（六）其他处理", ("其他处理",), parent="results"),
)


def _r(id, label, keys, number="", group=None, exact=(), short=""):
    return Row(id, label, tuple(keys), _RC, exact=tuple(exact), group=group, number=number, short=short)


REQUESTS_HEAD = (
    _r("new_received", "一、本年新收政府信息公开申请数量", ("本年新收",), "一、", short="本年新收"),
    _r("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转",), "二、", short="上年结转"),
    _r("granted", "（一）予以公开", ("予以公开",), "（一）", "results"),
    _r(
        "partially_granted",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        ("部分公开",),
        "（二）",
        "results",
        short="（二）部分公开",
    ),
    _r("withheld_state_secret", "1.属于国家秘密", ("国家秘密",), "1.", "withheld"),
    _r("withheld_law_prohibited", "2.其他法律行政法规禁止公开", ("法律行政法规禁止公开", "法规禁止公开", "禁止公开"), "2.", "withheld"),
    _r("withheld_security_stability", "3.危及“三安全一稳定”", ("三安全一稳定", "三安全", "一稳定"), "3.", "withheld"),
    _r("withheld_third_party", "4.保护第三方合法权益", ("第三方合法权益", "第三方"), "4.", "withheld"),
    _r("withheld_internal_affairs", "5.属于三类内部事务信息", ("内部事务",), "5.", "withheld"),
    _r("withheld_process_info", "6.属于四类过程性信息", ("过程性信息", "过程性"), "6.", "withheld"),
    _r("withheld_enforcement_file", "7.属于行政执法案卷", ("行政执法案卷", "执法案卷"), "7.", "withheld"),
    _r("withheld_query_matter", "8.属于行政查询事项", ("行政查询事项", "查询事项"), "8.", "withheld"),
    _r("unavailable_not_held", "1.本机关不掌握相关政府信息", ("不掌握",), "1.", "unavailable"),
    _r("unavailable_needs_creation", "2.没有现成信息需要另行制作", ("另行制作", "没有现成信息"), "2.", "unavailable"),
    _r("unavailable_unclear", "3.补正后申请内容仍不明确", ("仍不明确", "补正后申请内容"), "3.", "unavailable"),
    _r("rejected_petition", "1.信访举报投诉类申请", ("信访举报投诉", "信访举报", "举报投诉"), "1.", "rejected"),
    _r("rejected_duplicate", "2.重复申请", ("重复申请",), "2.", "rejected"),
    _r("rejected_publication", "3.要求提供公开出版物", ("公开出版物", "出版物"), "3.", "rejected"),
    _r("rejected_excessive", "4.无正当理由大量反复申请", ("大量反复申请", "大量反复"), "4.", "rejected"),
    _r(
        "rejected_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        ("确认或重新出具", "重新出具"),
        "5.",
        "rejected",
    ),
)
REQUESTS_TAIL = (
    _r("total_processed", "（七）总计", ("(七)总计",), "（七）", "results", exact=("总计", "合计"), short="办理结果总计"),
    _r("carried_forward", "四、结转下年度继续办理", ("结转下年度", "结转下年"), "四、", short="结转下年度"),
)

WITHHELD = tuple(r.id for r in REQUESTS_HEAD if r.group in ("withheld",))
UNAVAILABLE = tuple(r.id for r in REQUESTS_HEAD if r.group == "unavailable")
REJECTED = tuple(r.id for r in REQUESTS_HEAD if r.group == "rejected")


def requests_identities(result_rows: tuple[str, ...]) -> tuple[Identity, ...]:
    return (
        Identity(
            "T3_BALANCE",
            "column",
            ("new_received", "carried_over"),
            ("total_processed", "carried_forward"),
            "表三每一列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度继续办理",
        ),
        Identity(
            "T3_RESULT_SUM",
            "column",
            ("total_processed",),
            result_rows,
            "表三每一列：（七）总计 = 各项办理结果之和",
        ),
        Identity(
            "T3_ROW_SUM",
            "row",
            ("total",),
            tuple(c.id for c in APPLICANT_COLUMNS),
            "表三每一行：总计列 = 六类申请人之和",
        ),
    )


REQUESTS_ANCHORS = ("本年新收", "申请人情况", "上年结转", "办理结果")


def requests_table(other_rows: tuple[Row, ...], groups: tuple[Group, ...]) -> Table:
    """Table 3 of a template version, given its （六）其他处理 rows and the printed groups."""
    other = tuple(r.id for r in other_rows)
    return Table(
        key="requests",
        number=3,
        title="三、收到和处理政府信息公开申请情况",
        name="表三",
        columns=REQUEST_COLUMNS,
        rows=REQUESTS_HEAD + other_rows + REQUESTS_TAIL,
        groups=groups,
        identities=requests_identities(("granted", "partially_granted") + WITHHELD + UNAVAILABLE + REJECTED + other),
        anchors=REQUESTS_ANCHORS,
    )

# ---- Table 4 -------------------------------------------------------------------------------

APPEAL_COLUMNS = (
    Column("upheld", "结果维持", ("结果维持", "维持")),
    Column("corrected", "结果纠正", ("结果纠正", "纠正")),
    Column("other", "其他结果", ("其他结果",)),
    Column("pending", "尚未审结", ("尚未审结", "未审结")),
    Column("total", "总计", ("总计", "合计")),
)
_AC = tuple(c.id for c in APPEAL_COLUMNS)

APPEALS = Table(
    key="appeals",
    number=4,
    title="四、政府信息公开行政复议、行政诉讼情况",
    name="表四",
    columns=APPEAL_COLUMNS,
    rows=(
        Row("reconsideration", "行政复议", ("行政复议",), _AC),
        Row("litigation_direct", "行政诉讼 未经复议直接起诉", ("未经复议直接起诉", "直接起诉"), _AC, group="litigation"),
        Row("litigation_after_reconsideration", "行政诉讼 复议后起诉", ("复议后起诉",), _AC, group="litigation"),
    ),
    groups=(Group("litigation", "行政诉讼", ("行政诉讼",)),),
    identities=(
        Identity(
            "T4_SUM",
            "row",
            ("total",),
            ("upheld", "corrected", "other", "pending"),
            "表四每一栏：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
        ),
    ),
    anchors=("结果维持", "尚未审结", "未经复议直接起诉", "复议后起诉"),
)
