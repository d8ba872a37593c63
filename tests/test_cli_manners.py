"""Command-line manners (issue 14, items 4-9): --version, help texts, bad arguments and filter
values as one Chinese line with exit status 2, read commands that refuse a missing database, the
PostgreSQL driver hint."""

import re
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from xxgk import __version__
from xxgk.cli import app

runner = CliRunner()


def _commands():
    group = typer.main.get_command(app)
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            for sub, subcmd in cmd.commands.items():
                yield [name, sub], subcmd
        yield [name], cmd


def test_version():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.strip() == f"xxgk {__version__}"


def _flat(text: str) -> str:
    return re.sub(r"[\s│╭╮╰╯─]+", "", text)


def _all_texts(args):
    cmd = typer.main.get_command(app)
    for a in args:
        cmd = cmd.commands[a]
    yield cmd
    yield from cmd.params
    yield from getattr(cmd, "commands", {}).values()


@pytest.mark.parametrize("args", [[], *[a for a, _ in _commands()]], ids=lambda a: " ".join(a) or "xxgk")
def test_help_has_no_type_tags_and_cuts_nothing(args):
    # piped (not a terminal), 80 columns: what `xxgk … --help > help.txt` writes
    r = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    for tag in ("<bool>", "<str>", "<int>", "<float>", "<list[", "<path>", "<Path>"):
        assert tag not in r.stdout, (tag, r.stdout)
    usage = next(line for line in r.stdout.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage, usage
    flat = _flat(r.stdout)
    assert flat.count("…") == sum(_flat(p.help or "").count("…") for p in _all_texts(args))  # none added
    group = typer.main.get_command(app)
    cmd = group
    for a in args:
        cmd = cmd.commands[a]
    for p in cmd.params:  # every option's whole description is shown
        if getattr(p, "help", None):
            assert _flat(p.help) in flat, p.help
    for sub in getattr(cmd, "commands", {}).values():  # every command's whole first paragraph
        first = (sub.help or "").split("\n\n")[0]
        assert _flat(first) in flat, first


def test_rules_piped_cut_nothing():
    from xxgk.checks import iter_codes

    out = subprocess.run([sys.executable, "-m", "xxgk.cli.__main__", "rules"], capture_output=True, text=True,
                         timeout=120, env={"COLUMNS": "80", "PATH": "/usr/bin:/bin"}).stdout
    for r in iter_codes():
        assert r.description in out, r.code


ONE_LINE_EXIT_2 = [
    (["stats", "--year", "abc"], "--year"),
    (["export", "-o", "x.csv", "--year", "abc"], "--year"),
    (["findings", "--year", "abc"], "--year"),
    (["findings", "--review", "bogus"], "confirmed / dismissed / reviewed / unreviewed"),
    (["findings", "--severity", "fatal"], "error / warning / info"),
    (["findings", "--scope", "bogus"], "report / corpus"),
    (["findings", "--limit", "-1"], "--limit 不能小于 0"),
    (["stats", "--level", "省"], "国务院部门 / 省级 / 地市级 / 县级 / 乡镇街道"),
    (["stats", "--year", "2024-2021"], "起始年度不能晚于结束年度"),
    (["stats", "--by", "month"], "year / level / kind"),
    (["ledger", "x.csv", "--year", "abc"], "--year 的值应为整数"),
    (["ingest", "--jobs", "0", "x"], "--jobs 不能小于 1"),
    (["parse"], "缺少参数 FILE"),
    (["stats", "--bogus"], "没有选项 --bogus"),
    (["bogus"], "没有命令“bogus”"),
    (["export", "-o", "/nonexistent-dir/x.csv"], "所在的文件夹 /nonexistent-dir 不存在"),
    (["form", "-o", "/nonexistent-dir/x.xlsx"], "所在的文件夹 /nonexistent-dir 不存在"),
    (["serve", "--port", "99999999"], "--port 不能大于 65535"),
]


def _assert_one_chinese_line(r, needle):
    assert r.exit_code == 2, r.output
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("xxgk: ") and needle in lines[0]
    assert re.search(r"[\u4e00-\u9fff]", lines[0])
    for english in ("Traceback", "Error", "Invalid value", "invalid literal", "must be one of", "No such", "Usage"):
        assert english not in r.output, r.output


@pytest.mark.parametrize("args, needle", ONE_LINE_EXIT_2, ids=lambda x: " ".join(x) if isinstance(x, list) else "")
def test_bad_argument_is_one_chinese_line(args, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _assert_one_chinese_line(runner.invoke(app, args), needle)


def test_missing_files_and_bad_yaml_name_themselves(tmp_path):
    _assert_one_chinese_line(runner.invoke(app, ["parse", str(tmp_path / "无.txt")]), "文件不存在")
    _assert_one_chinese_line(runner.invoke(app, ["render", str(tmp_path / "无.yaml"), "--to", "txt"]), "文件不存在")
    _assert_one_chinese_line(runner.invoke(app, ["ledger", str(tmp_path / "无.csv"), "--year", "2024"]), "文件不存在")
    bad = tmp_path / "2024.yaml"
    bad.write_text('{"meta": {"year": 2024,\n  bad: [\n', encoding="utf-8")  # a flow mapping cut short
    r = runner.invoke(app, ["render", str(bad), "--to", "txt"])
    _assert_one_chinese_line(r, "YAML 格式错误")
    assert "JSON" not in r.stderr.split("（")[0]


@pytest.mark.parametrize("args", [["stats"], ["findings"], ["history", "青山镇"], ["export", "-o", "x.csv"],
                                  ["failures"], ["users", "list"]])
def test_read_commands_refuse_a_database_that_does_not_exist(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "mistyped.db"
    r = runner.invoke(app, [*args, "--db", str(db)])
    _assert_one_chinese_line(r, "数据库不存在")
    assert not db.exists() and not list(tmp_path.iterdir())


def test_only_ingest_creates_a_database(tmp_path):
    from pathlib import Path

    db = tmp_path / "new.db"
    examples = Path(__file__).resolve().parents[1] / "examples"
    r = runner.invoke(app, ["ingest", "-q", str(next(examples.glob("*.txt"))), "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert db.exists()
    assert runner.invoke(app, ["stats", "--db", str(db)]).exit_code == 0


def test_postgresql_without_psycopg_gives_the_extra_hint(tmp_path):
    # a fresh interpreter where `import psycopg` fails, as after a plain `pip install .`
    code = ("import sys; sys.modules['psycopg'] = None; sys.argv = ['xxgk', 'stats', '--db', "
            "'postgresql://127.0.0.1/test']; from xxgk.cli import main; main()")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'xxgk[store]'" in lines[0] and "Traceback" not in r.stderr
