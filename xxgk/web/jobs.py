"""Uploads are ingested in the background, one batch after another, through the store's ingest
(xxgk.store.ingest.parse_task → Store.write → Store.update_cross_year), while the page shows
how far it got.  As many uploads progress at once as there are parse workers, writing one at a
time (SQLite has one writer); the files themselves are parsed in a bounded pool of worker processes (xxgk.workers.ParsePool), each file under a time limit and a
memory limit: a hostile file costs one worker for at most that long and that much, is recorded
as failed with a Chinese reason, and the server's own process stays responsive."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .uploads import Item, Skipped

STATUS_CN = {
    "waiting": "等待中",
    "stored": "已入库",
    "replaced": "已重新解析",
    "skipped": "库中已有",
    "failed": "无法读取",
    "refused": "未接收",
}


@dataclass
class JobItem:
    path: str
    sha256: str | None
    size: int
    status: str = "waiting"
    message: str | None = None
    report_id: int | None = None
    agency: str | None = None
    year: int | None = None
    n_errors: int = 0
    n_warnings: int = 0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__, status_cn=STATUS_CN[self.status])


@dataclass
class Job:
    id: str
    user: str | None
    items: list[JobItem]
    created: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    started: float | None = None
    seconds: float = 0.0
    finished: bool = False
    error: str | None = None
    cross_year_findings: int = 0

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.status != "waiting")

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in STATUS_CN if k != "waiting"}
        for i in self.items:
            if i.status in out:
                out[i.status] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "total": self.total, "done": self.done, "finished": self.finished, "error": self.error,
            "seconds": round(self.seconds, 2), "counts": self.counts(), "cross_year_findings": self.cross_year_findings,
            "created": self.created.isoformat(), "items": [i.to_json() for i in self.items],
        }


@dataclass(frozen=True)
class ParseLimits:
    workers: int = 2  # parse processes
    seconds: float = 60.0  # per file
    memory_mb: int = 1024  # per worker, above what it maps when idle (RLIMIT_AS)
    target: str = "xxgk.store.ingest:parse_task"


class Jobs:
    def __init__(self, store, keep: int = 100, batch: int = 8, parse: ParseLimits | None = None):
        self.store = store
        self.keep = keep
        self.batch = batch
        self.parse = parse or ParseLimits()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._parsers = None  # ParsePool, started with the first upload
        self._feeders: ThreadPoolExecutor | None = None

    def submit(self, items: list[Item], skipped: list[Skipped], user: str | None = None) -> Job:
        job_items = [JobItem(i.path, hashlib.sha256(i.data).hexdigest(), len(i.data)) for i in items]
        job_items += [JobItem(s.path, None, 0, "refused", s.message) for s in skipped]
        job = Job(secrets.token_hex(8), user, job_items)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep:
                self._jobs.popitem(last=False)
        with self._lock:
            if self._pool is None:
                # as many uploads in progress as parse workers: a slow file holds one, not the queue
                self._pool = ThreadPoolExecutor(max_workers=self.parse.workers, thread_name_prefix="xxgk-ingest")
            self._pool.submit(self._run, job, items)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def wait(self, job_id: str, timeout: float = 60.0) -> Job | None:
        """Until the job is finished (tests and the synchronous API)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            job = self.get(job_id)
            if job is None or job.finished:
                return job
            time.sleep(0.02)
        return self.get(job_id)

    def shutdown(self) -> None:
        """Finish the batch being written, drop the waiting ones (the server is stopping)."""
        with self._lock:
            pool, self._pool = self._pool, None
            parsers, self._parsers = self._parsers, None
            feeders, self._feeders = self._feeders, None
        if parsers is not None:
            parsers.shutdown()  # a file being parsed is abandoned: the server is stopping
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if feeders is not None:
            feeders.shutdown(wait=True, cancel_futures=True)

    def _parse(self, chunk: list[Item]) -> list:
        """The outcomes of parsing these files, each in a worker of the bounded pool."""
        from ..workers import ParsePool, PoolOutcome

        with self._lock:
            if self._parsers is None:
                lim = self.parse
                self._parsers = ParsePool(lim.target, lim.workers, lim.seconds, lim.memory_mb,
                                          preload=("xxgk.store.rows", "xxgk.pipeline"))
                self._feeders = ThreadPoolExecutor(max_workers=lim.workers, thread_name_prefix="xxgk-parse")
            parsers, feeders = self._parsers, self._feeders
        lim = self.parse

        def one(item: Item) -> list:
            kind, result = parsers.run([(item.path, item.name, item.data)], self.store.dialect)
            if kind == PoolOutcome.OK:
                return result
            sha = hashlib.sha256(item.data).hexdigest()
            message = {
                PoolOutcome.TIMEOUT: f"解析超过{lim.seconds:g}秒仍未完成，已停止（文件可能过大或结构异常）",
                PoolOutcome.MEMORY: f"解析所需内存超过{lim.memory_mb} MB 上限，已停止（文件可能过大或结构异常）",
            }.get(kind, "解析此文件时处理进程意外退出")
            return [("fail", item.path, sha, kind if kind != PoolOutcome.CRASH else "worker-crash", message)]

        return [o for outs in feeders.map(one, chunk) for o in outs]

    # ---- the worker ----------------------------------------------------------------------------

    def _run(self, job: Job, items: list[Item]) -> None:
        t0 = time.monotonic()
        job.started = t0
        by_path = {ji.path: ji for ji in job.items if ji.status == "waiting"}
        try:
            known = self.store.known(ji.sha256 for ji in by_path.values())
            for start in range(0, len(items), self.batch):
                chunk = items[start : start + self.batch]
                outcomes = self._parse(chunk)
                rows, fails = [], []
                for o in outcomes:
                    if o[0] == "ok":
                        rows.append(o[1])
                    else:
                        fails.append(o[1:])
                with self._write_lock:  # one writer at a time (SQLite has one anyway)
                    self.store.write(rows, fails)
                for o in outcomes:
                    if o[0] == "ok":
                        ji = by_path[o[1].report["source_path"]]
                        ji.status = "skipped" if ji.sha256 in known else "stored"
                    else:
                        ji = by_path[o[1]]
                        ji.status, ji.message = "failed", o[4]
                job.seconds = time.monotonic() - t0
            with self._write_lock:
                job.cross_year_findings = self.store.update_cross_year()
            self._resolve(job)
        except Exception as exc:  # the page must say so rather than spin forever
            job.error = f"入库时出错：{type(exc).__name__}: {exc}"
            for ji in job.items:
                if ji.status == "waiting":
                    ji.status, ji.message = "failed", "入库中断"
        finally:
            job.seconds = time.monotonic() - t0
            job.finished = True

    def _resolve(self, job: Job) -> None:
        """Each stored (or already stored) file's report, with its counts after the cross-year pass."""
        shas = [ji.sha256 for ji in job.items if ji.status in ("stored", "skipped", "replaced") and ji.sha256]
        found = {s.sha256: s for s in self.store.reports(sha256=shas)} if shas else {}
        for ji in job.items:
            s = found.get(ji.sha256)
            if s is not None:
                ji.report_id, ji.agency, ji.year = s.id, s.agency, s.year
                ji.n_errors, ji.n_warnings = s.n_errors, s.n_warnings
