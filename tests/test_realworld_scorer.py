"""The real-world scorer (scripts/realworld.py) on a tiny invented page and label."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("realworld_script", ROOT / "scripts" / "realworld.py")
rw = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = rw
spec.loader.exec_module(rw)

# an invented township, numbers invented; the shape of a real excerpt: a row per line with bars
PAGE = """青禾县白鹭镇人民政府2022年政府信息公开工作年度报告
本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。
一、总体情况
2022年，白鹭镇主动公开政府信息40条。
二、主动公开政府信息情况
| 第二十条第（一）项 | |||
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
| 规章 | 0 | 0 | 0 |
| 行政规范性文件 | 3 | 1 | 7 |
| 第二十条第（五）项 | |||
| 信息内容 | 本年处理决定数量 | ||
| 行政许可 | 12 | ||
| 第二十条第（六）项 | |||
| 信息内容 | 本年处理决定数量 | ||
| 行政处罚 | 5 | ||
| 行政强制 | 0 | ||
"""


def _label(**over):
    lab = {
        "id": "900-abcdef",
        "url": "http://example.invalid/report.html",
        "query": "invented",
        "sha256": hashlib.sha256(PAGE.encode()).hexdigest(),
        "agency": "青禾县白鹭镇人民政府",
        "agency_alt": ["白鹭镇人民政府"],
        "year": 2022,
        "template": "2021",
        "quirks": ["pipe-rows", "cut-off"],
        "cells": {
            "active.regulations.issued": 0,
            "active.regulations.repealed": 0,
            "active.regulations.in_force": 0,
            "active.normative_documents.issued": 3,
            "active.normative_documents.repealed": 1,
            "active.normative_documents.in_force": 7,
            "active.licensing.decisions": 12,
            "active.penalty.decisions": 5,
            "active.coercion.decisions": 0,
        },
    }
    lab.update(over)
    return lab


def test_same_value_keeps_blank_apart_from_zero():
    assert rw.same_value(None, None)
    assert not rw.same_value(0, None)
    assert not rw.same_value(None, 0)
    assert rw.same_value("477.35", 477.35)
    assert rw.same_value(2, 2.0)
    assert not rw.same_value(19, -19)


def test_agency_accepts_only_stated_forms_and_null_wants_nothing():
    lab = _label()
    assert rw.agency_ok(lab, "青禾县白鹭镇人民政府")
    assert rw.agency_ok(lab, " 白鹭镇人民政府 ")  # whitespace does not matter
    assert not rw.agency_ok(lab, "政府")
    assert not rw.agency_ok(lab, None)
    nameless = _label(agency=None, agency_alt=[])
    assert rw.agency_ok(nameless, None)
    assert not rw.agency_ok(nameless, "街道办事处")  # a wrong name is worse than none


def test_finding_covers_cell():
    assert rw.finding_covers({"table": "active"}, "active.fees.amount_wan_yuan")
    assert rw.finding_covers({"table": "active", "row": "fees"}, "active.fees.amount_wan_yuan")
    assert not rw.finding_covers({"table": "active", "row": "penalty"}, "active.fees.amount_wan_yuan")
    assert rw.finding_covers({"table": "requests", "row": "granted", "columns": ["total"]}, "requests.granted.total")
    assert not rw.finding_covers({"table": "requests", "column": "commercial"}, "requests.granted.total")
    assert not rw.finding_covers({"section": 3}, "requests.granted.total")


def test_score_one_counts_right_and_wrong_cells():
    good = rw.score_one(_label(), PAGE.encode())
    assert good.error is None and good.sha_ok
    assert (good.visible, good.right) == (9, 9)
    assert good.year_ok and good.agency_ok and good.fully_right
    # a label that disagrees on one cell: exactly that cell is reported wrong
    lab = _label()
    lab["cells"] = dict(lab["cells"], **{"active.licensing.decisions": 13})
    bad = rw.score_one(lab, PAGE.encode())
    assert bad.right == 8 and [w.cell for w in bad.wrong] == ["active.licensing.decisions"]
    assert bad.wrong[0].expected == 13 and bad.wrong[0].got == 12
    assert not bad.fully_right
    # a changed page text is reported through the sha256
    assert not rw.score_one(_label(), PAGE.encode() + b"\n").sha_ok


def test_summary_and_quirk_counts():
    lab2 = _label(id="901-000000", quirks=["pipe-rows"], year=2021)
    scores = [rw.score_one(_label(), PAGE.encode()), rw.score_one(lab2, PAGE.encode())]
    s = rw.summarize(scores)
    assert s["documents"] == 2 and s["cells_visible"] == 18 and s["cells_right"] == 18
    assert s["documents_fully_right"] == 1 and s["year_right"] == 1
    assert s["quirks"]["pipe-rows"]["documents"] == 2 and s["quirks"]["pipe-rows"]["fully_right"] == 1
    assert s["quirks"]["cut-off"]["documents"] == 1


def test_main_json_and_missing_folder(tmp_path, capsys):
    pages, labels = tmp_path / "pages", tmp_path / "labels"
    pages.mkdir()
    labels.mkdir()
    (pages / "900-abcdef.txt").write_text(PAGE, encoding="utf-8")
    (labels / "900-abcdef.yaml").write_text(yaml.safe_dump(_label(), allow_unicode=True), encoding="utf-8")
    assert rw.main(["--pages", str(pages), "--labels", str(labels), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["cells_right_pct"] == 100.0
    assert out["documents"][0]["id"] == "900-abcdef"
    assert rw.main(["--pages", str(tmp_path / "nope"), "--labels", str(labels)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope" in err


@pytest.mark.parametrize("only,count", [("900", 1), ("999", 0)])
def test_only_filters(tmp_path, capsys, only, count):
    pages, labels = tmp_path / "pages", tmp_path / "labels"
    pages.mkdir()
    labels.mkdir()
    (pages / "900-abcdef.txt").write_text(PAGE, encoding="utf-8")
    (labels / "900-abcdef.yaml").write_text(yaml.safe_dump(_label(), allow_unicode=True), encoding="utf-8")
    rw.main(["--pages", str(pages), "--labels", str(labels), "--json", "--only", only])
    assert json.loads(capsys.readouterr().out)["summary"]["documents"] == count


def test_stats_count_the_labels_without_parsing():
    labs = [
        _label(level="township", province="湖南", traditional=False),
        _label(id="901-000000", template="2019", level="ministry", province="中央", traditional=True,
               quirks=["traditional"], cells={"active.fees.previous_items": None}),
    ]
    st = rw.study_stats(labs)
    assert st["documents"] == 2 and st["cells"] == 10 and st["blank_cells"] == 1
    assert st["template"] == {"2021": 1, "2019": 1}
    assert st["level"] == {"township": 1, "ministry": 1}
    assert st["traditional"] == {"False": 1, "True": 1}
    assert st["quirks"]["traditional"] == 1 and st["quirks"]["pipe-rows"] == 1


def test_agency_finding_detection():
    assert rw.is_agency_finding("AGENCY_MISSING", {})
    assert rw.is_agency_finding("META_UNSURE", {"field": "agency"})
    assert not rw.is_agency_finding("BLANK_CELL", {"table": "active", "row": "fees"})
    nameless = rw.score_one(_label(agency="某某县某某镇人民政府", agency_alt=[]), PAGE.encode())
    assert not nameless.agency_ok and nameless.to_json()["agency"]["flagged"] is False
    s = rw.summarize([nameless])
    assert s["agency_wrong_without_finding"] == 1
