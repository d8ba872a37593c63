"""Worker processes that do not outlive the process that started them.

`xxgk ingest` and the desk parse in worker processes started by a forkserver.  When their parent
is killed outright (kill -9, the OOM killer), nothing tells them: a worker waiting for its next
task would wait for ever, and with it the forkserver and the resource tracker.  So:

- every worker asks the kernel for SIGKILL when its parent (the forkserver) dies
  (prctl PR_SET_PDEATHSIG, Linux), and watches the process that owns the pool from a daemon
  thread (a pidfd on Linux, else polling) and exits when it is gone;
- the forkserver watches the main process the same way (the module xxgk._forkserver_guard,
  preloaded into it; not PR_SET_PDEATHSIG, which fires when the *thread* that started it ends —
  in the desk, a worker thread of the web server).

The resource tracker then sees its pipe closed by everyone and exits by itself.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send `sig` to this process when its parent exits (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch(pid: int, interval: float = 0.5) -> threading.Thread | None:
    """A daemon thread that ends this process (os._exit) as soon as process `pid` is gone."""
    if pid <= 1 or pid == os.getpid():
        return None

    def run():
        fd = None
        try:
            fd = os.pidfd_open(pid)  # readable when the process exits (Linux ≥ 5.3)
        except (AttributeError, OSError):
            pass
        if fd is not None:
            select.select([fd], [], [])
        else:
            while _alive(pid):
                time.sleep(interval)
        os._exit(1)

    t = threading.Thread(target=run, name=f"xxgk-watch-{pid}", daemon=True)
    t.start()
    return t


def init_worker(owner_pid: int) -> None:
    """Initializer of xxgk's process pools: Ctrl-C is the owner's to handle; exit with the
    forkserver (parent) and with the owner of the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    if os.getppid() == 1:  # the parent died before we asked
        os._exit(1)
    if not _alive(owner_pid):
        os._exit(1)
    watch(owner_pid)


# ---- a bounded pool of parse workers (the desk) ---------------------------------------------------


def _vsize() -> int:
    """This process's virtual memory size in bytes (Linux), 0 when unknown."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _resolve(target: str):
    import importlib

    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _limit_memory(budget: int) -> None:
    """RLIMIT_AS at what this process has mapped now plus `budget` bytes: an allocation beyond
    that fails with MemoryError instead of taking the machine's memory."""
    import resource

    limit = _vsize() + budget
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _serve(conn, target: str, memory_bytes: int, owner_pid: int) -> None:
    """A worker of ParsePool: runs `target(*args)` for each task received, one at a time."""
    init_worker(owner_pid)
    fn = _resolve(target)
    if memory_bytes:
        _limit_memory(memory_bytes)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            result = fn(*task)
        except MemoryError:
            result = None
        try:
            conn.send(("ok", result) if result is not None else ("memory", None))
        except MemoryError:
            return  # the parent sees the pipe close
        if result is None or _memory_outcome(result):
            return  # after a MemoryError the heap may be fragmented: a fresh worker takes over


def _memory_outcome(result) -> bool:
    return isinstance(result, list) and any(isinstance(o, tuple) and len(o) > 3 and o[3] == "memory" for o in result)


class PoolOutcome:
    OK, TIMEOUT, MEMORY, CRASH = "ok", "timeout", "memory", "crash"


class ParsePool:
    """At most `workers` processes run `target` (a "module:function" name), one task each at a
    time, each under a memory budget (RLIMIT_AS) and a time limit: a task over its time is
    killed with its worker, a worker that died is replaced, and the caller gets the outcome
    (ok / timeout / memory / crash) for that one task.  Thread-safe; callers beyond `workers`
    wait for a free worker.  Workers exit with this process (init_worker)."""

    def __init__(self, target: str, workers: int = 2, seconds: float = 60.0, memory_mb: int = 1024,
                 preload: tuple[str, ...] = ()):
        import multiprocessing as mp
        import queue

        self.target, self.size, self.seconds, self.memory_mb = target, max(1, workers), seconds, memory_mb
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["xxgk._forkserver_guard", *preload])
        self._idle: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._started = 0
        self._all: set = set()
        self._closed = False

    def _spawn(self):
        parent, child = self._ctx.Pipe()
        p = self._ctx.Process(target=_serve, args=(child, self.target, self.memory_mb << 20, os.getpid()),
                              name="xxgk-parse", daemon=True)
        p.start()
        child.close()
        w = (p, parent)
        with self._lock:
            self._all.add(w)
        return w

    def _take(self):
        with self._lock:
            if self._closed:
                raise RuntimeError("pool closed")
            grow = self._idle.empty() and self._started < self.size
            if grow:
                self._started += 1
        if grow:
            return self._spawn()
        w = self._idle.get()
        if w is None:  # woken by shutdown
            self._idle.put(None)
            raise RuntimeError("pool closed")
        return w

    def _drop(self, w) -> None:
        p, conn = w
        if p.is_alive():
            p.kill()
        p.join(5)
        conn.close()
        with self._lock:
            self._all.discard(w)

    def _give_back(self, w, healthy: bool) -> None:
        if not healthy:
            self._drop(w)
            with self._lock:
                if self._closed:
                    return
            w = self._spawn()  # replaced at once: the pool keeps its size
        with self._lock:
            closed = self._closed
        if closed:
            self._drop(w)
        else:
            self._idle.put(w)

    def run(self, *args) -> tuple[str, object]:
        """(outcome, target's result or None) of one task."""
        w = self._take()
        p, conn = w
        healthy = False
        try:
            conn.send(args)
            if not conn.poll(self.seconds):
                return PoolOutcome.TIMEOUT, None
            try:
                kind, result = conn.recv()
            except (EOFError, OSError):
                p.join(1)
                return (PoolOutcome.MEMORY if p.exitcode == -signal.SIGKILL else PoolOutcome.CRASH), None
            if kind == "memory":
                return PoolOutcome.MEMORY, None
            healthy = not _memory_outcome(result)
            return PoolOutcome.OK, result
        except (BrokenPipeError, EOFError, OSError):
            return PoolOutcome.CRASH, None
        finally:
            self._give_back(w, healthy)

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
        for p, conn in workers:
            try:
                conn.send(None)
            except OSError:
                pass
        self._idle.put(None)  # wakes whoever waits for a worker
        for w in workers:
            w[0].join(2)
            self._drop(w)
