"""`xxgk ingest --engine ray` into the live PostgreSQL: a local Ray runtime stores exactly what the
local process pool stores; a Ray worker killed mid-run loses and duplicates nothing; a cluster of
three nodes simulated on this machine (ray.cluster_utils.Cluster) works the same; without Ray the
CLI gives the one-line install hint."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from xxgk.store import open_store
from xxgk.store.ingest import ingest

from .conftest import seeds_dir, write_synth

ray = pytest.importorskip("ray") if not os.environ.get("CI") else __import__("ray")

pytestmark = [pytest.mark.slow]

RAY_INIT = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}


def dump(store) -> dict[str, list[tuple]]:
    """Everything ingest decides, keyed by content — not by row ids or times."""
    with store.engine.connect() as conn:
        q = lambda sql: sorted(tuple(r) for r in conn.execute(sa.text(sql)))  # noqa: E731
        return {
            "reports": q("SELECT sha256, source_path, template, agency, agency_key, level, region, year, "
                         "is_report, found_tables, n_errors, n_warnings, n_infos FROM reports"),
            "cells": q("SELECT r.sha256, c.table_key, c.row_id, c.col_id, c.value, c.status, c.raw, c.line "
                       "FROM cells c JOIN reports r ON r.id = c.report_id"),
            "findings": q("SELECT r.sha256, f.key, f.code, f.severity, f.message, f.scope "
                          "FROM findings f JOIN reports r ON r.id = f.report_id"),
            "failures": q("SELECT path, sha256, reason FROM failures"),
        }


@pytest.fixture
def inputs(tmp_path) -> Path:
    """Generated reports of agencies over consecutive years (with one carry-over break, so the
    cross-year pass has something to find), the real seeds, and a file that cannot be read."""
    import random

    from xxgk.synth.layouts import write
    from xxgk.synth.series import next_year

    folder = tmp_path / "in"
    synth = write_synth(folder / "synth", 80, seed=11, agencies=20)
    last = max((s.report for s in synth if s.report.agency == synth[0].report.agency), key=lambda r: r.year)
    rng = random.Random(3)
    (folder / "break.txt").write_text(write(next_year(last, rng, consistent=False), "tsv", rng), encoding="utf-8")
    if seeds := seeds_dir():
        for p in sorted(seeds.glob("*.txt")):
            (folder / p.name).write_bytes(p.read_bytes())
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n this is not a pdf")
    return folder


@pytest.fixture
def pg_pair():
    """Two fresh schemas on the live PostgreSQL server (the Ray tests store into PostgreSQL only)."""
    import uuid

    from .conftest import PG_URL, _pg_engine, _pg_state

    engine = _pg_engine()
    if engine is None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_URL} is required under CI: {_pg_state['reason']}")
        pytest.skip(f"PostgreSQL at {PG_URL} not reachable: {_pg_state['reason']}")
    schemas = [f"xxgk_ray_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with engine.begin() as conn:
        for schema in schemas:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield tuple(f"{PG_URL}{sep}options=-csearch_path%3D{schema}" for schema in schemas)
    with engine.begin() as conn:
        for schema in schemas:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(scope="module")
def local_ray():
    """One local runtime for the module's tests (starting one takes 10 s here)."""
    ray.init(num_cpus=2, **RAY_INIT)
    yield
    ray.shutdown()


def _ingest(url: str, folder: Path, **kw):
    store = open_store(url)
    try:
        res = ingest(store, [folder], **kw)
        return res, dump(store)
    finally:
        store.close()


def test_ray_stores_exactly_what_the_local_engine_stores(pg_pair, inputs, local_ray):
    local_url, ray_url = pg_pair
    res_local, want = _ingest(local_url, inputs, jobs=2)
    res_ray, got = _ingest(ray_url, inputs, engine="ray")
    assert res_local.failed == res_ray.failed == 1
    assert (res_ray.files, res_ray.stored) == (res_local.files, res_local.stored)
    assert res_local.cross_year_findings == res_ray.cross_year_findings > 0
    assert got == want
    # idempotent: the same run again stores nothing new, and the paths mode skips by content too
    again, after = _ingest(ray_url, inputs, engine="ray", ray_input="paths")
    assert (again.stored, again.replaced, again.skipped, again.known_failures) == (0, 0, res_ray.stored, 1)
    assert after == want


