"""`xxgk ingest --engine ray`: the ingest's parsing done by Ray tasks, on this machine or a cluster.

Ray is only the executor.  The ingest itself (xxgk.store.ingest) is the same for both engines: the
driver walks the inputs, asks the store which contents are already there, hands the rest out in
tasks, and writes what comes back in batches, each batch one transaction.  A task only reads,
parses and checks — it never writes to the database — so Ray's retry of a task whose worker or node
died can neither lose nor duplicate a report: the driver stores what the one successful attempt
returns, keyed by the content's sha256 and the parser version.

Two ways to feed the tasks (`--ray-input`):

- ``bytes`` (default): the driver reads each file and ships its bytes in the task (through Ray's
  object store).  Works when the nodes share nothing; the driver's disk and network are the limit.
- ``paths``: every node sees the same filesystem (NFS, CephFS, a bucket mounted with a FUSE
  driver).  The driver ships only paths; a first round of tasks hashes the files on the workers,
  the driver drops what is already stored, and the parse tasks read the files themselves.

Every node needs the same xxgk (and parser version) installed; `xxgk` is not shipped as a
runtime environment, so that an upgrade is explicit.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import Future
from typing import Any, Callable

INSTALL_HINT = "需要 Ray：pip install 'xxgk[ray]'"
INPUT_MODES = ("bytes", "paths")


class RayUnavailable(RuntimeError):
    pass


def _ray():
    try:
        import ray
    except ImportError as exc:  # the extra is not installed
        raise RayUnavailable(INSTALL_HINT) from exc
    return ray


class RayExecutor:
    """The little of concurrent.futures.Executor the ingest uses (submit → Future, shutdown), over
    Ray tasks.  Joins a running Ray runtime when there is one in this process, connects to
    `address` (``auto``, ``ray://host:10001``, ``host:6379``) when given, else starts a local
    runtime with `jobs` CPUs; shuts down only what it started."""

    def __init__(self, address: str | None = None, jobs: int | None = None, *, retries: int = 3):
        ray = _ray()
        self._ray = ray
        self.own = False
        if not ray.is_initialized():
            kw: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
            try:
                if address:
                    ray.init(address=address, **kw)
                else:
                    ray.init(num_cpus=jobs or os.cpu_count() or 1, **kw)
            except ConnectionError as exc:
                raise RayUnavailable(f"无法连接 Ray 集群 {address}：{exc}") from exc
            self.own = True
        self.retries = retries
        self._remote: dict[Callable, Any] = {}
        # errors that mean "the attempt died", not "the function raised": the ingest redoes the
        # files of such a task one by one, and records a file that kills its worker every time
        exc = ray.exceptions
        self.broken_errors: tuple[type[BaseException], ...] = tuple(
            e for e in (getattr(exc, n, None) for n in ("WorkerCrashedError", "NodeDiedError", "ObjectLostError",
                                                          "OwnerDiedError", "RaySystemError", "TaskCancelledError"))
            if e is not None)

    @property
    def workers(self) -> int:
        """CPUs of the cluster (how many tasks run at once)."""
        return max(1, int(self._ray.cluster_resources().get("CPU", 1)))

    def submit(self, fn: Callable, *args) -> Future:
        remote = self._remote.get(fn)
        if remote is None:
            # retry_exceptions stays False: a task's own exception is an answer, not a failure
            remote = self._remote[fn] = self._ray.remote(max_retries=self.retries, num_cpus=1)(fn)
        return remote.remote(*args).future()

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        if self.own and self._ray.is_initialized():
            self._ray.shutdown()
            self.own = False


def hash_task(items: list[tuple[str, str, tuple[str, ...]]]) -> list[tuple]:
    """In `paths` mode, on a worker: the sha256 of each file, read through its chain (a path on
    the shared filesystem, then zip member names).  → (path, name, chain, sha256) or
    (path, None, None, message) when the file cannot be read."""
    from ..inputs import Reader, Item

    reader = Reader()
    out: list[tuple] = []
    try:
        for path, name, chain in items:
            try:
                data = reader.read(Item(path, chain))
            except Exception as exc:  # OSError, a damaged archive: the file fails with its message
                out.append((path, None, None, getattr(exc, "strerror", None) or str(exc)))
                continue
            out.append((path, name, chain, hashlib.sha256(data).hexdigest()))
    finally:
        reader.close()
    return out
