"""CPU time per text report: read + extract + check, median over the seeds and over generated
reports in every layout — beside the floor measured in the same run on the same files: a bare
read, decode and one regex pass, what any reader of these files has to pay at least.

Usage: python scripts/bench_parse.py [N_GENERATED] [SEEDS_DIR] [--stages] [--repeat=K]

Each document is parsed once (as in a batch run); --repeat=K keeps the fastest of K runs (warm
caches, less disturbed by other work on the machine).  Prints, per corpus, the median CPU time of
our parse, of the floor, and their ratio; with
--stages also where the parse spends its time (reading, template detection, sections, meta,
tables, settling, narrative, checks, the rest), as the median share per report."""

from __future__ import annotations

import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import xxgk.extract as X
import xxgk.pipeline as P
from xxgk import parse_bytes, parse_path
from xxgk.synth import random_report
from xxgk.synth.layouts import LAYOUTS, write

_FLOOR_RX = re.compile(r"\d+")
REPEAT = 1  # each document parsed once, as in a batch run (its lines not yet in the caches)


def floor(path: Path) -> int:
    """The bare pass: read the file, decode it and run one regex over the text."""
    return len(_FLOOR_RX.findall(path.read_bytes().decode("utf-8", "replace")))


def cpu(fn, data, repeat: int | None = None) -> float:
    repeat = repeat or REPEAT
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time_ns()
        fn(data)
        best = min(best, time.process_time_ns() - t)
    return best / 1e9


def parse(path: Path):
    return parse_path(path)


# ---- per-stage timing: wrap the stage functions where the pipeline looks them up ------------

STAGES = {
    "read": (P, "read_bytes"),
    "template": (X, "detect_template"),
    "sections": (X, "find_sections"),
    "meta": (X, "find_meta"),
    "tables": (X, "read_tables"),
    "settle": (X, "settle"),
    "cutoff": (X, "distrust_cut_token"),
    "narrative": (X, "claims"),
    "checks": (P.checks, "run"),
}
_spent: dict[str, int] = {}


def _wrap(name: str, fn):
    def timed(*a, **kw):
        t = time.process_time_ns()
        try:
            return fn(*a, **kw)
        finally:
            _spent[name] = _spent.get(name, 0) + time.process_time_ns() - t

    return timed


def stage_profile(docs: list[Path]) -> dict[str, float]:
    """Median CPU ms per stage over the documents (one timed parse each)."""
    originals = {}
    for name, (mod, attr) in STAGES.items():
        if hasattr(mod, attr):
            originals[name] = getattr(mod, attr)
            setattr(mod, attr, _wrap(name, originals[name]))
    per: dict[str, list[float]] = {name: [] for name in originals}
    per["rest"] = []
    try:
        for data in docs:
            _spent.clear()
            t = time.process_time_ns()
            parse(data)
            total = time.process_time_ns() - t
            for name in originals:
                per[name].append(_spent.get(name, 0) / 1e6)
            per["rest"].append((total - sum(_spent.values())) / 1e6)
    finally:
        for name, (mod, attr) in STAGES.items():
            if name in originals:
                setattr(mod, attr, originals[name])
    return {name: statistics.median(v) for name, v in per.items() if v}


def report(label: str, docs: list[Path]) -> tuple[float, float]:
    ours, bare = [], []
    for d in docs:  # interleaved, so that both see the same load on the machine
        ours.append(cpu(parse, d))
        bare.append(cpu(floor, d))
    o, f = statistics.median(ours), statistics.median(bare)
    print(f"{label:24s} parse {o * 1000:7.3f} ms   floor {f * 1000:7.4f} ms   ratio {o / f:6.1f}x   "
          f"(median CPU per report, n={len(docs)}, p95 parse {sorted(ours)[int(len(ours) * 0.95)] * 1000:.3f} ms)")
    return o, f


def main() -> None:
    global REPEAT
    for a in sys.argv[1:]:
        if a.startswith("--repeat="):  # time each document N times and keep the fastest (warm caches)
            REPEAT = max(1, int(a.split("=", 1)[1]))
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 500
    seeds = Path(args[1]) if len(args) > 1 else Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
    if not seeds.is_dir():
        seeds = Path("/work/shared/seeds")
    parse_bytes(b"warm up", "x.txt")  # imports, caches
    rng = random.Random(2024)
    tmp = Path(tempfile.mkdtemp(prefix="bench_parse_"))
    by_layout: dict[str, list[Path]] = {}
    for i in range(n):
        rep = random_report(rng, zero_share=0.05)
        layout = LAYOUTS[i % len(LAYOUTS)]
        path = tmp / f"{i:05d}_{layout}.txt"
        path.write_bytes(write(rep, layout, rng).encode("utf-8"))
        by_layout.setdefault(layout, []).append(path)
    seed_docs = sorted(seeds.glob("*.txt")) if seeds.is_dir() else []
    for d in seed_docs[:1] + [by_layout[LAYOUTS[0]][0]]:
        parse(d)  # warm the caches the way a batch run has them
    if seed_docs:
        report("seeds", seed_docs)
    for layout, docs in by_layout.items():
        report(f"generated {layout}", docs)
    everything = [d for docs in by_layout.values() for d in docs]
    o, f = report(f"generated all ({n})", everything)
    print(f"=> text parse {o * 1000:.3f} ms CPU per report, floor {f * 1000:.4f} ms, ratio {o / f:.1f}x")
    if "--stages" in sys.argv:
        stages = stage_profile(everything + seed_docs)
        total = sum(stages.values())
        print("stages (median ms per report; the medians need not add up to the total):")
        for name, ms in stages.items():
            print(f"  {name:11s} {ms:7.3f} ms  {ms / total:5.1%}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