def test_paths_mode_reads_on_the_workers(pg_pair, inputs, local_ray):
    local_url, ray_url = pg_pair
    _, want = _ingest(local_url, inputs, jobs=2)
    res, got = _ingest(ray_url, inputs, engine="ray", ray_input="paths")
    assert res.failed == 1 and got == want


def _ray_task_pids(name: str) -> list[int]:
    """Ray workers run a task under the process title `ray::<function>`."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "cmdline").read_bytes().startswith(f"ray::{name}".encode()):
                    out.append(int(d.name))
            except OSError:
                pass
    return out


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(pg_pair, inputs, local_ray):
    local_url, ray_url = pg_pair
    _, want = _ingest(local_url, inputs, jobs=2)
    killed: list[int] = []
    stop = threading.Event()

    def killer():
        while not stop.is_set() and len(killed) < 2:
            for pid in _ray_task_pids("parse_task"):
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                except ProcessLookupError:
                    pass
                break
            time.sleep(0.02)

    t = threading.Thread(target=killer, daemon=True)
    t.start()
    try:
        res, got = _ingest(ray_url, inputs, engine="ray", task_files=1, batch_reports=4)
    finally:
        stop.set()
        t.join()
    assert killed, "no Ray worker was caught running parse_task"
    assert res.failed == 1  # only the broken file: the killed tasks were retried
    assert got == want


def test_a_three_node_cluster_stores_the_same(pg_pair, inputs):
    """Three nodes of one CPU each; the ingest's tasks spread over them."""
    from ray.cluster_utils import Cluster

    local_url, ray_url = pg_pair
    _, want = _ingest(local_url, inputs, jobs=2)
    ray.shutdown()  # the module's local runtime, if it ran
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, **{"include_dashboard": False}})
    try:
        for _ in range(2):
            cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, **RAY_INIT)  # the ingest joins the runtime this process holds
        assert len([n for n in ray.nodes() if n["Alive"]]) == 3
        res, got = _ingest(ray_url, inputs, engine="ray")
        assert res.failed == 1 and got == want
    finally:
        ray.shutdown()
        cluster.shutdown()


def test_without_ray_the_cli_gives_the_install_hint(tmp_path):
    code = ("import sys; sys.modules['ray'] = None\n"
            "from xxgk.cli import main; main()")
    p = subprocess.run([sys.executable, "-c", code, "ingest", str(tmp_path), "--db", str(tmp_path / "x.db"),
                        "--engine", "ray"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert p.stderr.strip() == "xxgk: 需要 Ray：pip install 'xxgk[ray]'"
    assert not (tmp_path / "x.db").exists()


def test_bad_engine_options_are_one_line(tmp_path):
    for args, word in ((["--engine", "spark"], "--engine"), (["--ray-input", "paths"], "--ray-address")):
        p = subprocess.run([sys.executable, "-c", "from xxgk.cli import main; main()", "ingest", str(tmp_path),
                            "--db", str(tmp_path / "x.db"), *args], capture_output=True, text=True, timeout=60)
        assert p.returncode == 2 and word in p.stderr and "Traceback" not in p.stderr


def test_the_cluster_configurations_in_the_docs_are_valid_yaml():
    import yaml

    root = Path(__file__).resolve().parents[2] / "docs" / "ray"
    up = yaml.safe_load((root / "cluster.yaml").read_text(encoding="utf-8"))
    assert up["provider"]["type"] == "local" and "--head" in " ".join(up["head_start_ray_commands"])
    kube = yaml.safe_load((root / "raycluster.yaml").read_text(encoding="utf-8"))
    assert kube["kind"] == "RayCluster" and kube["spec"]["rayVersion"].split(".")[0] == ray.__version__.split(".")[0]
    assert "xxgk[ray" in " ".join(up["setup_commands"])
