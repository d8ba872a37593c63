"""Write the rendered example reports: fictional agencies, fixed seeds, both templates, in the
national layout, into examples/rendered/ (one file per format).

    python scripts/make_examples.py                 # txt, docx and html, and one PDF (reportlab)
    python scripts/make_examples.py --formats txt   # only what the text reader can read back

The numbers come from xxgk.synth (every identity holds, carry-over continues from the previous
year for the same agency); one report is left without prose to show the draft skeleton with its
【待补充：…】 marks.  The hand-made layouts in examples/*.txt are not touched.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from xxgk.render import FORMATS, from_mapping, render
from xxgk.synth import random_report

ROOT = Path(__file__).resolve().parents[1]

# (seed, template, year, agency, with prose, previous year's entry of the same agency)
EXAMPLES = (
    (101, "2021", 2023, "西山县云岭镇人民政府", True, None),
    (102, "2021", 2024, "西山县云岭镇人民政府", True, 0),
    (103, "2021", 2024, "宁远县市场监督管理局", False, None),
    (104, "2019", 2020, "长乐市枫桥街道办事处", True, None),
)


# the example also published as a PDF (a "printed from Word" PDF with ruled tables, Table 3
# running across a page break), as agencies publish them: the same report as the .docx, so the
# corpus counts it once
PDF_EXAMPLE = 1


def build(reports: list | None = None) -> list[tuple[str, object]]:
    """(file stem, ReportData) of every example; `reports` receives the generated SynthReports."""
    made: list = [] if reports is None else reports
    out = []
    for seed, template_id, year, agency, prose, prev in EXAMPLES:
        previous = made[prev] if prev is not None else None
        rep = random_report(random.Random(seed), template_id, year, agency, zero_share=0.3, previous=previous)
        made.append(rep)
        data = {"template": template_id, "meta": {"agency": agency, "year": year}, **rep.canonical()}
        if prose:
            data["sections"] = rep.sections
        stem = f"{agency}-{year}-{template_id}模板" + ("" if prose else "-草稿")
        out.append((stem, from_mapping(data)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--formats", default="txt,docx,html", help=f"comma-separated, of {', '.join(FORMATS)}")
    ap.add_argument("--no-pdf", dest="pdf", action="store_false", help="do not write the PDF example (needs reportlab)")
    ap.add_argument("--out", type=Path, default=ROOT / "examples" / "rendered")
    args = ap.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    reports: list = []
    for k, (stem, rd) in enumerate(build(reports)):
        for fmt in formats:
            path = args.out / f"{stem}.{fmt}"
            path.write_bytes(render(rd, fmt))
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        if k == PDF_EXAMPLE and "pdf" in formats_extra(args):
            from xxgk.synth.pdfs import write_pdf  # reportlab: the test extra

            path = args.out / f"{stem}.pdf"
            path.write_bytes(write_pdf(reports[k]))
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def formats_extra(args) -> set[str]:
    return {"pdf"} if args.pdf else set()


if __name__ == "__main__":
    main()
