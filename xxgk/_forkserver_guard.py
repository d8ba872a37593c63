"""Preloaded into the multiprocessing forkserver of xxgk's pools (see xxgk.workers): the
forkserver exits when the process that started it dies, even by kill -9."""

import os
import sys


def _in_forkserver() -> bool:
    main = getattr(sys.modules.get("__main__"), "main", None)
    return getattr(main, "__module__", "") == "multiprocessing.forkserver"


if _in_forkserver():
    from .workers import watch

    if os.getppid() == 1:  # the main process is gone already
        os._exit(1)
    watch(os.getppid())
