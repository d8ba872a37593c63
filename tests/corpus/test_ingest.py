"""Ingest on SQLite and PostgreSQL: idempotence over the seeds plus generated reports, archives,
failures, the CLI, and a kill -9 in the middle of an ingest."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from xxgk import template as T
from xxgk.store import open_store
from xxgk.store.ingest import ingest

from .conftest import seeds_dir, write_synth

CLI = [sys.executable, "-c", "from xxgk.cli import main; main()"]


def cells_per_template() -> dict[str, int]:
    return {tid: sum(1 for t in tpl.tables for _ in t.cells()) for tid, tpl in T.TEMPLATES.items()}


def assert_consistent(store, expected_reports: int | None = None) -> None:
    """Every stored report is whole: all its cells, its findings counted; no orphan rows."""
    full = cells_per_template()
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT r.id, r.template, r.n_errors, r.n_warnings, r.n_infos, "
            "(SELECT COUNT(*) FROM cells c WHERE c.report_id = r.id), "
            "(SELECT COUNT(*) FROM findings f WHERE f.report_id = r.id AND f.severity = 'error'), "
            "(SELECT COUNT(*) FROM findings f WHERE f.report_id = r.id) "
            "FROM reports r")).all()
        orphans = conn.execute(sa.text(
            "SELECT COUNT(*) FROM cells c WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = c.report_id)")).scalar()
        dup = conn.execute(sa.text("SELECT COUNT(*) - COUNT(DISTINCT sha256) FROM reports")).scalar()
    assert orphans == 0 and dup == 0
    for rid, template, n_err, n_warn, n_info, n_cells, n_err_found, n_found in rows:
        assert n_cells == full[template], (rid, n_cells)  # synthetic reports: every cell found
        assert n_err == n_err_found and n_err + n_warn + n_info == n_found
    if expected_reports is not None:
        assert len(rows) == expected_reports


class _GbkName(zipfile.ZipInfo):
    """A member named in GBK without the UTF-8 flag, as archivers on Chinese Windows write them."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


@pytest.fixture
def corpus(tmp_path):
    """A folder with the seeds and generated reports (agencies over consecutive years)."""
    folder = tmp_path / "in"
    synth = write_synth(folder / "synth", 1000, seed=5, agencies=250)
    seeds = seeds_dir()
    n_seeds = 0
    if seeds:
        (folder / "seeds").mkdir()
        for p in sorted(seeds.glob("*.txt")):
            (folder / "seeds" / p.name).write_bytes(p.read_bytes())
            n_seeds += 1
    return folder, synth, n_seeds


def test_ingest_twice_one_row_per_report(store, corpus):
    folder, synth, n_seeds = corpus
    first = ingest(store, [folder], jobs=2)
    total = len(synth) + n_seeds
    assert (first.files, first.stored, first.failed, first.skipped) == (total, total, 0, 0)
    assert store.count() == total
    second = ingest(store, [folder], jobs=2)
    assert (second.stored, second.replaced, second.skipped, second.failed) == (0, 0, total, 0)
    assert store.count() == total
    # what was stored is what the files say, cell for cell
    by_path = {str(s.path): s.report for s in synth}
    for summary, cells in store.iter_reports():
        rep = by_path.get(summary.source_path)
        if rep is None:
            continue  # a seed
        got = {(t, r, c): v for t, r, c, v, *_ in cells}
        want = {(t, r, c): v for t, rows in rep.values.items() for r, cols in rows.items() for c, v in cols.items()}
        assert got == want, summary.source_path
        assert summary.year == rep.year and summary.template == rep.template
    # the generated agencies carry over, so no cross-year finding; each has its years side by side
    assert store.findings(scope="corpus") == []
    some = synth[0].report
    h = store.history(some.agency)
    assert [r.year for r in h.reports] == sorted(s.report.year for s in synth if s.report.agency == some.agency)


def test_ingest_in_process(db_url, tmp_path):
    """--jobs 1 parses in the ingest process itself: the same result."""
    synth = write_synth(tmp_path / "in", 40, seed=9, agencies=10)
    store = open_store(db_url)
    res = ingest(store, [tmp_path / "in"], jobs=1)
    assert res.stored == 40
    assert_consistent(store, 40)
    by_path = {str(s.path): s.report for s in synth}
    for summary, cells in store.iter_reports():
        want = by_path[summary.source_path].values
        assert {(t, r, c): v for t, r, c, v, *_ in cells} == {
            (t, r, c): v for t, rows in want.items() for r, cols in rows.items() for c, v in cols.items()}
    store.close()


