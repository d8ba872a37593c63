"""The corpus at scale: generate N reports, ingest them into PostgreSQL (or SQLite) with the local
engine and with Ray, then time the queries and the desk's pages, beside raw-SQL floors measured in
the same run.  Prints one table per size.

    python scripts/bench_scale.py --sizes 2000,20000 [--db postgresql://postgres@127.0.0.1:5432/test]
                                  [--engines local,ray] [--requests 20] [--keep DIR]

Each size gets fresh schemas (PostgreSQL) or files (SQLite), dropped afterwards.  The figures to
compare are the ratios within one run: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa


def generate(folder: Path, n: int, seed: int = 1) -> None:
    """n generated text reports, agencies over consecutive years (as the corpus tests make them)."""
    from xxgk import template as T
    from xxgk.synth import random_report
    from xxgk.synth.layouts import LAYOUTS, write
    from xxgk.synth.series import distinct_agencies, next_year

    rng = random.Random(seed)
    names = distinct_agencies(rng)
    agencies = max(1, min(len(names), n // 4))
    last: list = []
    for i in range(n):
        r_rng = random.Random(seed * 7919 + i)
        k = i % agencies
        if k >= len(last):
            year = rng.randint(2019, 2022)
            last.append(random_report(r_rng, T.for_year(year).id, year, names[k]))
            rep = last[k]
        else:
            rep = last[k] = next_year(last[k], r_rng)
        sub = folder / f"{i // 1000:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"r{i:06d}.txt").write_text(write(rep, LAYOUTS[i % len(LAYOUTS)], r_rng), encoding="utf-8")


class Target:
    """A fresh database: a schema on the PostgreSQL server, or a SQLite file."""

    def __init__(self, db: str | None, tmp: Path):
        self.db, self.tmp, self.schema = db, tmp, None

    def __enter__(self) -> str:
        if not self.db:
            self.url = str(self.tmp / f"bench-{uuid.uuid4().hex[:6]}.db")
            return self.url
        from xxgk.store.db import database_url

        self.engine = sa.create_engine(database_url(self.db))
        self.schema = f"xxgk_bench_{uuid.uuid4().hex[:8]}"
        with self.engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
        sep = "&" if "?" in self.db else "?"
        self.url = f"{self.db}{sep}options=-csearch_path%3D{self.schema}"
        return self.url

    def __exit__(self, *exc) -> None:
        if self.schema:
            with self.engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            self.engine.dispose()


def timed(fn, repeat: int = 1) -> tuple[float, float]:
    """(median, p95) wall seconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def run_size(n: int, args, tmp: Path) -> list[tuple[str, str]]:
    from xxgk.store import open_store
    from xxgk.store.ingest import ingest

    rows: list[tuple[str, str]] = []
    folder = tmp / f"in-{n}"
    t = time.perf_counter()
    generate(folder, n)
    rows.append(("generate reports", f"{time.perf_counter() - t:.1f} s"))
    with Target(args.db, tmp) as url:
        for engine in args.engines:
            with Target(args.db, tmp) if engine != args.engines[0] else contextlib.nullcontext(url) as eurl:
                store = open_store(eurl)
                t = time.perf_counter()
                res = ingest(store, [folder], engine=engine, jobs=args.jobs)
                s = time.perf_counter() - t
                rows.append((f"ingest, {engine} engine", f"{s:.1f} s ({res.stored / s:.0f} reports/s, "
                                                         f"cross-year {res.cross_year_seconds:.1f} s)"))
                store.close()
        store = open_store(url)
        with store.engine.connect() as conn:
            raw_count = timed(lambda: conn.execute(sa.text("SELECT COUNT(*) FROM reports")).scalar(), args.requests)
            raw_sum = timed(lambda: conn.execute(sa.text(
                "SELECT table_key, row_id, col_id, SUM(value) FROM cells WHERE table_key = 'appeals' "
                "OR (table_key = 'requests' AND col_id = 'total') GROUP BY 1, 2, 3")).all(), 3)
        rows.append(("floor: raw SELECT COUNT(*) FROM reports", _ms(raw_count)))
        rows.append(("floor: raw SUM over the cells the stats use", _ms(raw_sum)))
        rows.append(("store.count()", _ms(timed(store.count, args.requests))))
        rows.append(("stats computed (no cache)", _ms(timed(store.compute_stats, 3))))
        store.stats()
        rows.append(("stats (cached until the next write)", _ms(timed(store.stats, args.requests))))
        rows.append(("stats by year, computed", _ms(timed(lambda: store.compute_stats(by="year"), 3))))
        try:
            from fastapi.testclient import TestClient

            from xxgk.web.app import create_app
        except ImportError:
            rows.append(("desk pages", "skipped: pip install 'xxgk[web]'"))
        else:
            client = TestClient(create_app(store_url=url))
            rid = store.reports(limit=1)[0].id
            for page in ("/", "/corpus", "/reports", "/findings", f"/reports/{rid}"):
                client.get(page)  # the first request fills the cache: p95 is of the requests after it
                rows.append((f"desk GET {page}", _ms(timed(lambda: client.get(page).raise_for_status(), args.requests))))
        store.close()
    rows.append(("peak RSS of this process", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"))
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def _ms(t: tuple[float, float]) -> str:
    return f"median {t[0] * 1000:.1f} ms, p95 {t[1] * 1000:.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,20000")
    ap.add_argument("--db", default=os.environ.get("XXGK_BENCH_DB", "postgresql://postgres@127.0.0.1:5432/test"),
                    help="a PostgreSQL URL (fresh schemas are made and dropped), or '' for SQLite files")
    ap.add_argument("--engines", default="local,ray")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args()
    args.engines = args.engines.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-bench-scale-"))
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            print(f"\n## {n} reports ({'PostgreSQL' if args.db else 'SQLite'}; {os.cpu_count()} cores)\n")
            print("| what | time |\n|---|---|")
            for what, fig in run_size(n, args, tmp):
                print(f"| {what} | {fig} |")
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
