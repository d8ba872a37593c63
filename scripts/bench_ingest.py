"""Ingest benchmark: generate N synthetic reports and ingest them, printing reports/s and the
peak memory of the whole process tree (the ingest process plus its workers).

    python scripts/bench_ingest.py -n 20000                       # SQLite file in a temp folder
    python scripts/bench_ingest.py -n 20000 --db postgresql://postgres@127.0.0.1/test
    python scripts/bench_ingest.py -n 2000 --twice --json

The reports are made by xxgk.synth.series (distinct agencies over 1–5 consecutive years between
2019 and 2025, so both template versions; 5% of the years break the carry-over) and written by
xxgk.synth.layouts.write in every layout, so the cross-year checks have real work to do.  Files are generated once per N and
seed into --workdir (default: a temp folder) and reused.  PostgreSQL runs go into a fresh schema
that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path


def generate(n: int, out: Path, seed: int = 0) -> Path:
    """n reports: distinct agencies, each over 1–5 consecutive years between 2019 and 2025 (so
    both templates), 5% of the years breaking the carry-over; every layout in turn."""
    from xxgk.synth.layouts import LAYOUTS, write
    from xxgk.synth.series import distinct_agencies, series

    folder = out / f"synth-{n}-{seed}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    agencies = iter(distinct_agencies(rng))
    i = 0
    while i < n:
        first = rng.randint(2019, 2024)
        reports = series(rng, first, min(rng.randint(1, 5), 2026 - first, n - i), next(agencies), broken=0.05)
        for rep in reports:
            text = write(rep, LAYOUTS[i % len(LAYOUTS)], random.Random(seed * 1_000_003 + i))
            sub = folder / f"{i // 1000:03d}"
            sub.mkdir(exist_ok=True)
            (sub / f"{i:06d}.txt").write_text(text, encoding="utf-8")
            i += 1
    done.write_text("")
    return folder


def _tree_rss_kb(root: int) -> int:
    """RSS of a process and all its descendants, from /proc (kB)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{d}/statm") as fh:
                pages = int(fh.read().split()[1])
        except OSError:
            continue
        parents[int(d)] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[int(d)] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(rss.get(p, 0) for p in tree)


class PeakRSS:
    def __init__(self, interval: float = 0.2):
        self.peak_kb = 0
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))


def parse_only(folder: Path, jobs: int | None) -> float:
    """Reports/s of reading + extracting + checking alone (no database), on the same worker pool
    set-up: the ceiling the store's overhead is measured against on a shared machine."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from xxgk.store.ingest import parse_task, walk

    files = [i.chain[0] for i in walk([folder])]
    tasks = [[(f, Path(f).name, Path(f).read_bytes()) for f in files[i : i + 8]] for i in range(0, len(files), 8)]
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["xxgk.store.rows", "xxgk.pipeline"])
    with ProcessPoolExecutor(jobs or os.cpu_count(), mp_context=ctx) as ex:
        t = time.monotonic()
        n = sum(len(r) for r in ex.map(parse_task, tasks))
        return n / (time.monotonic() - t)


def _pg_schema_url(url: str) -> tuple[str, str]:
    schema = f"xxgk_bench_{uuid.uuid4().hex[:8]}"
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", schema


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=2000, help="number of reports")
    ap.add_argument("--db", default=None, help="database path or URL (default: a new SQLite file)")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    ap.add_argument("--workdir", default=None, help="where the generated reports are kept")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--twice", action="store_true", help="ingest again (everything must be skipped)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--baseline", action="store_true",
                    help="also time parsing alone (no database) on the same files, for comparison")
    args = ap.parse_args()

    from xxgk.store import open_store
    from xxgk.store.ingest import ingest

    work = Path(args.workdir or Path(tempfile.gettempdir()) / "xxgk-bench")
    t = time.monotonic()
    folder = generate(args.n, work, args.seed)
    gen_s = time.monotonic() - t

    tmp = None
    schema = None
    db = args.db
    if db is None:
        tmp = tempfile.TemporaryDirectory()
        db = str(Path(tmp.name) / "bench.db")
    elif db.startswith(("postgresql://", "postgres://")):
        import sqlalchemy as sa

        from xxgk.store.db import database_url

        admin = sa.create_engine(database_url(db))
        db, schema = _pg_schema_url(db)
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    out: dict = {"n": args.n, "generate_seconds": round(gen_s, 1), "jobs": args.jobs or os.cpu_count()}
    try:
        store = open_store(db)
        out["db"] = store.dialect
        with PeakRSS() as mem:
            result = ingest(store, [folder], jobs=args.jobs)
        out["first"] = result.to_json()
        out["reports_per_second"] = round(result.stored / result.seconds, 1)
        out["peak_rss_mb"] = round(mem.peak_kb / 1024, 1)
        out["stored_reports"] = store.count()
        if args.twice:
            with PeakRSS() as mem2:
                again = ingest(store, [folder], jobs=args.jobs)
            out["second"] = again.to_json()
            out["second_peak_rss_mb"] = round(mem2.peak_kb / 1024, 1)
            out["stored_reports_after_second"] = store.count()
        if store.path:
            out["db_mb"] = round(sum(p.stat().st_size for p in store.path.parent.glob(store.path.name + "*")) / 2**20, 1)
        store.close()
    finally:
        if schema:
            with admin.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
        if tmp:
            tmp.cleanup()
    if args.baseline:
        out["parse_only_reports_per_second"] = round(parse_only(folder, args.jobs), 1)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        f = out["first"]
        print(f"{args.n} reports into {out['db']}: {f['stored']} stored in {f['seconds']:.1f} s "
              f"= {out['reports_per_second']} reports/s (parse + check + store + cross-year), "
              f"peak RSS {out['peak_rss_mb']} MB (process tree); {f['cross_year_findings']} cross-year findings")
        if args.twice:
            s = out["second"]
            print(f"second run: {s['skipped']} skipped, {s['stored']} stored in {s['seconds']:.1f} s; "
                  f"{out['stored_reports_after_second']} reports stored")
        if "db_mb" in out:
            print(f"database size {out['db_mb']} MB")
        if args.baseline:
            print(f"parsing alone (no database, same workers): {out['parse_only_reports_per_second']} reports/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
