"""CPU time per text report: read + extract + check, median over the seeds and over generated
reports in every layout.  Usage: python scripts/bench_parse.py [N_GENERATED] [SEEDS_DIR]"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

from xxgk import parse_bytes
from xxgk.synth import random_report
from xxgk.synth.layouts import LAYOUTS, write


def timed(data: bytes, repeat: int = 1) -> float:
    """CPU time of one parse (process time, so other work on the machine does not count)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        parse_bytes(data, "bench.txt")
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seeds = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
    parse_bytes(b"warm up", "x.txt")  # imports, caches
    if seeds.is_dir():
        per_seed = {p.name: timed(p.read_bytes(), repeat=20) for p in sorted(seeds.glob("*.txt"))}
        for name, t in per_seed.items():
            print(f"seed {name}: {t * 1000:.2f} ms")
        print(f"seeds: median {statistics.median(per_seed.values()) * 1000:.2f} ms per report")
    rng = random.Random(2024)
    docs = []
    for i in range(n):
        rep = random_report(rng, zero_share=0.05)
        docs.append((LAYOUTS[i % len(LAYOUTS)], write(rep, LAYOUTS[i % len(LAYOUTS)], rng).encode("utf-8")))
    times: dict[str, list[float]] = {}
    t0 = time.perf_counter()
    for layout, data in docs:
        times.setdefault(layout, []).append(timed(data))
    total = time.perf_counter() - t0
    for layout, ts in times.items():
        print(f"generated {layout:9s}: median {statistics.median(ts) * 1000:.2f} ms  p95 {sorted(ts)[int(len(ts) * 0.95)] * 1000:.2f} ms")
    allt = [t for ts in times.values() for t in ts]
    print(f"generated all ({n}): median {statistics.median(allt) * 1000:.2f} ms CPU per report, "
          f"{n / sum(allt):.0f} reports/s per core (wall {n / total:.0f}/s)")


if __name__ == "__main__":
    main()
