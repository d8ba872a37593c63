"""False-alarm rate of the checks on generated consistent reports (both templates, every layout,
encodings, Traditional): every error or warning on such a report is a false alarm.
Usage: python scripts/false_alarms.py [N]"""

import random
import sys
from collections import Counter

from xxgk import parse_bytes
from xxgk.synth import random_report
from xxgk.synth.layouts import LAYOUTS, encode, write


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rng = random.Random(7)
    alarms: Counter = Counter()
    flagged = 0
    for i in range(n):
        rep = random_report(rng, zero_share=rng.choice((0.0, 0.05, 0.3)))
        enc = rng.choice(("utf-8", "gb18030", "utf-16", "utf-8-sig"))
        data = encode(write(rep, LAYOUTS[i % len(LAYOUTS)], rng), enc, traditional=rng.random() < 0.2)
        report = parse_bytes(data, "generated.txt")
        bad = [f.code for f in report.findings if f.severity.value != "info"]
        alarms.update(bad)
        flagged += bool(bad)
    print(f"{n} consistent generated reports: {flagged} with an error or warning ({flagged / n:.2%})")
    for code, k in alarms.most_common():
        print(f"  {code}: {k}")


if __name__ == "__main__":
    main()
