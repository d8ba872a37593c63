"""The corpus at scale: ingest a sample of generated reports with the local engine and with Ray,
grow the corpus to each size by replicating the sample in SQL, then time the statistics, the
desk's pages, the export and the cross-year pass at each size, beside raw-SQL floors measured in
the same run.  Prints one table per database: a column per size and the ratio of the last size to
the first.

    python scripts/bench_scale.py --sizes 20000,200000 [--ingest-sample 2000]
                                  [--db postgresql://postgres@127.0.0.1:5432/test | --db '']
                                  [--engines local,ray] [--requests 20] [--keep]

What is ingested and what is replicated:

- The first `--ingest-sample` generated reports are ingested for real, once per engine, each
  into a fresh database: that gives the ingest throughput of each engine.
- The corpus of the first engine is then grown to each size by *replication*: every table that
  holds rows per report (a foreign key to reports.id, or a report_id column; found by reflecting
  the live database, so a table a later migration adds is copied too) is copied with
  INSERT … SELECT, the report getting a new id, a new sha256 and a new agency name (a place name
  changed, so agency × year keys stay distinct per copy and every copy has the same cross-year
  structure as the sample).  After each step the store's generation goes up (the write that
  invalidates cached statistics), PostgreSQL materialised views are refreshed and ANALYZE runs
  (as autovacuum would); then the cross-year pass is run over every report (all marked pending).

Each measurement runs in its own subprocess (its peak RSS is read with wait4).  Fresh schemas
(PostgreSQL) or files (SQLite) are made and dropped at the end, also on Ctrl-C or an error, unless
--keep.  The figures to compare are the ratios within one run: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

MAP, AGENCY_MAP = "_bench_map", "_bench_agency"
# identity columns that must differ per copy: the last 8 characters become the copy number in hex
REKEY = ("sha256", "key", "finding_key")
# columns recomputed from the copy's agency name (xxgk.agency.describe)
AGENCY_COLUMNS = ("agency", "agency_key", "agency_base", "level", "kind", "region", "province",
                  "prefecture", "county", "township")
_INFO = {"agency_key": "key", "agency_base": "base"}
# inserted after the first character of the name: a different county (东湖区 → 东甲乙丙湖区)
_TAG = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


# ---- the sample ---------------------------------------------------------------------------------

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

    def __init__(self, db: str | None, tmp: Path, keep: bool = False):
        self.db, self.tmp, self.keep, self.schema, self.engine = db, tmp, keep, None, None

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
        if self.keep:
            print(f"kept: {self.url}", file=sys.stderr)
        elif self.schema:
            with self.engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        elif not self.db:
            for s in ("", "-wal", "-shm", "-journal"):
                Path(self.url + s).unlink(missing_ok=True)
        if self.engine is not None:
            self.engine.dispose()


# ---- replication --------------------------------------------------------------------------------

def report_tables(conn: sa.Connection) -> list[sa.Table]:
    """reports, then every table of the live database that holds rows per report."""
    md = sa.MetaData()
    md.reflect(bind=conn)
    reports = md.tables["reports"]
    out = [reports]
    for t in md.sorted_tables:
        if t is reports or t.name.startswith("_bench") or t.name == "alembic_version":
            continue
        to_reports = [fk for fk in t.foreign_keys if fk.column.table.name == "reports"]
        if to_reports or "report_id" in t.c:
            out.append(t)
    names = {t.name for t in out}
    for t in out[1:]:
        for fk in t.foreign_keys:
            if fk.column.table.name in names - {"reports"}:
                raise RuntimeError(f"{t.name} refers to {fk.column.table.name}: its ids would need mapping too")
    return out


def _report_column(t: sa.Table) -> str:
    fks = [fk.parent.name for fk in t.foreign_keys if fk.column.table.name == "reports"]
    return fks[0] if fks else "report_id"


def _own_serial(t: sa.Table, rcol: str) -> str | None:
    """The table's own integer id, which the copy leaves to the database to number."""
    pk = list(t.primary_key.columns)
    if len(pk) == 1 and pk[0].name != rcol and isinstance(pk[0].type, sa.Integer):
        return pk[0].name
    return None


