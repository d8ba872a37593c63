"""`xxgk sum`: the consolidated report as the cell-by-cell sum of subordinate reports, and its
comparison with a published consolidated report (CONSOLIDATED_MISMATCH)."""

from __future__ import annotations

import copy
import random

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from xxgk import checks
from xxgk import template as T
from xxgk.cli import app
from xxgk.consolidate import MixedBatch, cells, compare_report, consolidate
from xxgk.pipeline import parse_bytes
from xxgk.render import from_mapping, render
from xxgk.render.data import load as load_data
from xxgk.report import from_json
from xxgk.synth import random_report

NAMES = ("西山县云岭镇人民政府", "西山县石门镇人民政府", "西山县教育局", "西山县卫生健康局")
ACCOUNTING = {"T3_BALANCE", "T3_RESULT_SUM", "T3_ROW_SUM", "T4_SUM", "NEGATIVE_VALUE", "NON_INTEGER"}


def _data(seed: int, name: str, year: int = 2024, template: str = "2021", zero_share: float = 0.3) -> dict:
    r = random_report(random.Random(seed), template, year, name, zero_share=zero_share)
    return {"template": template, "meta": {"agency": name, "year": year}, **r.canonical(), "sections": r.sections}


def _text(data: dict, fmt: str = "txt") -> bytes:
    return render(from_mapping(data), fmt)


def _parsed(data: dict, fmt: str = "txt", name: str | None = None):
    return parse_bytes(_text(data, fmt), name or f"{data['meta']['agency']}.{fmt}")


def _value(data: dict, cell):
    return data[cell[0]][cell[1]][cell[2]]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seeds=st.lists(st.integers(0, 10**6), min_size=1, max_size=6), template=st.sampled_from(sorted(T.TEMPLATES)),
       zero_share=st.floats(0, 0.9))
def test_sum_of_consistent_reports_is_consistent(seeds, template, zero_share):
    year = 2024 if template == "2021" else 2020
    datas = [_data(s, f"{NAMES[i % 4]}{i}", year, template, zero_share) for i, s in enumerate(seeds)]
    reports = [from_json(d) for d in datas]
    for r in reports:  # generated reports hold every identity
        assert not {f.code for f in checks.run(r)} & ACCOUNTING
    cons = consolidate(reports)
    assert not cons.findings
    for cell in cells(template):  # the sum, cell by cell
        assert cons.values[cell] == sum(_value(d, cell) for d in datas)
    summed = from_json({"template": template, "meta": {"year": year}, **cons.canonical()})
    summed.found_tables = set(T.TABLE_KEYS)
    assert not {f.code for f in checks.run(summed)} & ACCOUNTING


def test_parent_equal_to_the_sum_gives_no_finding_and_one_changed_cell_gives_one_mismatch():
    datas = [_data(10 + i, n) for i, n in enumerate(NAMES[:3])]
    subs = [_parsed(d) for d in datas]
    cons = consolidate(subs)
    parent_data = {"template": "2021", "meta": {"agency": "西山县人民政府", "year": 2024}, **cons.canonical()}
    parent = _parsed(parent_data, name="西山县人民政府.txt")
    assert compare_report(parent, cons) == []

    cell = ("requests", "granted", "natural_person")
    changed = copy.deepcopy(parent_data)
    changed["requests"]["granted"]["natural_person"] += 2
    bad_parent = parse_bytes(_text(changed), "西山县人民政府.txt")
    found = compare_report(bad_parent, cons)
    assert [f.code for f in found] == ["CONSOLIDATED_MISMATCH"]
    f = found[0]
    total = sum(_value(d, cell) for d in datas)
    assert (f.where["table"], f.where["row"], f.where["column"]) == cell
    assert f.where["parent"] == total + 2 and f.where["sum"] == total
    assert [p["value"] for p in f.where["parts"]] == [_value(d, cell) for d in datas]
    assert [p["agency"] for p in f.where["parts"]] == list(NAMES[:3])
    assert f"汇总报告为{total + 2}，下级报告合计为{total}" in f.message
    for d, name in zip(datas, NAMES):
        assert f"{name} {_value(d, cell)}" in f.message


def test_blank_cell_makes_the_sum_blank_with_a_finding_naming_the_report():
    datas = [_data(20 + i, n) for i, n in enumerate(NAMES[:3])]
    datas[1]["active"]["regulations"]["in_force"] = None
    cons = consolidate([from_json(d) for d in datas])
    assert cons.values[("active", "regulations", "in_force")] is None
    assert cons.values[("active", "regulations", "issued")] == sum(d["active"]["regulations"]["issued"] for d in datas)
    assert [f.code for f in cons.findings] == ["SUM_BLANK"]
    f = cons.findings[0]
    assert f.where["cells"] == ["active.regulations.in_force"]
    assert [r["agency"] for r in f.where["reports"]] == [NAMES[1]]
    assert NAMES[1] in f.message and NAMES[0] not in f.message


