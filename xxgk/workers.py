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
