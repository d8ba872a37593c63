"""Ingest files, folders and zip archives into the corpus, in parallel and in constant memory.

The main process walks the inputs, hashes each file and drops those already stored by this
parser version (one query per chunk of files), hands the rest to worker processes that read,
extract and check them and turn them into rows (xxgk.store.rows.report_rows), and writes the
rows back in batches, each batch one transaction: a report is stored whole or not at all, so an
interrupted ingest (Ctrl-C, kill -9, power loss) leaves a consistent corpus and the next run
does the rest.  At most a fixed number of files is in flight, so memory does not grow with the
number of files.  At the end, cross-year findings are computed for the agencies touched.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import signal
import threading
import time
import zipfile
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import sqlalchemy as sa

from .. import PARSER_VERSION
from ..inputs import Item, Reader, read_item, walk
from .core import Store, WriteCounts
from .rows import ReportRows

if TYPE_CHECKING:
    from .ray_engine import RayExecutor

MAX_IN_FLIGHT_BYTES = 128 << 20  # file bytes handed to the workers and not yet back
# imported once into the forkserver; the guard ends it with the main process (xxgk.workers)
FORKSERVER_PRELOAD = ["xxgk._forkserver_guard", "xxgk.store.rows", "xxgk.pipeline"]


# ---- the workers ----------------------------------------------------------------------------------

Task = list[tuple[str, str, "bytes | tuple[str, ...]"]]  # (path, name, data, or the chain to read it by)
Outcome = tuple  # ("ok", ReportRows) | ("fail", path, sha256, reason, message)


def _init_worker(owner_pid: int | None = None) -> None:
    """Ctrl-C is the main process's to handle; the worker exits when the main process dies
    (kill -9 included), see xxgk.workers."""
    from ..workers import init_worker

    init_worker(owner_pid or os.getppid())


MEMORY_MESSAGE = "读取此文件所需内存超出上限，已停止（文件可能过大或结构异常）"


def parse_task(task: Task, dialect: str = "sqlite") -> list[Outcome]:
    """Read, extract, check and convert each file of a task (runs in a worker process); the
    cells come packed for the database's driver."""
    from ..pipeline import parse_bytes
    from ..readers import ReadError
    from .rows import report_rows

    out: list[Outcome] = []
    for path, name, data in task:
        if not isinstance(data, bytes):  # a path on a filesystem this worker shares (--ray-input paths)
            try:
                data = read_item(Item(path, tuple(data)))
            except Exception as exc:  # OSError, a damaged archive
                out.append(("fail", path, "", "os-error", f"无法读取文件：{getattr(exc, 'strerror', None) or exc}"))
                continue
        sha = hashlib.sha256(data).hexdigest()
        try:
            report = parse_bytes(data, name, path=path)
            out.append(("ok", report_rows(report).pack(dialect)))
        except ReadError as exc:
            out.append(("fail", path, sha, exc.reason, str(exc)))
        except MemoryError:  # over the worker's memory limit (the desk's parse pool sets one)
            out.append(("fail", path, sha, "memory", MEMORY_MESSAGE))
        except Exception as exc:  # a bug must not stop the batch; say which file and what
            out.append(("fail", path, sha, "internal-error", f"内部错误（{type(exc).__name__}: {exc}），请报告此问题"))
    return out


# ---- the run --------------------------------------------------------------------------------------


@dataclass
class IngestResult:
    files: int = 0  # files seen
    stored: int = 0
    replaced: int = 0
    skipped: int = 0  # already stored by this parser version
    known_failures: int = 0  # failed before with this parser version (not retried)
    failed: int = 0
    cross_year_findings: int = 0
    seconds: float = 0.0
    cross_year_seconds: float = 0.0
    interrupted: bool = False
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def done(self) -> int:
        return self.stored + self.replaced + self.skipped + self.known_failures + self.failed

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict:
        keys = ("files", "stored", "replaced", "skipped", "known_failures", "failed", "cross_year_findings",
                "seconds", "cross_year_seconds", "interrupted")
        return {k: getattr(self, k) for k in keys} | {"rate": round(self.rate, 1), "started": self.started.isoformat()}


