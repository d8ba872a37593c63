"""Concurrent ingests and a killed ingest, with real processes, on SQLite and PostgreSQL
(issue 13): two ingests at once agree with one, whether or not the database existed; the
workers of an ingest killed with -9 do not outlive it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa

from xxgk.store import open_store
from xxgk.store.ingest import ingest

from .conftest import write_synth
from .test_ingest import CLI, _count, assert_consistent


def _corpus_findings(store) -> list[tuple]:
    sha = {s.id: s.sha256 for s in store.reports()}
    return sorted((sha[f.report_id], f.code, f.message) for f in store.findings(scope="corpus"))


def _unpaired_series(folder: Path, agencies: int, years: int) -> int:
    """Reports of consecutive years whose numbers do not carry over: cross-year findings."""
    import random

    from xxgk import template as T
    from xxgk.synth import random_report
    from xxgk.synth.layouts import write
    from xxgk.synth.series import distinct_agencies

    folder.mkdir(parents=True)
    names = distinct_agencies(random.Random(31))[:agencies]
    n = 0
    for i, name in enumerate(names):
        for y in range(2021, 2021 + years):
            rng = random.Random(i * 100 + y)
            (folder / f"r{i:03d}-{y}.txt").write_text(write(random_report(rng, T.for_year(y).id, y, name), "tsv", rng),
                                                     encoding="utf-8")
            n += 1
    return n


def test_concurrent_ingests_agree_with_one(db_url, tmp_path):
    n = _unpaired_series(tmp_path / "in", 40, 4)
    with open_store(str(tmp_path / "ref.db")) as ref:
        ingest(ref, [tmp_path / "in"], jobs=1)
        want = _corpus_findings(ref)
    assert len(want) > 20
    # three ingests started at once on a database that does not exist yet (SQLite: no file;
    # PostgreSQL: an empty schema): they race on the first migration, on the same files and on
    # the cross-year pass
    procs = [subprocess.Popen(CLI + ["ingest", str(tmp_path / "in"), "--db", db_url, "--jobs", "2", "--json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err.decode()[-2000:]
    with open_store(db_url) as store:
        assert_consistent(store, n)
        assert store.failures() == []  # no stored file also recorded as failed
        assert _corpus_findings(store) == want
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM reports WHERE cross_pending")).scalar() == 0


def _session_members(sid: int) -> list[tuple[int, str]]:
    """(pid, command) of the live processes of session `sid`."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            state, session = fields[0], int(fields[3])
            if session == sid and state != "Z":
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                out.append((int(d.name), cmd[:120]))
        except (OSError, ValueError):
            continue
    return out


def test_workers_exit_when_the_ingest_is_killed(db_url, tmp_path):
    write_synth(tmp_path / "in", 1500, seed=78, agencies=300)
    open_store(db_url).close()
    proc = subprocess.Popen(CLI + ["ingest", str(tmp_path / "in"), "--db", db_url, "--jobs", "2", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _count(db_url) == 0 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the ingest finished before it could be killed"
        children = [p for p, _ in _session_members(proc.pid) if p != proc.pid]
        assert len(children) >= 3  # forkserver, two workers (and the resource tracker)
        os.kill(proc.pid, signal.SIGKILL)  # the ingest alone, not its process group
        proc.wait(10)
        deadline = time.monotonic() + 5
        while _session_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session_members(proc.pid) == []
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


OWNER = """
import os, sys, time
from xxgk.store.ingest import _Run
run = _Run.__new__(_Run)
run.jobs = 2
run.engine = None  # the local process pool (not --engine ray)
pool = run.new_pool()  # the ingest's own pool: forkserver, initializer
futures = [pool.submit(time.sleep, 600) for _ in range(2)]  # both workers busy, as on a slow file
time.sleep(1.5)
print("ready", flush=True)
time.sleep(600)
"""


def test_busy_workers_exit_when_their_owner_is_killed():
    """A worker in the middle of a long task (a slow file) must not finish it after its owner
    died: without the guard it would run on for the whole task."""
    import sys

    proc = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        members = _session_members(proc.pid)
        assert len(members) >= 4, members  # owner, forkserver, two workers (and the resource tracker)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 5
        while _session_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session_members(proc.pid) == []
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
