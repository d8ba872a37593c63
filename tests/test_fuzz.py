"""A short seeded run of the fuzz harness (scripts/fuzz.py): a few hundred mutated synthetic
inputs, each parsed in a worker with time and memory limits — none may crash, hang or run out of
memory.  (The long run's figures are in docs/limits.md.)"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "fuzz.py"


def _module():
    spec = importlib.util.spec_from_file_location("xxgk_fuzz", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_inputs_are_reproducible_from_the_seed():
    fuzz = _module()
    seeds = fuzz.make_seeds(5, per_format=1)
    assert {"text", "html", "docx", "zip"} <= set(seeds)
    first = [fuzz.make_input(seeds, 5, i) for i in range(30)]
    again = [fuzz.make_input(seeds, 5, i) for i in range(30)]
    assert first == again
    assert len({d for _, _, d in first}) > 25  # mutated, not the seeds over and over
    assert all(len(d) <= fuzz.MAX_INPUT for _, _, d in first)


def test_run_one_sorts_outcomes():
    fuzz = _module()
    assert fuzz.run_one("text", b"")[0] == "refused"
    assert fuzz.run_one("docx", b"PK\x03\x04" + b"\x00" * 100)[0] == "refused"
    outcome, detail = fuzz.run_one("text", "2023年度政府信息公开工作年度报告\n一、总体情况\n".encode())
    assert outcome == "clean" and detail == ""


def test_short_seeded_run_has_no_crash_hang_or_memory(tmp_path):
    out = tmp_path / "fuzz"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "-n", "240", "--seed", "13", "--workers", "2", "--out", str(out), "--quiet",
         "--formats", "text,html,docx,pdf,zip"],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )
    run = json.loads((out / "results.json").read_text(encoding="utf-8"))
    outcomes = Counter(r["outcome"] for r in run["results"])
    bad = [(r["i"], r["format"], r["mutation"], r["outcome"], r["detail"][-300:]) for r in run["results"]
           if r["outcome"] not in ("clean", "refused")]
    assert not bad, bad
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert sum(outcomes.values()) == 240
    assert outcomes["clean"] > 20 and outcomes["refused"] > 20  # both kinds of outcome are exercised
    for r in run["results"]:
        if r["outcome"] == "refused":
            assert r["detail"] and "\n" not in r["detail"] and "Traceback" not in r["detail"]
    assert "slowest:" in proc.stdout and "format" in proc.stdout
