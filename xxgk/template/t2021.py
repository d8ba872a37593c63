"""Template 2021 — 国办公开办函〔2021〕30号, for reports on 2021 and later."""

from .common import _RC, APPEALS, REQUEST_GROUPS, SECTIONS, requests_table
from .spec import Column, Group, Kind, Row, Table, Template

_DOCS = ("issued", "repealed", "in_force")

ACTIVE = Table(
    key="active",
    number=2,
    title="二、主动公开政府信息情况",
    name="表二",
    columns=(
        Column("issued", "本年制发件数", ("本年制发件数", "本年制发件", "制发件数")),
        Column("repealed", "本年废止件数", ("本年废止件数", "本年废止件", "废止件数")),
        Column("in_force", "现行有效件数", ("现行有效件数", "现行有效件", "现行有效")),
        Column("decisions", "本年处理决定数量", ("本年处理决定数量", "处理决定数量", "处理决定数")),
        Column(
            "amount_wan_yuan",
            "本年收费金额（单位：万元）",
            ("本年收费金额", "收费金额"),
            kind=Kind.MONEY,
            unit="万元",
        ),
    ),
    rows=(
        Row("regulations", "规章", ("规章",), _DOCS, group="art20_1"),
        Row("normative_documents", "行政规范性文件", ("规范性文件", "规范性档案"), _DOCS, group="art20_1"),
        Row("licensing", "行政许可", ("行政许可",), ("decisions",), group="art20_5"),
        Row("penalty", "行政处罚", ("行政处罚",), ("decisions",), group="art20_6"),
        Row("coercion", "行政强制", ("行政强制",), ("decisions",), group="art20_6"),
        Row("fees", "行政事业性收费", ("行政事业性收费", "事业性收费"), ("amount_wan_yuan",), group="art20_8"),
    ),
    groups=(
        Group("art20_1", "第二十条第（一）项", columns=_DOCS),
        Group("art20_5", "第二十条第（五）项", columns=("decisions",)),
        Group("art20_6", "第二十条第（六）项", columns=("decisions",)),
        Group("art20_8", "第二十条第（八）项", columns=("amount_wan_yuan",)),
    ),
    anchors=("第二十条", "本年制发件数", "现行有效件", "本年处理决定数量", "本年收费金额"),
)

_OTHER_2021 = (
    Row(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ("逾期不补正",),
        _RC,
        group="other_handling",
        number="1.",
    ),
    Row(
        "other_unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("缴纳费用", "收费通知"),
        _RC,
        group="other_handling",
        number="2.",
    ),
    Row("other_other", "3.其他", (), _RC, exact=("其他", "其它"), group="other_handling", number="3."),
)
REQUESTS = requests_table(_OTHER_2021, REQUEST_GROUPS)

TEMPLATE = Template(
    id="2021",
    issued_by="国办公开办函〔2021〕30号",
    first_year=2021,
    signature=("本年制发件数", "本年废止件数", "现行有效件", "逾期不补正", "缴纳费用", "本年收费金额"),
    sections=SECTIONS,
    tables=(ACTIVE, REQUESTS, APPEALS),
)
