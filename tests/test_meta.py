"""Title, agency and year from real-style titles and openings."""

import pytest

from xxgk import parse_bytes
from xxgk.agency import agency_key, same_agency
from xxgk.extract.meta import agency_from_title


@pytest.mark.parametrize(
    "title, agency",
    [
        ("榆阳区古塔镇人民政府 关于 2023 年度政府信息公开工作的报告", "榆阳区古塔镇人民政府"),
        ("原州区河川乡 2023 年政府信息公开工作年度报告", "原州区河川乡"),
        ("某某市人民政府办公室2022年政府信息公开工作年度报告", "某某市人民政府办公室"),
        ("2022年度某某县教育局政府信息公开工作年度报告", "某某县教育局"),
        ("某某街道办事处2021年度政府信息公开工作年度报告", "某某街道办事处"),
        ("国家统计局2023年政府信息公开工作年度报告", "国家统计局"),
        ("某某镇2023年政务公开工作年度报告", "某某镇"),
        ("二〇二三年某某乡政府信息公开工作年度报告", "某某乡"),
        ("某某县自然资源局关于2024年度政府信息公开工作年度报告", "某某县自然资源局"),
    ],
)
def test_agency_from_title(title, agency):
    assert agency_from_title(title) == agency


@pytest.mark.parametrize(
    "text, agency, year",
    [
        ("某某县卫生健康局\n2023年政府信息公开工作年度报告\n\n一、总体情况\n", "某某县卫生健康局", 2023),
        ("二〇二二年某某乡政府信息公开工作年度报告\n一、总体情况\n2022年，某某乡认真贯彻。\n", "某某乡", 2022),
        (" 2023年，一平垣乡在区政府的正确领导下，开展工作。\n1、 总体情况\n", "一平垣乡", 2023),
        ("本年度报告由某某区人民政府办公室编制。统计期限自2021年1月1日起至12月31日止。\n一、总体情况\n", "某某区人民政府办公室", 2021),
    ],
)
def test_agency_and_year_from_the_document(text, agency, year):
    report = parse_bytes(text.encode(), "x.txt")
    assert (report.meta.agency, report.meta.year) == (agency, year)


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("榆阳区古塔镇人民政府", "古塔镇", True),
        ("榆阳区古塔镇人民政府", "榆阳区古塔镇", True),
        ("金沙街道办事处", "某某区金沙街道", True),
        ("某某县人民政府", "某某县", True),
        ("古塔镇", "古塔乡", False),
        ("东湖区青山镇", "西湖区青山镇", False),
        ("某某县教育局", "某某县卫生健康局", False),
        ("鄉鎮", "乡镇", True),
    ],
)
def test_same_agency(a, b, same):
    assert same_agency(a, b) is same


def test_agency_key_folds_suffixes_and_traditional():
    assert agency_key("榆陽區古塔鎮人民政府") == "榆阳区古塔镇"
