"""Narrative extraction: what must come out of real-style sentences, and what must not."""

import pytest

from xxgk import template as T
from xxgk.extract.narrative import claims, quantities

TPL = T.get("2021")
NR = ("requests", "new_received", "total")
CO = ("requests", "carried_over", "total")
CF = ("requests", "carried_forward", "total")
RC = ("appeals", "reconsideration", "total")
LIT = (("appeals", "litigation_direct", "total"), ("appeals", "litigation_after_reconsideration", "total"))
WITHHELD = tuple(("requests", r.id, "total") for r in TPL.table("requests").rows if r.group == "withheld")


def _claims(sentence):
    found, _ = claims([(7, sentence, 1)], TPL)
    return [(c.cells, c.value) for c in found]


def _sums(sentence):
    _, sums = claims([(7, sentence, 1)], TPL)
    return [(s.total.value, [p.value for p in s.parts]) for s in sums]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("本年度共收到政府信息公开申请3件，均已按时答复。", [((NR,), 3)]),
        ("今年来我镇收到政府信息公开申请0件。", [((NR,), 0)]),
        ("全年共受理依申请公开政府信息申请十二件。", [((NR,), 12)]),
        ("2023年共收到政府信息公开申请 15 件，上年结转2件，结转下年度继续办理1件。", [((NR,), 15), ((CO,), 2), ((CF,), 1)]),
        ("本机关全年新收政府信息公开申请二十件", [((NR,), 20)]),
        ("2023年原州区河川乡未收到政府信息公开申请,也没有因此提起复议。", [((NR,), 0)]),
        ("其中予以公开5件，部分公开2件，不予公开1件。", [((("requests", "granted", "total"),), 5), ((("requests", "partially_granted", "total"),), 2), ((WITHHELD), 1)]),
        ("因政府信息公开被申请行政复议2件，提起行政诉讼1件。", [((RC,), 2), (LIT, 1)]),
        ("全年未发生因政府信息公开申请行政复议和行政诉讼的情况。", [((RC,), 0), (LIT, 0)]),
        ("本年度政府信息公开行政复议案件共三起。", [((RC,), 3)]),
        # not compared: approximate numbers, other matters, other units of things
        ("全年收到政府信息公开申请100余件。", []),
        ("全年收到政府信息公开申请近千件。", []),
        ("处理\"12345\"便民服务热线群众投诉事项 171件。", []),
        ("全年办理网民留言171件。", []),
        ("\"花海河川\"微信公众号发布信息 109期,共计 383条信息。", []),
        ("收到群众来信来访5件，均已办结。", []),
        ("本年度行政许可事项办理1200件。", []),
    ],
)
def test_restatements(sentence, expected):
    assert _claims(sentence) == expected


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("通过榆阳区政府网站主动公开政府信息3条，其中机构职能类信息0条，经费公开类信息4条，新闻类信息3条；", [(3, [0, 4, 3])]),
        ("公开信息58条，其中各类实施方案25条，民政类信息33条。", [(58, [25, 33])]),
        ("累计发布政府信息56条,其中,政策落实类信息4条、工作动态类信息32条;其他类信息(含人事、采购、通知等内容)20条", [(56, [4, 32, 20])]),
        ("主动公开政府信息 623条, 其中通过政府门户网站 21条,通过公告栏 602条。", [(623, [21, 602])]),
        ("发布信息三十条，其中政策解读十条、工作动态二十条。", [(30, [10, 20])]),
        ("主动公开3条，其中A类0条，B类4条，C类3条；通过公开栏公开58条，其中甲25条，乙33条。", [(3, [0, 4, 3]), (58, [25, 33])]),
        # not a breakdown: one part named, approximate, listed with 等, other unit
        ("公开信息120条，其中规范性文件3条。", []),
        ("公开信息100余条，其中政策文件30条，动态70条。", []),
        ("公开信息120条，其中政策文件30条、工作动态50条等。", []),
        ("发布信息109期，其中图文80条，视频29条。", []),
    ],
)
def test_totals_with_parts(sentence, expected):
    assert _sums(sentence) == expected


def test_quantities_mark_approximate_and_read_chinese_numerals():
    qs = quantities("公开信息100余条，近千件，约50篇，十二条，两千三百件，3.5条")
    assert [(q.value, q.unit, q.approximate) for q in qs] == [
        (100, "条", True), (1000, "件", True), (50, "篇", True), (12, "条", False), (2300, "件", False),
    ]


def test_sentence_wrapped_by_the_page_is_joined_and_keeps_its_first_line():
    # seed 001's shape: a PDF line break (and a blank line) in the middle of one sentence
    lines = [
        (15, "2023年原州区河川乡未收到政府信息公开申请,也没有因", 1),
        (17, "政府信息提起行政复议和行政诉讼的情况。", 1),
        (19, "(三) 政府信息管理", 1),
        (21, "本年度政府信息公开行政复议案件共三起。", 1),
    ]
    found, _ = claims(lines, TPL)
    assert [(c.cells, c.value, c.line) for c in found] == [
        ((NR,), 0, 15), ((RC,), 0, 15), (LIT, 0, 15), ((RC,), 3, 21),
    ]


def test_lines_are_not_joined_across_sections_headings_or_short_lines():
    # each line below stops mid-sentence, but a section change, a numbered heading or a short
    # line (a title, a list item) ends the paragraph: nothing may be read across the break
    lines = [
        (3, "本机关本年度认真落实政府信息公开条例，共收到", 1),
        (4, "政府信息公开申请3件", 2),
        (8, "一、总体情况和依申请公开的受理", 3),
        (9, "政府信息公开申请4件", 3),
        (12, "共收到", 3),
        (13, "政府信息公开申请5件", 3),
    ]
    found, _ = claims(lines, TPL)
    assert found == []


def test_sentence_on_the_second_line_of_a_paragraph_names_that_line():
    lines = [(30, "本年度依申请公开工作平稳有序，各项制度得到落实。本年度共收到政府信息", 2), (31, "公开申请3件。", 2)]
    found, _ = claims(lines, TPL)
    assert [(c.value, c.line) for c in found] == [(3, 30)]
