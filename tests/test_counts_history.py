"""Files and reports are counted the same way everywhere (ingest, stats, the desk's home page),
and `history` names the columns of one year's several files (issue 14, items 11 and 12)."""

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xxgk.cli import app

from .web_support import Desk

ROOT = Path(__file__).resolve().parents[1]
RENDERED = ROOT / "examples" / "rendered"
runner = CliRunner()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """One organ: its 2024 report as text, web page and Word file, its 2023 report as text, and a
    file that is no annual report: 5 files, 2 reports."""
    d = tmp_path_factory.mktemp("counts")
    inbox = d / "inbox"
    inbox.mkdir()
    for suffix in ("txt", "html", "docx"):
        shutil.copy(RENDERED / f"西山县云岭镇人民政府-2024-2021模板.{suffix}", inbox)
    shutil.copy(RENDERED / "西山县云岭镇人民政府-2023-2021模板.txt", inbox)
    (inbox / "通知.txt").write_text("关于做好2024年政务公开工作的通知\n各单位：请按时报送。\n", encoding="utf-8")
    db = d / "c.db"
    r = runner.invoke(app, ["ingest", "-q", str(inbox), "--db", str(db)])
    return db, r


def test_ingest_says_files_and_reports(corpus):
    db, r = corpus
    assert r.exit_code == 0, r.output
    assert "共 5 个文件；新入库 5 个" in r.stdout
    assert "共 5 个文件，2 份报告（文件中 2 个是已计入报告的其他格式或重复发布，1 个不是年度报告）" in r.stdout
    assert "份报告" not in r.stdout.splitlines()[0]  # the first line counts files only


def test_stats_says_the_same_files_and_reports(corpus):
    db, _ = corpus
    r = runner.invoke(app, ["stats", "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert "共 5 个文件，2 份报告" in r.stdout
    assert re.search(r"报告（份）\s*│\s*2\s*│", r.stdout)
    r = runner.invoke(app, ["stats", "--db", str(db), "--all-versions"])
    assert "共 5 个文件，4 份报告" in r.stdout



def _desk_page(db, path: str) -> str:
    desk = Desk(db)
    try:
        return desk.page(path)
    finally:
        desk.close()

def test_desk_home_says_the_same_files_and_reports(corpus):
    pytest.importorskip("fastapi")
    db, _ = corpus
    html = _desk_page(db, "/")
    assert re.search(r'<div class="big">5</div><div>个文件在库</div>', html)
    assert re.search(r'<div class="big">2</div><div>份年度报告', html)
    assert re.search(r'<div class="big">1</div><div>个文件不是年报</div>', html)


def test_store_counts(corpus):
    from xxgk.store import open_store

    db, _ = corpus
    store = open_store(str(db), create=False)
    try:
        c = store.counts()
        assert (c.files, c.reports, c.not_reports, c.duplicates) == (5, 2, 1, 2)
        assert store.counts(year=2023).reports == 1
    finally:
        store.close()


def test_history_names_the_copies_of_one_report(corpus):
    db, _ = corpus
    r = runner.invoke(app, ["history", "云岭镇", "--db", str(db)])
    assert r.exit_code == 0, r.output
    head = r.stdout.split("┡")[0]
    for name, fmt in (("2024-2021模板.txt", "文本"), ("2024-2021模板.html", "网页"), ("2024-2021模板.docx", "Word")):
        assert re.search(rf"{fmt} #\d+", head), fmt
        assert f"西山县云岭镇人民政府-{name}" in head  # piped: wide enough for whole names
    assert head.count("计入统计") == 1
    assert not re.search(r"年#\d", head)  # no unnamed `2024年#16` columns
    assert "xxgk stats 只计入标“计入统计”的一份" in r.stdout


def test_desk_agency_page_names_the_copies_too(corpus):
    pytest.importorskip("fastapi")
    db, _ = corpus
    html = _desk_page(db, "/agency?name=云岭镇")
    head = html.split("</thead>")[0]
    for fmt, suffix in (("文本", "txt"), ("网页", "html"), ("Word", "docx")):
        assert re.search(rf"{fmt} #\d+ 西山县云岭镇人民政府-2024-2021模板\.{suffix}", head), fmt
    assert head.count("（计入统计）") == 1