def test_zip_archives_and_failures(store, tmp_path):
    synth = write_synth(tmp_path / "gen", 6, seed=3)
    folder = tmp_path / "in"
    folder.mkdir()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("内层/b.txt", synth[4].path.read_bytes())
    with zipfile.ZipFile(folder / "batch.zip", "w") as z:
        for s in synth[:3]:
            z.writestr(f"报告/{s.path.name}", s.path.read_bytes())
        z.writestr(_GbkName("gbk-名称.txt"), synth[3].path.read_bytes())
        z.writestr("inner.zip", inner.getvalue())
        z.writestr("__MACOSX/._junk", b"junk")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.bin").write_bytes(bytes(range(256)) * 40)
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / ".hidden.txt").write_text("skipped")
    res = ingest(store, [folder], jobs=2)
    assert res.stored == 5
    paths = sorted(r.source_path for r in store.reports())
    assert paths == sorted([f"{folder / 'batch.zip'}!/报告/{s.path.name}" for s in synth[:3]]
                           + [f"{folder / 'batch.zip'}!/gbk-名称.txt", f"{folder / 'batch.zip'}!/inner.zip!/内层/b.txt"])
    failed = {Path(f.path).name: f for f in store.failures()}
    assert set(failed) == {"empty.txt", "binary.bin", "broken.zip"}
    assert res.failed == 3 and all(f.message for f in failed.values())
    again = ingest(store, [folder], jobs=2)  # known failures are not retried
    assert (again.stored, again.skipped, again.known_failures, again.failed) == (0, 5, 3, 0)
    retry = ingest(store, [folder], jobs=1, retry_failed=True)
    assert retry.failed == 3


def test_the_database_file_itself_is_not_ingested(tmp_path):
    synth = write_synth(tmp_path, 3, seed=1)
    store = open_store(str(tmp_path / "xxgk.db"))
    res = ingest(store, [tmp_path], jobs=1)
    assert (res.files, res.stored, res.failed) == (3, 3, 0)
    store.close()
    del synth


def _cli(*args, cwd=None, env=None, **kw):
    return subprocess.run(CLI + list(args), capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=300, **kw)


def test_cli_ingest_stats_history_findings(db_url, tmp_path):
    synth = write_synth(tmp_path / "in", 30, seed=21, agencies=10)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    r = _cli("ingest", str(tmp_path / "in"), "--db", db_url)
    assert r.returncode == 2, r.stderr  # a file could not be read
    assert "新入库 30 个" in r.stdout and "失败 1 个" in r.stdout and "empty.txt" in r.stdout
    r = _cli("ingest", str(tmp_path / "in"), "--db", db_url, "--json")
    out = json.loads(r.stdout)
    assert (out["stored"], out["skipped"], out["known_failures"]) == (0, 30, 1)
    store = open_store(db_url)
    r = _cli("stats", "--db", db_url, "--by", "year", "--json")
    assert r.returncode == 0
    assert json.loads(json.dumps(store.stats(by="year").to_json(), default=str)) == json.loads(r.stdout)
    r = _cli("stats", "--db", db_url)
    assert r.returncode == 0 and "予以公开" in r.stdout
    agency = synth[0].report.agency
    r = _cli("history", agency, "--db", db_url)
    assert r.returncode == 0 and str(synth[0].report.year) in r.stdout
    r = _cli("history", "没有这个机关", "--db", db_url)
    assert r.returncode == 1 and "没有" in r.stdout
    r = _cli("findings", "--db", db_url, "--json", "--code", "NOT_A_REPORT,T3_BALANCE")
    assert r.returncode == 0 and r.stdout == ""  # generated reports are clean
    r = _cli("failures", "--db", db_url)
    assert "empty.txt" in r.stdout
    r = _cli("stats", "--db", db_url, "--by", "colour")
    assert r.returncode == 2
    store.close()


def test_cli_uses_xxgk_db_and_the_current_folder(tmp_path):
    write_synth(tmp_path / "in", 2, seed=2)
    r = _cli("ingest", "in", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "xxgk.db").is_file()
    r = _cli("ingest", "in", cwd=tmp_path, env={"XXGK_DB": str(tmp_path / "other.db")})
    assert (tmp_path / "other.db").is_file() and "新入库 2 个" in r.stdout


def _count(db_url) -> int:
    store = open_store(db_url, upgrade=False)
    try:
        with store.engine.connect() as conn:
            return conn.execute(sa.text("SELECT COUNT(*) FROM reports")).scalar()
    except sa.exc.SQLAlchemyError:
        return 0
    finally:
        store.close()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_ingest_leaves_whole_reports_and_the_rerun_completes(db_url, tmp_path, sig):
    n = 1200
    write_synth(tmp_path / "in", n, seed=77, agencies=300)
    open_store(db_url).close()  # create the schema before the race
    proc = subprocess.Popen(CLI + ["ingest", str(tmp_path / "in"), "--db", db_url, "--jobs", "2", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while _count(db_url) == 0 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the ingest finished before it could be interrupted"
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, signal.SIGKILL)  # the ingest and its workers, mid-batch
    else:
        os.kill(proc.pid, signal.SIGINT)  # Ctrl-C
    out, err = proc.communicate(timeout=120)
    if sig == signal.SIGINT:
        assert proc.returncode == 130, err.decode()
        assert "已中断" in out.decode()
    stored = _count(db_url)
    assert 0 < stored < n
    store = open_store(db_url)
    assert_consistent(store, stored)
    store.close()
    r = _cli("ingest", str(tmp_path / "in"), "--db", db_url, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stored"] + out["skipped"] == n and out["skipped"] == stored
    store = open_store(db_url)
    assert_consistent(store, n)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM reports WHERE cross_pending")).scalar() == 0
    store.close()