def _rekey(dialect: str, expr: str, length: int | None) -> str:
    """The value with its last 8 characters replaced by the copy number (hex)."""
    keep = f"substr({expr}, 1, {max(0, (length or 64) - 8)})"
    suffix = "lpad(to_hex(m.k), 8, '0')" if dialect == "postgresql" else "printf('%08x', m.k)"
    return f"CASE WHEN {expr} IS NULL THEN NULL ELSE {keep} || {suffix} END"


def copy_name(name: str, k: int) -> str:
    tag = "".join(_TAG[(k // len(_TAG) ** i) % len(_TAG)] for i in range(3))
    return name[:1] + tag + name[1:]


class Replicator:
    """Grows a store by copies of its first `base` reports (ids up to base_max)."""

    def __init__(self, store, log=lambda s: None):
        self.store, self.log = store, log
        self.dialect = store.dialect
        with store.engine.begin() as conn:
            self.tables = report_tables(conn)
            self.base_ids = [r for (r,) in conn.execute(sa.text("SELECT id FROM reports ORDER BY id"))]
            self.agencies = [a for (a,) in conn.execute(sa.text(
                "SELECT DISTINCT agency FROM reports WHERE agency IS NOT NULL ORDER BY agency"))]
            conn.execute(sa.text(f"CREATE TABLE {MAP} (old_id INTEGER NOT NULL, new_id INTEGER PRIMARY KEY, "
                                 "k INTEGER NOT NULL)"))
            cols = ", ".join(f"{c} TEXT" for c in AGENCY_COLUMNS)
            conn.execute(sa.text(f"CREATE TABLE {AGENCY_MAP} (k INTEGER NOT NULL, {cols}, new_agency TEXT, "
                                 "PRIMARY KEY (k, agency))"))
        if not self.base_ids:
            raise RuntimeError("nothing to replicate: the sample stored no report")
        self.base_max = self.base_ids[-1]
        self.n = len(self.base_ids)  # reports in the store
        self.copies = 0  # copies whose agency names are mapped

    def table_names(self) -> list[str]:
        return [t.name for t in self.tables]

    def grow(self, target: int, step: int = 20000) -> float:
        """Copy until the store holds `target` reports; returns the seconds it took."""
        t0 = time.perf_counter()
        while self.n < target:
            self._step(min(target, self.n + step))
            self.log(f"  replicated to {self.n} reports ({time.perf_counter() - t0:.0f} s)")
        self._after()
        return time.perf_counter() - t0

    def _step(self, target: int) -> None:
        from xxgk.agency import describe

        store = self.store
        rows, i = [], self.n
        while i < target:
            k, j = divmod(i, len(self.base_ids))
            old = self.base_ids[j]
            rows.append((old, old + k * self.base_max, k))
            i += 1
        top = rows[-1][2]
        with store.engine.begin() as conn:
            store._bulk(conn, MAP, ("old_id", "new_id", "k"), rows)
            amap = []
            for k in range(self.copies + 1, top + 1):
                for name in self.agencies:
                    new = copy_name(name, k)
                    info = describe(new)
                    amap.append((k, name, *(getattr(info, _INFO.get(c, c)) for c in AGENCY_COLUMNS[1:]), new))
            self.copies = max(self.copies, top)
            store._bulk(conn, AGENCY_MAP, ("k", *AGENCY_COLUMNS, "new_agency"), amap)
            lo, hi = rows[0][1], rows[-1][1]
            for t in self.tables:
                conn.execute(sa.text(self._insert_sql(t, lo, hi)))
            store._bump(conn)  # a write: cached statistics are stale
        self.n = target

    def _insert_sql(self, t: sa.Table, lo: int, hi: int) -> str:
        d = self.dialect
        sel, cols = [], []
        where = f"m.new_id BETWEEN {lo} AND {hi}"
        if t.name == "reports":
            for c in t.c:
                cols.append(c.name)
                if c.name == "id":
                    sel.append("m.new_id")
                elif c.name in REKEY:
                    sel.append(_rekey(d, f"r.{c.name}", getattr(c.type, "length", None)))
                elif c.name == "agency":
                    sel.append("CASE WHEN r.agency IS NULL THEN NULL ELSE a.new_agency END")
                elif c.name in AGENCY_COLUMNS:
                    sel.append(f"CASE WHEN r.agency IS NULL THEN r.{c.name} ELSE a.{c.name} END")
                elif c.name == "title":
                    sel.append("CASE WHEN r.agency IS NULL OR r.title IS NULL THEN r.title "
                               "ELSE replace(r.title, r.agency, a.new_agency) END")
                elif c.name == "cross_pending":
                    sel.append("TRUE" if d == "postgresql" else "1")
                else:
                    sel.append(f"r.{c.name}")
            return (f"INSERT INTO reports ({', '.join(cols)}) SELECT {', '.join(sel)} FROM {MAP} m "
                    f"JOIN reports r ON r.id = m.old_id LEFT JOIN {AGENCY_MAP} a ON a.k = m.k AND a.agency = r.agency "
                    f"WHERE {where} ORDER BY m.new_id")
        rcol = _report_column(t)
        serial = _own_serial(t, rcol)
        # a column that repeats one of the report's (a per-report aggregate keeps the report's
        # year, agency key, …): the copied report's value
        shared = {c.name for c in self.tables[0].c} - {"id"}
        join = ""
        for c in t.c:
            if c.name == serial:
                continue
            cols.append(c.name)
            if c.name == rcol:
                sel.append("m.new_id")
            elif c.name in shared:
                sel.append(f"n.{c.name}")
                join = " JOIN reports n ON n.id = m.new_id"
            elif c.name in REKEY:
                sel.append(_rekey(d, f"x.{c.name}", getattr(c.type, "length", None)))
            else:
                sel.append(f"x.{c.name}")
        order = [f"m.new_id"] + [f"x.{c.name}" for c in t.primary_key.columns if c.name not in (rcol, serial)]
        if serial:
            order.append(f"x.{serial}")
        return (f"INSERT INTO {t.name} ({', '.join(cols)}) SELECT {', '.join(sel)} FROM {MAP} m "
                f"JOIN {t.name} x ON x.{rcol} = m.old_id{join} WHERE {where} ORDER BY {', '.join(order)}")

    def _after(self) -> None:
        """What the store needs after rows came in behind its back."""
        with self.store.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('reports', 'id'), (SELECT max(id) FROM reports))"))
                for (v,) in conn.execute(sa.text("SELECT matviewname FROM pg_matviews WHERE schemaname = current_schema()")):
                    conn.execute(sa.text(f'REFRESH MATERIALIZED VIEW "{v}"'))
        if self.dialect == "postgresql":
            with self.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("ANALYZE"))

    def drop(self) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {MAP}"))
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {AGENCY_MAP}"))


# ---- the measurements (each in a subprocess: python bench_scale.py --op NAME URL) ----------------

def _pq(times: list[float]) -> dict:
    times = sorted(times)
    return {"p50": statistics.median(times), "p95": times[min(len(times) - 1, int(len(times) * 0.95))]}


def _timed(fn, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return _pq(times)


def op_ingest(url: str, folder: str, engine: str, jobs: int | None = None) -> dict:
    from xxgk.store import open_store
    from xxgk.store.ingest import ingest

    store = open_store(url)
    t = time.perf_counter()
    res = ingest(store, [folder], engine=engine, jobs=jobs)
    s = time.perf_counter() - t
    store.close()
    return {"seconds": s, "stored": res.stored, "failed": res.failed, "cross_year": res.cross_year_seconds}


def op_crossyear(url: str, jobs: int | None = None) -> dict:
    """The pass as `xxgk ingest` runs it (its checking spread over a process pool), every report
    marked pending first."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from xxgk.store import open_store
    from xxgk.store.ingest import FORKSERVER_PRELOAD, _init_worker

    store = open_store(url, upgrade=False)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE reports SET cross_pending = " + ("TRUE" if store.dialect == "postgresql" else "1")))
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(FORKSERVER_PRELOAD)
    pool = None if jobs == 1 else ProcessPoolExecutor(jobs or os.cpu_count(), mp_context=ctx,
                                                      initializer=_init_worker, initargs=(os.getpid(),))
    with pool or contextlib.nullcontext():
        t = time.perf_counter()
        written = store.update_cross_year(executor=pool)
        s = time.perf_counter() - t
    store.close()
    return {"seconds": s, "written": written}


def op_store_stats(url: str, requests: int) -> dict:
    from xxgk.store import open_store

    store = open_store(url, upgrade=False)
    with store.engine.begin() as conn:
        store._bump(conn)  # as a write would
    t = time.perf_counter()
    st = store.stats()
    cold = time.perf_counter() - t
    cached = _timed(store.stats, requests)
    store.close()
    return {"cold": cold, "cached": cached, "reports": sum(g.reports for g in st.groups)}


def op_floors(url: str, requests: int) -> dict:
    from xxgk.store import open_store

    store = open_store(url, upgrade=False)
    with store.engine.connect() as conn:
        count = _timed(lambda: conn.execute(sa.text("SELECT COUNT(*) FROM reports")).scalar(), requests)
        total = _timed(lambda: conn.execute(sa.text(
            "SELECT table_key, row_id, col_id, SUM(value) FROM cells WHERE table_key = 'appeals' "
            "OR (table_key = 'requests' AND col_id = 'total') GROUP BY 1, 2, 3")).all(), 2)
    out = {"count": count, "sum": total}
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:
            out["bytes"] = int(conn.execute(sa.text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')")).scalar())
    else:
        out["bytes"] = sum(Path(f"{store.path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{store.path}{s}").exists())
    store.close()
    return out


def op_desk(url: str, requests: int) -> dict:
    from fastapi.testclient import TestClient

    from xxgk.store import open_store
    from xxgk.web.app import create_app

    store = open_store(url, upgrade=False)
    with store.engine.begin() as conn:
        store._bump(conn)  # the first request of each page is the first after a write
        rid = conn.execute(sa.text("SELECT max(id) FROM reports WHERE is_report")).scalar()
    client = TestClient(create_app(store_url=url))
    out = {}
    for page in ("/", "/corpus", "/findings", f"/reports/{rid}"):
        t = time.perf_counter()
        client.get(page).raise_for_status()
        first = time.perf_counter() - t
        out[page.replace(str(rid), "<id>")] = {"first": first, **_timed(lambda: client.get(page).raise_for_status(), requests)}
    store.close()
    return out


def op_export(url: str, out: str) -> dict:
    from xxgk.store import open_store
    from xxgk.store.export import export

    store = open_store(url, upgrade=False)
    t = time.perf_counter()
    res = export(store, out, "csv", "wide")
    s = time.perf_counter() - t
    size = Path(out).stat().st_size
    Path(out).unlink()
    store.close()
    return {"seconds": s, "reports": res.reports, "bytes": size}


def op_export_floor(url: str) -> dict:
    """The rows the wide export writes, fetched by the driver and dropped: the report fields and
    (report, table, row, column, value) of every cell, streamed."""
    from xxgk.store import open_store
    from xxgk.store.export import REPORT_FIELDS

    store = open_store(url, upgrade=False)
    fields = ", ".join("id" if f == "report_id" else f for f, _ in REPORT_FIELDS)
    n = 0
    t = time.perf_counter()
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        for sql in (f"SELECT {fields} FROM reports ORDER BY id",
                    "SELECT report_id, table_key, row_id, col_id, value FROM cells ORDER BY report_id"):
            cur = raw.cursor(name="bench") if store.dialect == "postgresql" else raw.cursor()
            if store.dialect == "postgresql":
                cur.itersize = 10000
            cur.execute(sql)
            while True:
                rows = cur.fetchmany(10000)
                if not rows:
                    break
                n += len(rows)
            cur.close()
        conn.rollback()
    s = time.perf_counter() - t
    store.close()
    return {"seconds": s, "rows": n}


OPS = {"ingest": op_ingest, "crossyear": op_crossyear, "store_stats": op_store_stats, "floors": op_floors,
       "desk": op_desk, "export": op_export, "export_floor": op_export_floor}

_CHILD: subprocess.Popen | None = None


# run in each child: its own peak RSS (VmHWM of its own address space, which exec starts afresh;
# wait4's ru_maxrss would carry over the RSS of this process at the fork) written at exit
_WRAP = """import atexit, os, runpy, sys
def _hwm():
    try:
        with open("/proc/self/status") as f:
            kb = next(line.split()[1] for line in f if line.startswith("VmHWM:"))
        with open(os.environ["XXGK_BENCH_HWM"], "w") as f:
            f.write(kb)
    except (OSError, StopIteration, KeyError):
        pass
atexit.register(_hwm)
target = sys.argv[1]
sys.argv = sys.argv[1:]
if target.endswith(".py"):
    runpy.run_path(target, run_name="__main__")
else:
    runpy.run_module(target, run_name="__main__", alter_sys=True)
"""


def run_child(cmd: list[str]) -> tuple[float, float, str]:
    """Run `python TARGET ARGS…` (a script or a module); (wall seconds, peak RSS in MB, stdout).
    Killed if we are interrupted."""
    global _CHILD
    fd, hwm = tempfile.mkstemp(prefix="xxgk-bench-hwm-")
    os.close(fd)
    t = time.perf_counter()
    _CHILD = p = subprocess.Popen([sys.executable, "-c", _WRAP, *cmd], stdout=subprocess.PIPE,
                                  env={**os.environ, "XXGK_BENCH_HWM": hwm})
    try:
        out = p.stdout.read().decode()
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t
        kb = Path(hwm).read_text().strip()
    finally:
        if p.returncode is None:
            p.kill()
            p.wait()
        _CHILD = None
        Path(hwm).unlink(missing_ok=True)
    if p.returncode:
        raise RuntimeError(f"{' '.join(cmd[:4])} … exited with {p.returncode}")
    return wall, (int(kb) if kb else ru.ru_maxrss) / 1024, out


def run_op(name: str, *args, inprocess: bool = False) -> tuple[dict, float | None]:
    """(the op's result, peak RSS of its process in MB)."""
    t = time.perf_counter()
    if inprocess:
        return OPS[name](*args), None
    _, rss, out = run_child([__file__, "--op", name, json.dumps(list(args))])
    _log(f"  {name}: {time.perf_counter() - t:.0f} s")
    return json.loads(out.strip().splitlines()[-1]), rss


def _log(s: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {s}", file=sys.stderr, flush=True)


# ---- one database ------------------------------------------------------------------------------

def measure(url: str, n: int, args, tmp: Path, replicated: float | None) -> dict[str, tuple]:
    """name → (value, unit) at this size; p50/p95 pairs as ((p50, p95), 'ms')."""
    m: dict[str, tuple] = {}
    ip = args.inprocess
    if replicated is not None:
        m["replication (INSERT … SELECT, all report tables)"] = (replicated, "s")
    res, rss = run_op("crossyear", url, args.jobs, inprocess=ip)
    m["cross-year pass, every report pending"] = (res["seconds"], "s")
    m["cross-year pass: peak RSS"] = (rss, "MB")
    m["cross-year findings written"] = (res["written"], "")
    # `xxgk stats`: the first after a write, then cached
    from xxgk.store import open_store

    store = open_store(url, upgrade=False)
    with store.engine.begin() as conn:
        store._bump(conn)
    store.close()
    cli = ["xxgk", "stats", "--db", url]
    if not ip:
        wall, rss, _ = run_child(cli)
        m["`xxgk stats` wall, cold (first after a write)"] = (wall, "s")
        m["`xxgk stats` peak RSS"] = (rss, "MB")
        walls = [run_child(cli)[0] for _ in range(max(1, args.requests // 4))]
        m["`xxgk stats` wall, cached (p50 / p95)"] = (tuple(_pq(walls).values()), "s")
        wall, _, _ = run_child(["xxgk", "--help"])
        m["floor: `xxgk --help` wall (start-up)"] = (wall, "s")
    res, rss = run_op("store_stats", url, args.requests, inprocess=ip)
    m["Store.stats in-process, cold"] = (res["cold"], "ms")
    m["Store.stats in-process, cached (p50 / p95)"] = (tuple(res["cached"].values()), "ms")
    m["Store.stats: peak RSS"] = (rss, "MB")
    m["reports counted by stats"] = (res["reports"], "")
    res, rss = run_op("floors", url, args.requests, inprocess=ip)
    m["floor: raw SELECT COUNT(*) FROM reports (p50 / p95)"] = (tuple(res["count"].values()), "ms")
    m["floor: raw SUM over the cells the stats use"] = (res["sum"]["p50"], "ms")
    m["database size"] = (res["bytes"] / 2**20, "MB")
    try:
        import fastapi  # noqa: F401
    except ImportError:
        pass
    else:
        res, rss = run_op("desk", url, args.requests, inprocess=ip)
        for page, r in res.items():
            m[f"desk GET {page}, first after a write"] = (r["first"], "ms")
            m[f"desk GET {page} (p50 / p95)"] = ((r["p50"], r["p95"]), "ms")
        m["desk: peak RSS"] = (rss, "MB")
    if not args.no_export:
        res, rss = run_op("export", url, str(tmp / "export.csv"), inprocess=ip)
        m["export, whole corpus, CSV wide"] = (res["seconds"], "s")
        m["export: peak RSS"] = (rss, "MB")
        res, rss = run_op("export_floor", url, inprocess=ip)
        m["floor: raw SELECT of the same rows, streamed"] = (res["seconds"], "s")
        m["export floor: peak RSS"] = (rss, "MB")
    return m


def run_db(args, tmp: Path, log) -> tuple[list[tuple[str, str]], dict[int, dict]]:
    """Ingest the sample with each engine, then grow and measure; (ingest rows, size → measures)."""
    from xxgk.store import open_store

    kind = "PostgreSQL" if args.db else "SQLite"
    folder = tmp / "sample"
    if not folder.exists():
        t = time.perf_counter()
        generate(folder, args.ingest_sample)
        log(f"generated {args.ingest_sample} reports in {time.perf_counter() - t:.0f} s")
    ingested: list[tuple[str, str]] = []
    results: dict[int, dict] = {}
    with Target(args.db, tmp, args.keep) as url:
        for engine in args.engines:
            with (Target(args.db, tmp) if engine != args.engines[0] else _Same(url)) as eurl:
                log(f"{kind}: ingesting {args.ingest_sample} reports, {engine} engine")
                res, rss = run_op("ingest", eurl, str(folder), engine, args.jobs, inprocess=args.inprocess)
                ingested.append((f"ingest {res['stored']} reports, {engine} engine",
                                 f"{res['seconds']:.1f} s = {res['stored'] / res['seconds']:.0f} reports/s "
                                 f"(cross-year {res['cross_year']:.1f} s; driver peak RSS "
                                 f"{'–' if rss is None else f'{rss:.0f} MB'})"))
                if res["failed"]:
                    ingested.append((f"{engine}: failed files", str(res["failed"])))
        store = open_store(url)
        rep = Replicator(store, log)
        log(f"replicated tables: {', '.join(rep.table_names())}")
        try:
            for n in args.sizes:
                log(f"{kind}: growing to {n} reports")
                took = rep.grow(n) if n > rep.n else None
                log(f"{kind}: measuring at {rep.n} reports")
                results[rep.n] = measure(url, rep.n, args, tmp, took)
        finally:
            rep.drop()
            store.close()
    return ingested, results


class _Same:
    def __init__(self, url):
        self.url = url

    def __enter__(self):
        return self.url

    def __exit__(self, *exc):
        pass


def _fmt(v, unit: str) -> str:
    if v is None:
        return "–"
    if isinstance(v, (tuple, list)):
        return " / ".join(_fmt(x, unit).removesuffix(f" {unit}") for x in v) + f" {unit}"
    if unit == "ms":
        return f"{v * 1000:.1f} ms"
    if unit == "s":
        return f"{v:.2f} s"
    if unit == "MB":
        return f"{v:.0f} MB"
    return f"{v:,}" if isinstance(v, int) else f"{v:.0f}"


def _n(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def table(kind: str, ingested, results: dict[int, dict], args) -> str:
    sizes = sorted(results)
    lines = [f"### {kind} ({os.cpu_count()} cores)", "",
             f"Ingested for real (sample of {args.ingest_sample} generated text reports, each engine into a fresh "
             f"database):", "", "| ingest | figure |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in ingested]
    head = " | ".join(f"{n:,} reports" for n in sizes)
    ratio = len(sizes) > 1
    lines += ["", f"Replicated from the {args.ingest_sample}-report sample to each size (SQL copies, new ids, names and "
              "hashes), then measured:", "",
              f"| what | {head} |" + (f" ratio {_n(sizes[-1])}/{_n(sizes[0])} |" if ratio else ""),
              "|---|" + "---|" * (len(sizes) + ratio)]
    names = list(dict.fromkeys(k for n in sizes for k in results[n]))
    for name in names:
        cells = [results[n].get(name) for n in sizes]
        row = [_fmt(c[0], c[1]) if c else "–" for c in cells]
        if ratio:
            a, b = cells[0], cells[-1]
            r = "–"
            if a and b and a[0] is not None and b[0] is not None:
                va = a[0][-1] if isinstance(a[0], tuple) else a[0]
                vb = b[0][-1] if isinstance(b[0], tuple) else b[0]
                r = f"{vb / va:.1f}×" if va else "–"
            row.append(r)
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="20000,200000")
    ap.add_argument("--ingest-sample", type=int, default=2000, help="reports ingested for real with each engine")
    ap.add_argument("--db", action="append", default=None,
                    help="a PostgreSQL URL (a fresh schema is made and dropped), or '' for a SQLite file; "
                         "repeat for both (default: PostgreSQL on 127.0.0.1 and SQLite)")
    ap.add_argument("--engines", default="local,ray")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--inprocess", action="store_true", help="no subprocesses, no RSS (for the smoke test)")
    ap.add_argument("--keep", action="store_true", help="keep the databases and the generated files")
    ap.add_argument("--op", help=argparse.SUPPRESS)
    ap.add_argument("op_args", nargs="?", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.op:
        res = OPS[args.op](*json.loads(args.op_args))
        print(json.dumps(res))
        return ""
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    args.engines = args.engines.split(",")
    dbs = args.db if args.db is not None else [os.environ.get("XXGK_BENCH_DB", "postgresql://postgres@127.0.0.1:5432/test"), ""]
    if args.ingest_sample > args.sizes[0]:
        ap.error("--ingest-sample is larger than the first size")

    log = _log
    def on_term(*_):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, on_term) if not args.inprocess else None
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-bench-scale-"))
    out = []
    try:
        for db in dbs:
            args.db = db
            kind = "PostgreSQL" if db else "SQLite"
            ingested, results = run_db(args, tmp, log)
            text = table(kind, ingested, results, args)
            print(text + "\n", flush=True)
            out.append(text)
    finally:
        if _CHILD is not None and _CHILD.poll() is None:
            _CHILD.kill()
        if args.keep:
            print(f"kept: {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            signal.signal(signal.SIGTERM, old)
    cmd = "python scripts/bench_scale.py " + " ".join(argv if argv is not None else sys.argv[1:])
    print(f"`{cmd}`; peak RSS of the parent {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
          file=sys.stderr)
    return "\n\n".join(out)


if __name__ == "__main__":
    main()
