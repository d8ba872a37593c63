"""The command-line contract of the spec: parse JSON shape, check exit statuses, rules listing."""

import json

from typer.testing import CliRunner

from xxgk import template as T
from xxgk.cli import app
from xxgk.synth import random_report
from xxgk.synth.layouts import write

from .conftest import seed_path

runner = CliRunner()


def test_parse_prints_the_canonical_object_with_every_id():
    r = runner.invoke(app, ["parse", str(seed_path("000"))])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["schema"] == "xxgk.report/1"
    assert set(out) >= {"schema", "source", "template", "meta", "active", "requests", "appeals", "findings"}
    assert set(out["meta"]) >= {"agency", "year", "title"}
    tpl = T.get(out["template"])
    for table in tpl.tables:
        assert set(out[table.key]) == {r.id for r in table.rows}
        for row in table.rows:
            assert set(out[table.key][row.id]) == set(row.columns)
    for f in out["findings"]:
        assert set(f) == {"code", "severity", "message", "where"}
    prov = out["provenance"]["requests.new_received.total"]
    assert prov["line"] == 61 and prov["raw"] == "0" and prov["status"] == "read"


def test_parse_2019_template_has_its_own_ids(tmp_path):
    p = tmp_path / "r2019.txt"
    p.write_text(write(random_report(11, "2019"), "tsv", 11), encoding="utf-8")
    out = json.loads(runner.invoke(app, ["parse", str(p)]).stdout)
    assert out["template"] == "2019"
    assert "other" in out["requests"] and "other_other" not in out["requests"]
    assert set(out["active"]["procurement"]) == {"projects", "amount_yuan"}


def test_check_exit_status_reflects_errors(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(write(random_report(5, "2021"), "tsv", 5), encoding="utf-8")
    r = runner.invoke(app, ["check", str(good)])
    assert r.exit_code == 0, r.output
    bad = tmp_path / "bad.txt"
    rep = random_report(5, "2021")
    rep.values["requests"]["granted"]["total"] += 1  # breaks two identities
    bad.write_text(write(rep, "tsv", 5), encoding="utf-8")
    r = runner.invoke(app, ["check", str(bad)])
    assert r.exit_code == 1
    assert "T3_ROW_SUM" in r.stdout and "T3_RESULT_SUM" in r.stdout
    r = runner.invoke(app, ["check", "--ignore", "T3_", str(bad)])
    assert r.exit_code == 0
    r = runner.invoke(app, ["check", "--select", "T3_ROW_SUM", "--json", str(bad)])
    codes = {f["code"] for f in json.loads(r.stdout)["findings"]}
    assert codes == {"T3_ROW_SUM"}


def test_check_text_verdict_names_agency_year_template(seeds_dir):
    r = runner.invoke(app, ["check", str(seed_path("002"))])
    assert r.exit_code == 0
    first = r.stdout.splitlines()[0]
    assert "一平垣乡" in first and "2023年度" in first and "2021年模板" in first
    assert "FEE_NOT_STATED" in r.stdout and "BLANK_CELL" in r.stdout


def test_rules_lists_every_registered_code():
    from xxgk.checks import RULES

    r = runner.invoke(app, ["rules", "--json"])
    listed = {x["code"] for x in json.loads(r.stdout)}
    assert listed == set(RULES)
    spec_codes = {
        "NOT_A_REPORT", "MISSING_SECTION", "MISSING_TABLE", "BLANK_CELL", "T3_BALANCE", "T3_RESULT_SUM",
        "T3_ROW_SUM", "T4_SUM", "NEGATIVE_VALUE", "OUTDATED_TEMPLATE", "YEAR_MISMATCH", "NARRATIVE_SUM",
        "NARRATIVE_TABLE_MISMATCH", "CARRY_OVER_MISMATCH", "FEE_NOT_STATED", "IN_FORCE_DISCONTINUITY",
    }
    missing = spec_codes - listed
    assert missing <= {"NARRATIVE_SUM", "NARRATIVE_TABLE_MISMATCH"}  # narrative rules: issue 3


def test_unknown_rule_code_is_a_clear_error():
    r = runner.invoke(app, ["check", "--select", "NO_SUCH_RULE", "x.txt"])
    assert r.exit_code == 2 and "NO_SUCH_RULE" in r.stderr


def test_check_reads_the_members_of_a_zip_batch(tmp_path):
    import zipfile

    good = write(random_report(5), "tsv", 5).encode("utf-8")
    broken = random_report(6)
    broken.values["requests"]["granted"]["total"] += 1
    bad = write(broken, "tsv", 6).encode("gb18030")  # a GBK member, as Chinese Windows zips them
    archive = tmp_path / "下级报告.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("一/好.txt", good)
        zf.writestr("二/坏.txt", bad)
        zf.writestr("二/乱码.bin", b"\x00\x01\x02" * 50)
    r = runner.invoke(app, ["check", "--json", str(archive)])
    assert r.exit_code == 2  # one member cannot be read; the others are still checked
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["source"]["path"] for o in out] == [f"{archive}!/一/好.txt", f"{archive}!/二/坏.txt"]
    assert [o["source"]["name"] for o in out] == ["好.txt", "坏.txt"]
    assert [[f["code"] for f in o["findings"] if f["severity"] == "error"] for o in out] == [[], ["T3_RESULT_SUM", "T3_ROW_SUM"]]
    assert "乱码.bin" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_check_in_parallel_gives_the_serial_verdicts_in_the_same_order(tmp_path):
    import zipfile

    for i in range(5):
        rep = random_report(20 + i)
        if i == 2:
            rep.values["appeals"]["reconsideration"]["total"] += 1
        (tmp_path / f"r{i}.txt").write_text(write(rep, "tsv", i), encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    with zipfile.ZipFile(tmp_path / "batch.zip", "w") as zf:
        zf.writestr("inner.txt", write(random_report(30), "pipe", 1).encode("utf-8"))
    serial = runner.invoke(app, ["check", "--json", "-j", "1", str(tmp_path)])
    parallel = runner.invoke(app, ["check", "--json", "-j", "2", str(tmp_path)])
    assert serial.exit_code == parallel.exit_code == 2
    assert parallel.stdout == serial.stdout
    assert [json.loads(line)["source"]["name"] for line in parallel.stdout.splitlines()] == [
        "inner.txt", "r0.txt", "r1.txt", "r2.txt", "r3.txt", "r4.txt"]
    assert parallel.stderr == serial.stderr and "empty.txt" in parallel.stderr
