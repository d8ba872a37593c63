"""Run the command-line examples of README.md and docs/*.md and compare them with their real output.

An example is a ```console block whose first line is `$ xxgk …`, with output lines after the
command (a block of commands only is a list, not an example).  In the shown output, a line that is
only `…` stands for any number of lines, and `…` inside a line for any text; everything else must
be what the command prints today.  Paths under ../shared/seeds are read from $XXGK_SEEDS when set.

    python scripts/doc_examples.py            # check every example; print the real output of any that differ
    python scripts/doc_examples.py --show     # print the real output of every example
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOWN_SEEDS = "../shared/seeds"


@dataclass
class Example:
    file: Path
    line: int  # of the command, 1-based
    command: str
    shown: str  # the output as the page shows it


def examples(files: list[Path] | None = None) -> list[Example]:
    out = []
    for f in files or [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = f.read_text(encoding="utf-8")
        for m in re.finditer(r"^```console\n(.*?)^```", text, re.S | re.M):
            lines = m.group(1).splitlines()
            if not lines or not lines[0].startswith("$ xxgk ") or all(l.startswith("$ ") for l in lines):
                continue
            start = text[:m.start()].count("\n") + 2
            cmd, shown, at = None, [], start
            for i, line in enumerate(lines):
                if line.startswith("$ "):
                    if cmd is not None:
                        out.append(Example(f, at, cmd, "\n".join(shown)))
                    cmd, shown, at = line[2:], [], start + i
                else:
                    shown.append(line)
            out.append(Example(f, at, cmd, "\n".join(shown)))
    return out


def seeds_dir() -> Path:
    return Path(os.environ.get("XXGK_SEEDS", ROOT.parent / "shared" / "seeds"))


def run(ex: Example) -> str:
    """The command's standard output as the page would show it (seed paths as ../shared/seeds)."""
    args = shlex.split(ex.command)
    assert args[0] == "xxgk", ex.command
    seeds = str(seeds_dir())
    args = [a.replace(SHOWN_SEEDS, seeds) for a in args[1:]]
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}
    r = subprocess.run([sys.executable, "-m", "xxgk", *args], cwd=ROOT, capture_output=True, text=True,
                       timeout=600, env=env)
    return r.stdout.replace(seeds, SHOWN_SEEDS).rstrip("\n")


def pattern(shown: str) -> re.Pattern:
    parts = []
    for line in shown.split("\n"):
        if line.strip() == "…":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(p) for p in line.split("…")) + r"\n")
    return re.compile("".join(parts), re.S)


def matches(shown: str, real: str) -> bool:
    return pattern(shown).fullmatch(real + "\n") is not None


def main(argv: list[str]) -> int:
    bad = 0
    for ex in examples():
        real = run(ex)
        ok = matches(ex.shown, real)
        bad += not ok
        if "--show" in argv or not ok:
            print(f"{'OK ' if ok else 'DIFFERS'} {ex.file.relative_to(ROOT)}:{ex.line}  $ {ex.command}")
            print(real if "--show" in argv or not ok else "", end="\n\n")
        else:
            print(f"OK {ex.file.relative_to(ROOT)}:{ex.line}  $ {ex.command}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