def test_mixed_years_and_versions_are_refused_naming_the_odd_ones():
    datas = [_data(30, NAMES[0]), _data(31, NAMES[1]), _data(32, NAMES[2], year=2023)]
    with pytest.raises(MixedBatch) as exc:
        consolidate([from_json(d) for d in datas])
    assert len(exc.value.problems) == 1
    assert NAMES[2] in exc.value.problems[0] and "2023" in exc.value.problems[0]
    assert NAMES[0] not in exc.value.problems[0]
    datas = [_data(30, NAMES[0], 2020, "2019"), _data(31, NAMES[1], 2020, "2021"), _data(32, NAMES[2], 2020, "2019")]
    with pytest.raises(MixedBatch) as exc:
        consolidate([from_json(d) for d in datas])
    assert NAMES[1] in exc.value.problems[0] and "2021年模板" in exc.value.problems[0]


@pytest.mark.parametrize("fmt,template", [("txt", "2021"), ("html", "2021"), ("docx", "2021"), ("md", "2021"),
                                          ("txt", "2019"), ("docx", "2019")])
def test_sum_render_parse_gives_the_sums(tmp_path, fmt, template):
    year = 2024 if template == "2021" else 2020
    datas = [_data(40 + i, n, year, template) for i, n in enumerate(NAMES)]
    for d in datas:
        (tmp_path / f"{d['meta']['agency']}.txt").write_bytes(_text(d))
    out = tmp_path / "汇总.yaml"
    res = CliRunner().invoke(app, ["sum", str(tmp_path), "-o", str(out), "--agency", "西山县人民政府"])
    assert res.exit_code == 0, res.output
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert [p["agency"] for p in data["consolidated_from"]] == sorted(NAMES, key=lambda n: f"{n}.txt")
    rd = load_data(out)
    assert rd.agency == "西山县人民政府" and rd.year == year and rd.template == template
    back = parse_bytes(render(rd, fmt), f"汇总.{fmt}")
    assert not back.has_errors, [f.message for f in back.findings]
    assert back.template == template
    got = back.to_json()
    for cell in cells(template):
        assert got[cell[0]][cell[1]][cell[2]] == sum(_value(d, cell) for d in datas), cell


def test_cli_against(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    datas = [_data(50 + i, n) for i, n in enumerate(NAMES[:3])]
    for d in datas:
        (subs / f"{d['meta']['agency']}.txt").write_bytes(_text(d))
    cons = consolidate([from_json(d) for d in datas])
    parent = {"template": "2021", "meta": {"agency": "西山县人民政府", "year": 2024}, **cons.canonical()}
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_bytes(_text(parent))
    parent["appeals"]["reconsideration"]["upheld"] += 1
    parent["appeals"]["reconsideration"]["total"] += 1
    bad.write_bytes(_text(parent))
    runner = CliRunner()
    ok = runner.invoke(app, ["sum", str(subs), "--against", str(good), "--json"])
    assert ok.exit_code == 0, ok.output
    diff = runner.invoke(app, ["sum", str(subs), "--against", str(bad), "--json"])
    assert diff.exit_code == 1
    import json

    out = json.loads(diff.stdout.strip().splitlines()[-1])
    cells_ = sorted((m["where"]["row"], m["where"]["column"]) for m in out["mismatches"])
    assert cells_ == [("reconsideration", "total"), ("reconsideration", "upheld")]
    # the parent inside the batch is not counted in the sum
    (subs / "parent.txt").write_bytes(good.read_bytes())
    ok2 = runner.invoke(app, ["sum", str(subs), "--against", str(subs / "parent.txt"), "--json"])
    assert ok2.exit_code == 0, ok2.output


def test_cli_refuses_mixed_batch_and_unreadable(tmp_path):
    (tmp_path / "a.txt").write_bytes(_text(_data(60, NAMES[0])))
    (tmp_path / "b.txt").write_bytes(_text(_data(61, NAMES[1], year=2023)))
    res = CliRunner().invoke(app, ["sum", str(tmp_path), "-o", str(tmp_path / "x.yaml")])
    assert res.exit_code == 2
    assert NAMES[1] in res.output and "Traceback" not in res.output
    assert not (tmp_path / "x.yaml").exists()
    (tmp_path / "b.txt").write_bytes(b"\x00\x01garbage")
    res = CliRunner().invoke(app, ["sum", str(tmp_path), "-o", str(tmp_path / "x.yaml")])
    assert res.exit_code == 2 and "无法读取" in res.output


def test_doubtful_numbers_are_not_summed():
    datas = [_data(110 + i, n) for i, n in enumerate(NAMES[:2])]
    reports = [from_json(d) for d in datas]
    reports[0].tables["appeals"]["reconsideration"]["upheld"].status = "doubtful"  # low OCR confidence
    cons = consolidate(reports)
    assert cons.values[("appeals", "reconsideration", "upheld")] is None
    assert cons.values[("appeals", "reconsideration", "corrected")] is not None
    assert [f.code for f in cons.findings] == ["SUM_BLANK"] and NAMES[0] in cons.findings[0].message


def test_one_organ_twice_is_refused():
    a = from_json(_data(120, NAMES[0]))
    b = from_json(_data(121, "云岭镇"))  # the same organ, written without its county
    b.source.path = "云岭镇.html"
    c = from_json(_data(122, NAMES[1]))
    with pytest.raises(MixedBatch) as exc:
        consolidate([a, b, c])
    assert len(exc.value.problems) == 1
    assert "云岭镇.html" in exc.value.problems[0] and NAMES[1] not in exc.value.problems[0]
