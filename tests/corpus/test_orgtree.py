"""The org tree in the corpus: `xxgk org load`, the consolidated comparison run by ingest for every
parent and year, `findings`, and the desk's agency page."""

from __future__ import annotations

import copy
import json
import random

import pytest
from typer.testing import CliRunner

from xxgk.cli import app
from xxgk.consolidate import consolidate
from xxgk.orgtree import TreeError, parse_tree
from xxgk.render import from_mapping, render
from xxgk.report import from_json
from xxgk.synth import random_report

CHILDREN = ("西山县云岭镇人民政府", "西山县石门镇人民政府", "西山县教育局")
PARENT = "西山县人民政府"


def _data(seed, name, year):
    r = random_report(random.Random(seed), "2021", year, name, zero_share=0.3)
    return {"template": "2021", "meta": {"agency": name, "year": year}, **r.canonical(), "sections": r.sections}


def _write(folder, datas, parent_change=None, parent_name=PARENT):
    folder.mkdir(parents=True, exist_ok=True)
    for d in datas:
        (folder / f"{d['meta']['agency']}-{d['meta']['year']}.txt").write_bytes(render(from_mapping(d), "txt"))
    cons = consolidate([from_json(d) for d in datas])
    parent = {"template": "2021", "meta": {"agency": parent_name, "year": datas[0]["meta"]["year"]}, **cons.canonical()}
    if parent_change:
        parent_change(parent)
    (folder / f"{parent_name}-{parent['meta']['year']}.txt").write_bytes(render(from_mapping(parent), "txt"))
    return cons


def _tree(tmp_path, names=CHILDREN, parent="西山县政府"):
    p = tmp_path / "tree.csv"
    # the parent written without 人民 (matched like the cross-year rules match names)
    p.write_text("parent,child\n" + "".join(f"{parent},{c}\n" for c in names), encoding="utf-8")
    return p


def _findings(db):
    res = CliRunner().invoke(app, ["findings", "--db", db, "--code", "CONSOLIDATED_MISMATCH,CONSOLIDATED_INCOMPLETE", "--json"])
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]


def test_parent_equal_to_the_sum_then_one_changed_cell(db_url, tmp_path):
    runner = CliRunner()
    d24 = [_data(70 + i, n, 2024) for i, n in enumerate(CHILDREN)]
    _write(tmp_path / "r24", d24)
    assert runner.invoke(app, ["ingest", str(tmp_path / "r24"), "--db", db_url, "-q", "-j", "1"]).exit_code == 0
    res = runner.invoke(app, ["org", "load", str(_tree(tmp_path)), "--db", db_url])
    assert res.exit_code == 0, res.output
    assert "已载入 3 条组织关系" in res.output
    assert _findings(db_url) == []

    # a second year, loaded after the tree: ingest runs the comparison; one cell changed
    cell = ("requests", "carried_forward", "total")
    d25 = [_data(80 + i, n, 2025) for i, n in enumerate(CHILDREN)]

    def change(p):
        p["requests"]["withheld_state_secret"]["research"] += 4  # a cell the parent's own checks do not tie
    cons = _write(tmp_path / "r25", d25, change)
    assert runner.invoke(app, ["ingest", str(tmp_path / "r25"), "--db", db_url, "-q", "-j", "1"]).exit_code == 0
    found = _findings(db_url)
    mism = [f for f in found if f["code"] == "CONSOLIDATED_MISMATCH"]
    # the changed cell, and the totals it feeds in the parent (row total, result total, balance)
    changed = [f for f in mism if (f["where"]["row"], f["where"]["column"]) == ("withheld_state_secret", "research")]
    assert len(changed) == 1
    f = changed[0]
    total = cons.values[("requests", "withheld_state_secret", "research")]
    assert f["where"]["parent"] == total + 4 and f["where"]["sum"] == total
    assert {p["agency"]: p["value"] for p in f["where"]["parts"]} == \
        {d["meta"]["agency"]: d["requests"]["withheld_state_secret"]["research"] for d in d25}
    assert f["year"] == 2025 and f["agency"] == PARENT and f["scope"] == "corpus"
    assert cell not in {(m["where"]["table"], m["where"]["row"], m["where"]["column"]) for m in mism}
    assert all(m["year"] == 2025 for m in found)  # 2024 still equal


