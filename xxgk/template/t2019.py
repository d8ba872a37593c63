"""Template 2019 — 国办公开办函〔2019〕60号, for reports on 2019 and 2020."""

from .common import _RC, APPEALS, REQUEST_GROUPS, SECTIONS, requests_table
from .spec import Column, Group, Kind, Row, Table, Template

_DOCS = ("new_made", "new_published", "total_published")
_ITEMS = ("previous_items", "change", "decisions")
# the kinds of 其他对外管理服务事项 some reports list as rows of their own (summed into it)
_SERVICE_PARTS = (
    "行政确认", "行政奖励", "行政裁决", "行政给付", "行政检查", "行政征收", "行政征用", "行政备案",
    "行政处罚", "行政强制", "其他类", "其他行政权力", "其他权力事项", "公共服务", "公共服务事项", "其他",
)

ACTIVE = Table(
    key="active",
    number=2,
    title="二、主动公开政府信息情况",
    name="表二",
    columns=(
        Column("new_made", "本年新制作数量", ("本年新制作数量", "新制作数量")),
        Column("new_published", "本年新公开数量", ("本年新公开数量", "新公开数量")),
        Column("total_published", "对外公开总数量", ("对外公开总数量", "公开总数量")),
        Column("previous_items", "上一年项目数量", ("上一年项目数量", "上一年项目数")),
        Column("change", "本年增/减", ("本年增/减", "本年增减", "增/减", "增减"), kind=Kind.SIGNED),
        Column("decisions", "处理决定数量", ("处理决定数量", "处理决定数")),
        Column("projects", "采购项目数量", ("采购项目数量", "采购项目数")),
        Column("amount_yuan", "采购总金额", ("采购总金额",), kind=Kind.MONEY, unit="元"),
    ),
    rows=(
        Row("regulations", "规章", ("规章",), _DOCS, group="art20_1"),
        Row("normative_documents", "规范性文件", ("规范性文件", "规范性档案"), _DOCS, group="art20_1"),
        Row("licensing", "行政许可", ("行政许可",), _ITEMS, group="art20_5"),
        Row(
            "other_services",
            "其他对外管理服务事项",
            ("其他对外管理服务事项", "对外管理服务事项", "其他对外管理", "对外管理服务"),
            _ITEMS,
            group="art20_5",
            parts=_SERVICE_PARTS,
        ),
        Row("penalty", "行政处罚", ("行政处罚",), _ITEMS, group="art20_6"),
        Row("coercion", "行政强制", ("行政强制",), _ITEMS, group="art20_6"),
        Row("fees", "行政事业性收费", ("行政事业性收费", "事业性收费"), ("previous_items", "change"), group="art20_8"),
        Row("procurement", "政府集中采购", ("政府集中采购", "集中采购"), ("projects", "amount_yuan"), group="art20_9"),
    ),
    groups=(
        Group("art20_1", "第二十条第（一）项", columns=_DOCS),
        Group("art20_5", "第二十条第（五）项", columns=_ITEMS),
        Group("art20_6", "第二十条第（六）项", columns=_ITEMS),
        Group("art20_8", "第二十条第（八）项", columns=("previous_items", "change")),
        Group("art20_9", "第二十条第（九）项", columns=("projects", "amount_yuan")),
    ),
    anchors=("第二十条", "本年新制作数量", "对外公开总数量", "上一年项目数量", "政府集中采购"),
)

_OTHER_2019 = (
    Row("other", "（六）其他处理", ("其他处理",), _RC, group="results", number="（六）"),
)
REQUESTS = requests_table(_OTHER_2019, tuple(g for g in REQUEST_GROUPS if g.id != "other_handling"))

TEMPLATE = Template(
    id="2019",
    issued_by="国办公开办函〔2019〕60号",
    first_year=2019,
    signature=(
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "其他对外管理服务事项",
        "政府集中采购",
        "上一年项目数量",
        "采购总金额",
    ),
    sections=SECTIONS,
    tables=(ACTIVE, REQUESTS, APPEALS),
)
