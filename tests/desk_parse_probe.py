"""A parse target for the desk's worker pool in tests (xxgk.web.jobs.ParseLimits.target): files
named slow* take ten minutes, files named huge* ask for 8 GB, the rest are parsed as usual."""

import time


def parse_task(task, dialect="sqlite"):
    from xxgk.store.ingest import parse_task as real

    for _, name, _ in task:
        if name.startswith("slow"):
            time.sleep(600)
        if name.startswith("huge"):
            hog = bytearray(8 << 30)  # noqa: F841 - over the worker's memory limit
    return real(task, dialect)