def test_exactly_one_mismatch_for_one_table2_cell(store, tmp_path):
    from xxgk.store.ingest import ingest

    datas = [_data(90 + i, n, 2024) for i, n in enumerate(CHILDREN)]

    def change(p):
        p["active"]["licensing"]["decisions"] += 1
    cons = _write(tmp_path / "r", datas, change)
    ingest(store, [tmp_path / "r"], jobs=1)
    from xxgk.orgtree import read_tree

    store.load_tree(read_tree(_tree(tmp_path)))
    assert store.update_consolidated() == 1
    found = store.findings(code="CONSOLIDATED_MISMATCH")
    assert len(found) == 1
    f = found[0]
    assert (f.where["table"], f.where["row"], f.where["column"]) == ("active", "licensing", "decisions")
    total = cons.values[("active", "licensing", "decisions")]
    assert (f.where["parent"], f.where["sum"]) == (total + 1, total)
    parent = store.reports(agency=PARENT)[0]
    assert parent.n_warnings >= 1 and f.report_id == parent.id
    # fixed tree → recomputed; reviews attach to the stable key
    store.review(f.key, "confirmed")
    store.update_cross_year()
    again = store.findings(code="CONSOLIDATED_MISMATCH")
    assert [x.key for x in again] == [f.key] and again[0].review.status == "confirmed"
    # the desk's agency page: children, their sums and the parent's values
    view = store.consolidation(PARENT)
    assert sorted(c["name"] for c in view[0]["children"]) == sorted(CHILDREN)
    assert all(c["id"] for c in view[0]["children"])
    differs = [r for r in view[0]["rows"] if r["differs"]]
    assert len(differs) == 1 and (differs[0]["sum"], differs[0]["parent"]) == (total, total + 1)
    assert store.history(PARENT).findings == []  # not a cross-year finding
    # the key does not depend on where the subordinate files lay
    from xxgk.store.rows import finding_keys

    moved = [dict(p, source="elsewhere/" + str(p["source"])) for p in f.where["parts"]]
    sha = store.reports(agency=PARENT)[0].sha256
    assert finding_keys(sha, [(f.code, dict(f.where, parts=moved))]) == [f.key]
    assert view[0]["mismatches"] == 1


def test_missing_child_report_is_incomplete_not_a_mismatch(store, tmp_path):
    from xxgk.store.ingest import ingest

    datas = [_data(95 + i, n, 2024) for i, n in enumerate(CHILDREN)]
    _write(tmp_path / "r", datas)
    (tmp_path / "r" / f"{CHILDREN[2]}-2024.txt").unlink()
    ingest(store, [tmp_path / "r"], jobs=1)
    from xxgk.orgtree import read_tree

    store.load_tree(read_tree(_tree(tmp_path)))
    store.update_consolidated()
    assert store.findings(code="CONSOLIDATED_MISMATCH") == []
    inc = store.findings(code="CONSOLIDATED_INCOMPLETE")
    assert len(inc) == 1 and CHILDREN[2] in inc[0].message and inc[0].severity == "info"
    assert store.tree_unmatched() == [CHILDREN[2]]


def test_tree_csv_errors():
    assert parse_tree("上级,下级\n某县,某镇\n某县,某镇\n") == [("某县", "某镇")]
    with pytest.raises(TreeError) as exc:
        parse_tree("a,b\n1,2\n")
    assert "parent" in exc.value.problems[0]
    with pytest.raises(TreeError) as exc:
        parse_tree("parent,child\n某县,\n某县人民政府,某县\n")
    assert len(exc.value.problems) == 2 and "第2行" in exc.value.problems[0] and "第3行" in exc.value.problems[1]


def test_org_load_bad_file_is_one_line(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(b"\xff\xfe\x00garbage")
    res = CliRunner().invoke(app, ["org", "load", str(p), "--db", str(tmp_path / "x.db")])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_desk_agency_page_shows_children_and_sums(tmp_path):
    from tests.web_support import Desk, need

    need("fastapi", "httpx")
    desk = Desk(tmp_path / "d.db")
    try:
        from xxgk.orgtree import read_tree
        from xxgk.store.ingest import ingest

        datas = [_data(99 + i, n, 2024) for i, n in enumerate(CHILDREN)]
        _write(tmp_path / "r", datas, lambda p: p["appeals"]["reconsideration"].update(
            upheld=p["appeals"]["reconsideration"]["upheld"] + 1, total=p["appeals"]["reconsideration"]["total"] + 1))
        ingest(desk.store, [tmp_path / "r"], jobs=1)
        desk.store.load_tree(read_tree(_tree(tmp_path)))
        desk.store.update_consolidated()
        page = desk.client.get("/agency", params={"name": PARENT}).text
        assert "汇总核对" in page and "2个单元格不一致" in page
        for c in CHILDREN:
            assert c in page
        up = sum(d["appeals"]["reconsideration"]["upheld"] for d in datas)
        assert f'<td>表四「行政复议」结果维持</td><td class="num">{up + 1}</td><td class="num">{up}</td>' in page
        child = desk.client.get("/agency", params={"name": CHILDREN[0]}).text
        assert '汇总于：<a href="/agency?name=' in child and "西山县政府</a>" in child
    finally:
        desk.close()


def test_blank_child_cell_is_not_compared_and_said_so(store, tmp_path):
    from xxgk.orgtree import read_tree
    from xxgk.store.ingest import ingest

    datas = [_data(130 + i, n, 2024) for i, n in enumerate(CHILDREN)]
    _write(tmp_path / "r", datas)
    blanked = copy.deepcopy(datas[1])
    blanked["active"]["penalty"]["decisions"] = None
    (tmp_path / "r" / f"{CHILDREN[1]}-2024.txt").write_bytes(render(from_mapping(blanked), "txt"))
    ingest(store, [tmp_path / "r"], jobs=1)
    store.load_tree(read_tree(_tree(tmp_path)))
    store.update_consolidated()
    assert store.findings(code="CONSOLIDATED_MISMATCH") == []
    inc = store.findings(code="CONSOLIDATED_INCOMPLETE")
    assert len(inc) == 1 and CHILDREN[1] in inc[0].message and inc[0].where["cells"] == ["active.penalty.decisions"]
    assert store.consolidation(PARENT)[0]["mismatches"] == 0
