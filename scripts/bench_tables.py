"""CPU time of the table stage alone (extract.tables.read_tables), this checkout against another
one, in the same process, on the same generated reports and seeds, interleaved, best of 7.

    python scripts/bench_tables.py --base /work/main [N_GENERATED] [SEEDS_DIR]

Each checkout reads the documents with its own reader; only read_tables is timed."""

from __future__ import annotations

import argparse
import importlib
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

LAYOUTS = ("tsv", "pdf", "tab-cell", "cells", "pipe")  # the layouts both checkouts know


def prepare(pkg: str, texts: list[bytes]):
    readers = importlib.import_module(pkg + ".readers")
    extract = importlib.import_module(pkg + ".extract")
    tables = importlib.import_module(pkg + ".extract.tables")
    templates = importlib.import_module(pkg + ".template")
    docs = []
    for data in texts:
        doc = readers.read_bytes(data, "bench.txt")
        tpl = extract.detect_template(doc) or templates.get(templates.LATEST)
        docs.append((doc, tpl, extract.find_sections(doc, tpl)))
    fn = tables.read_tables
    takes_sections = "sections" in fn.__code__.co_varnames[: fn.__code__.co_argcount]
    return lambda: [fn(d, t, s) if takes_sections else fn(d, t) for d, t, s in docs]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="the other checkout (its xxgk package is copied and imported as xxgk_base)")
    ap.add_argument("n", nargs="?", type=int, default=300)
    ap.add_argument("seeds", nargs="?", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "seeds"))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(Path(args.base) / "xxgk", tmp / "xxgk_base")
    sys.path.insert(0, str(tmp))
    from xxgk.synth import random_report
    from xxgk.synth.layouts import write

    rng = random.Random(2024)
    texts = [write(random_report(rng, zero_share=0.05), LAYOUTS[i % 5], rng).encode() for i in range(args.n)]
    texts += [p.read_bytes() for p in sorted(Path(args.seeds).glob("*.txt"))]
    base, here = prepare("xxgk_base", texts), prepare("xxgk", texts)
    base(), here()
    tb, th = [], []
    for _ in range(7):
        t = time.process_time(); base(); tb.append(time.process_time() - t)
        t = time.process_time(); here(); th.append(time.process_time() - t)
    n = len(texts)
    print(f"table stage over {n} reports, best of 7: base {min(tb) / n * 1000:.3f} ms, "
          f"this {min(th) / n * 1000:.3f} ms per report (ratio {min(th) / min(tb):.2f})")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
