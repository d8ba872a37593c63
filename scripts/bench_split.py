"""Run-together reports (cells joined with nothing between them, see xxgk/extract/split.py):
the share of cells decided per table, wrong values (must be 0), and CPU time per report against
a baseline measured in the same run over the same texts (a bare read + regex pass), and against
the same reports written as tab-separated text.  Ends with the hostile case (10,000-digit runs).

Usage: python scripts/bench_split.py [N=1000] [--uniform]"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time

from xxgk import parse_bytes
from xxgk.synth import random_report
from xxgk.synth.layouts import write

_DIGITS = re.compile(r"\d+")


def cpu(fn, *a) -> tuple[float, object]:
    t = time.process_time()
    out = fn(*a)
    return time.process_time() - t, out


def bare(data: bytes):
    """The baseline: decode and find every digit run."""
    return len(_DIGITS.findall(data.decode("utf-8")))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1000
    realistic = "--uniform" not in sys.argv
    parse_bytes(b"warm up", "x.txt")
    rng = random.Random(2026)
    docs = []
    for i in range(n):
        rep = random_report(rng, ("2021", "2019")[i % 2], zero_share=0.05, realistic=realistic)
        docs.append((rep, write(rep, "runtogether", rng).encode("utf-8"), write(rep, "tsv", rng).encode("utf-8")))
    decided: dict[str, int] = {}
    cells: dict[str, int] = {}
    wrong = unflagged = 0
    t_split, t_bare, t_tsv = [], [], []
    for rep, data, tsv in docs:
        t, report = cpu(parse_bytes, data, "r.txt")
        t_split.append(t)
        t_bare.append(cpu(bare, data)[0])
        t_tsv.append(cpu(parse_bytes, tsv, "r.txt")[0])
        flagged = {(f.where.get("table"), f.where.get("row")) for f in report.findings if f.code == "CELL_AMBIGUOUS"}
        for table, rows in rep.values.items():
            for row, cols in rows.items():
                for col, want in cols.items():
                    got = report.tables[table][row][col].value
                    cells[table] = cells.get(table, 0) + 1
                    if got is None and want is not None:
                        unflagged += (table, row) not in flagged
                    elif got != want:
                        wrong += 1
                    else:
                        decided[table] = decided.get(table, 0) + 1
    kind = "realistic (mostly 0, few large)" if realistic else "uniform"
    print(f"{n} generated run-together reports, both templates, values {kind}")
    for table in ("active", "requests", "appeals"):
        print(f"  {table:9s} decided {decided.get(table, 0) / cells[table]:.2%} of {cells[table]} cells")
    print(f"  wrong values: {wrong}; null cells not flagged CELL_AMBIGUOUS: {unflagged}")

    def line(name, ts):
        return f"  {name:28s} median {statistics.median(ts) * 1000:7.2f} ms  p99 {sorted(ts)[int(len(ts) * 0.99)] * 1000:7.2f} ms  max {max(ts) * 1000:7.2f} ms"

    print("CPU time per report (same texts, same run):")
    print(line("baseline read + regex", t_bare))
    print(line("parse, run-together", t_split))
    print(line("parse, same report as TSV", t_tsv))
    print(f"  ratio run-together / TSV parse (medians): {statistics.median(t_split) / statistics.median(t_tsv):.1f}x")

    # the hostile case: every Table 3 row an 80-digit run, one 10,000-digit run, Table 4 10,000 digits
    hr = random.Random(1)
    rep = random_report(hr, "2021")
    text = write(rep, "runtogether", hr, one_line=True)
    for m in list(re.finditer(r"(?<=[^\d.])\d{7,}(?=[^\d])", text))[::-1]:
        text = text[: m.start()] + "".join(hr.choice("0123456789") for _ in range(80)) + text[m.end() :]
    text = text.replace("总计结果维持", "总计结果维持", 1)
    text = re.sub(r"(尚未审结总计)(\d+)(?!.*尚未审结总计)", lambda m: m.group(1) + "9" * 10_000, text, count=1)
    text = text.replace("本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量" + "7" * 10_000, 1)
    t, report = cpu(parse_bytes, text.encode("utf-8"), "hostile.txt")
    flagged = sum(1 for f in report.findings if f.code == "CELL_AMBIGUOUS")
    print(f"hostile report ({len(text)} chars, 80-digit rows, 10,000-digit runs): {t * 1000:.0f} ms CPU, {flagged} rows flagged CELL_AMBIGUOUS")
    # the expensive case: every row a run with very many splits (1111…, 1212…), up to the limits
    worst = 0.0
    for pat in ("1" * 20, "1" * 40, "12" * 12, "123456789" * 4, "10" * 15):
        adv = re.sub(r"(?<=[^\d.])\d{7,}(?=[^\d])", pat, write(rep, "runtogether", random.Random(2), one_line=True))
        t, report = cpu(parse_bytes, adv.encode("utf-8"), "adversarial.txt")
        worst = max(worst, t)
    print(f"adversarial reports (every Table 3/4 run 1111…, 1212…, 20–40 digits): worst {worst * 1000:.0f} ms CPU")


if __name__ == "__main__":
    main()