Progress = Callable[[IngestResult], None]


class _Run:
    def __init__(self, store: Store, jobs: int, progress: Progress | None, retry_failed: bool,
                 batch_reports: int, commit_seconds: float, task_files: int,
                 engine: RayExecutor | None = None, input_mode: str = "bytes"):
        self.store = store
        self.engine = engine  # None: this machine's process pool
        self.input_mode = input_mode if engine is not None else "bytes"
        self.jobs = max(1, engine.workers if engine is not None else jobs)
        # what a submitted task's future raises when the attempt died rather than answered
        self.broken: tuple[type[BaseException], ...] = (BrokenProcessPool,) + (engine.broken_errors if engine else ())
        self.progress = progress
        self.retry_failed = retry_failed
        self.batch_reports = batch_reports
        self.commit_seconds = commit_seconds
        self.task_files = task_files
        self.result = IngestResult()
        self.rows: list[ReportRows] = []
        self.fails: list[tuple[str, str, str, str]] = []
        self.last_commit = time.monotonic()
        self.pool: ProcessPoolExecutor | None = None
        self.in_flight: dict[Future, Task] = {}
        self.in_flight_bytes = 0
        self.reader = Reader()

    # -- input side --

    def chunks(self, items: Iterable[Item], max_files: int = 128, max_bytes: int = 32 << 20) -> Iterator[Task]:
        """Read and hash items in chunks; yield what is not stored yet (one query per chunk)."""
        if self.input_mode == "paths":
            yield from self._hashed_on_workers(items, max_files)
            return
        chunk: list[tuple[str, str, bytes, str]] = []
        size = 0
        for item in items:
            self.result.files += 1
            try:
                data = self.reader.read(item)
            except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, KeyError) as exc:
                msg = getattr(exc, "strerror", None) or str(exc)
                self.fail(item.path, "", "os-error", f"无法读取文件：{msg}")  # no content: retried next run
                continue
            chunk.append((item.path, item.name, data, hashlib.sha256(data).hexdigest()))
            size += len(data)
            if len(chunk) >= max_files or size >= max_bytes:
                yield self._unknown(chunk)
                chunk, size = [], 0
        if chunk:
            yield self._unknown(chunk)

    def _hashed_on_workers(self, items: Iterable[Item], max_files: int) -> Iterator[Task]:
        """--ray-input paths: the workers read and hash the files on the filesystem they share;
        the tasks carry each file's chain instead of its bytes."""
        from .ray_engine import hash_task

        def hashed(batch: list[tuple[str, str, tuple[str, ...]]]) -> Task:
            assert self.pool is not None
            per = max(1, -(-len(batch) // self.jobs))
            parts = [batch[i : i + per] for i in range(0, len(batch), per)]
            chunk: list[tuple[str, str, tuple[str, ...], str]] = []
            for part, fut in [(part, self.pool.submit(hash_task, part)) for part in parts]:
                try:
                    answers = fut.result()
                except self.broken as exc:
                    for path, _, _ in part:
                        self.fail(path, "", "worker-crash", f"读取此文件时处理进程意外退出（{type(exc).__name__}）")
                    continue
                for path, name, chain, sha in answers:
                    if name is None:
                        self.fail(path, "", "os-error", f"无法读取文件：{sha}")
                    else:
                        chunk.append((path, name, chain, sha))
            return self._unknown(chunk)

        batch: list[tuple[str, str, tuple[str, ...]]] = []
        for item in items:
            self.result.files += 1
            batch.append((item.path, item.name, item.chain))
            if len(batch) >= max_files:
                yield hashed(batch)
                batch = []
        if batch:
            yield hashed(batch)

    def _unknown(self, chunk: list[tuple[str, str, bytes, str]]) -> Task:
        known = self.store.known(sha for *_, sha in chunk)
        failed = set() if self.retry_failed else self.store.known_failures((p, sha) for p, _, _, sha in chunk)
        out: Task = []
        for path, name, data, sha in chunk:
            if sha in known:
                self.result.skipped += 1
            elif (path, sha) in failed:
                self.result.known_failures += 1
            else:
                out.append((path, name, data))
        self.report()
        return out

    # -- output side --

    def fail(self, path: str, sha: str, reason: str, message: str) -> None:
        self.fails.append((path, sha, reason, message))
        self.maybe_flush()

    def take(self, outcomes: list[Outcome]) -> None:
        for o in outcomes:
            if o[0] == "ok":
                self.rows.append(o[1])
            else:
                self.fails.append(o[1:])
        self.maybe_flush()

    def maybe_flush(self) -> None:
        if (len(self.rows) + len(self.fails) >= self.batch_reports
                or time.monotonic() - self.last_commit >= self.commit_seconds):
            self.flush()

    def flush(self) -> None:
        if self.rows or self.fails:
            try:
                counts: WriteCounts = self.store.write(self.rows, self.fails)
            except (sa.exc.IntegrityError, sa.exc.DataError, sa.exc.ProgrammingError):
                counts = self._one_by_one()  # one report the database refuses must not sink the batch
            r = self.result
            r.stored += counts.stored
            r.replaced += counts.replaced
            r.skipped += counts.skipped
            r.failed += counts.failed
            self.rows, self.fails = [], []
        self.last_commit = time.monotonic()
        self.report()

    def _one_by_one(self) -> WriteCounts:
        total = WriteCounts()
        for rows in self.rows:
            try:
                total.add(self.store.write([rows]))
            except (sa.exc.IntegrityError, sa.exc.DataError, sa.exc.ProgrammingError) as exc:
                if rows.sha256 in self.store.known([rows.sha256]):  # another ingest stored it meanwhile
                    total.skipped += 1
                    continue
                path = rows.report.get("source_path") or rows.report.get("source_name") or "?"
                total.add(self.store.write([], [(path, rows.sha256, "store-error", f"无法写入数据库：{exc.orig}")]))
        total.add(self.store.write([], self.fails))
        return total

    def report(self) -> None:
        if self.progress:
            self.result.seconds = time.monotonic() - self.t0
            self.progress(self.result)

    # -- the pool --

    def new_pool(self) -> ProcessPoolExecutor | RayExecutor:
        if self.engine is not None:
            return self.engine
        # forkserver: workers start from a clean process that holds no database connection
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(FORKSERVER_PRELOAD)
        return ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init_worker, initargs=(os.getpid(),))

    def submit(self, task: Task) -> None:
        assert self.pool is not None
        # enough queued to keep the workers busy while a batch is written, and no more
        while self.in_flight and (len(self.in_flight) >= self.jobs * 16 or self.in_flight_bytes >= MAX_IN_FLIGHT_BYTES):
            self.harvest()
        self.in_flight[self.pool.submit(parse_task, task, self.store.dialect)] = task
        self.in_flight_bytes += sum(len(d) for _, _, d in task)

    def harvest(self, timeout: float | None = None) -> None:
        done, _ = wait(list(self.in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
        broken: list[Task] = []
        for fut in done:
            task = self.in_flight.pop(fut)
            self.in_flight_bytes -= sum(len(d) for _, _, d in task)
            try:
                self.take(fut.result())
            except self.broken:
                broken.append(task)
        if broken:
            self.recover(broken)

    def recover(self, broken: list[Task]) -> None:
        """A worker died (a crash in a native library on some file): every task in flight is
        lost.  Redo them one file at a time in a fresh pool; the file that kills a worker again
        is recorded as failed."""
        if self.engine is not None:  # Ray: the other tasks in flight are unharmed (and were retried already)
            lost = broken
        else:
            lost = broken + list(self.in_flight.values())
            self.in_flight.clear()
            self.in_flight_bytes = 0
            if self.pool is not None:
                self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self.new_pool()
        for task in lost:
            for one in task:
                try:
                    self.take(self.pool.submit(parse_task, [one], self.store.dialect).result())
                except self.broken:
                    path, _, data = one
                    sha = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else ""
                    self.fail(path, sha, "worker-crash", "读取此文件时处理进程意外退出")
                    if self.engine is None:
                        self.pool.shutdown(wait=False, cancel_futures=True)
                        self.pool = self.new_pool()

    def run(self, items: Iterable[Item]) -> IngestResult:
        self.t0 = time.monotonic()
        try:
            if self.jobs == 1 and self.engine is None:  # in this process: no start-up cost, easy to debug and profile
                for task in self.chunks(items):
                    for i in range(0, len(task), self.task_files):
                        self.take(parse_task(task[i : i + self.task_files], self.store.dialect))
            else:
                self.pool = self.new_pool()
                for task in self.chunks(items):
                    for i in range(0, len(task), self.task_files):
                        self.submit(task[i : i + self.task_files])
                    if self.in_flight:
                        self.harvest(timeout=0)  # write what is done while the workers go on
                while self.in_flight:
                    self.harvest()
            self.flush()
            t = time.monotonic()
            self.result.cross_year_findings = self.store.update_cross_year(executor=self.pool)
            self.result.cross_year_seconds = time.monotonic() - t
        except KeyboardInterrupt:
            # what is written is whole; the batch being written was rolled back by its transaction
            self.result.interrupted = True
        finally:
            self.reader.close()
            if self.pool is not None and self.engine is None:  # on an interrupt, don't wait: workers finish their task and exit
                self.pool.shutdown(wait=not self.result.interrupted, cancel_futures=True)
            self.result.seconds = time.monotonic() - self.t0
        return self.result


def ingest(
    store: Store,
    paths: Iterable[str | os.PathLike],
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    retry_failed: bool = False,
    batch_reports: int = 128,
    commit_seconds: float = 2.0,
    task_files: int = 8,
    engine: str = "local",
    ray_address: str | None = None,
    ray_input: str = "bytes",
) -> IngestResult:
    """Ingest every report under `paths` into `store`; see the module docstring.  `progress` is
    called with the running IngestResult after each chunk and each commit.  A Ctrl-C (or
    SIGTERM) stops cleanly: the result says interrupted, and what was committed stays.

    `engine="ray"` parses in Ray tasks (xxgk.store.ray_engine): a local Ray runtime, or the
    cluster at `ray_address`; `ray_input` is "bytes" (the driver ships file contents) or "paths"
    (the nodes share the filesystem).  Storing, idempotence and failures are the same."""
    if engine not in ("local", "ray"):
        raise ValueError(f"engine must be local or ray, not {engine!r}")
    jobs = jobs or os.cpu_count() or 1
    skip = [store.path, *(Path(f"{store.path}{s}") for s in ("-wal", "-shm", "-journal"))] if store.path else []
    executor = None
    if engine == "ray":
        from .ray_engine import INPUT_MODES, RayExecutor

        if ray_input not in INPUT_MODES:
            raise ValueError(f"ray_input must be one of {INPUT_MODES}, not {ray_input!r}")
        executor = RayExecutor(ray_address, jobs)
    run = _Run(store, jobs, progress, retry_failed, batch_reports, commit_seconds, task_files, executor, ray_input)
    main = threading.current_thread() is threading.main_thread()
    own_term = main and signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None)
    if own_term:  # kill → the same clean stop as Ctrl-C
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return run.run(walk(paths, skip))
    finally:
        if executor is not None:
            executor.shutdown()
        if own_term:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


def count_files(paths: Iterable[str | os.PathLike], store: Store | None = None) -> int:
    """How many files an ingest of `paths` will see (for a progress bar's total)."""
    skip = [store.path] if store is not None and store.path else []
    return sum(1 for _ in walk(paths, skip))


__all__ = ["ingest", "walk", "count_files", "read_item", "Item", "IngestResult", "parse_task", "PARSER_VERSION"]
