"""OCR quality on generated scans: how many Table 2/3/4 cells come out right, flagged (doubtful or
unplaced, with a finding) or wrong (a wrong number taken as read — must stay 0), and the time per
page.  Usage: python scripts/ocr_quality.py [MIN_WIDTH]   (MIN_WIDTH overrides ocr._MIN_WIDTH)"""

from __future__ import annotations

import random
import sys
import time

from xxgk import parse_bytes
from xxgk.readers import ocr
from xxgk.synth import random_report
from xxgk.synth.pdfs import image_pdf, render_pages, write_pdf

# (seed, template, rotation in degrees, noise): a clean scan and two turned, noisy ones
SCANS = ((31, "2021", 0.0, 0.0), (32, "2019", -1.0, 0.08), (33, "2021", 0.7, 0.05))


def main() -> None:
    if len(sys.argv) > 1:
        ocr._MIN_WIDTH = int(sys.argv[1])
    counts = {"right": 0, "flagged": 0, "wrong": 0}
    pages, t0 = 0, time.perf_counter()
    for seed, template_id, angle, noise in SCANS:
        rep = random_report(random.Random(seed), template_id, zero_share=0.05)
        images = render_pages(write_pdf(rep), dpi=200, angle=angle, noise=noise, seed=seed)
        pages += len(images)
        report = parse_bytes(image_pdf(images), "scan.pdf")
        for table, rows in rep.values.items():
            for row, cols in rows.items():
                for col, want in cols.items():
                    v = report.tables[table][row][col]
                    if v.value == want and v.status in ("read", "inferred"):
                        counts["right"] += 1
                    elif v.status in ("doubtful", "unplaced") or v.value is None:
                        counts["flagged"] += 1
                    else:
                        counts["wrong"] += 1
    print(f"min width {ocr._MIN_WIDTH}: {counts}, {(time.perf_counter() - t0) / pages:.1f} s per page ({pages} pages)")


if __name__ == "__main__":
    main()
