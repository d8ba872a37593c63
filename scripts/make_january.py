"""Write the January example into examples/january/: a small batch of subordinate reports of one
invented county (南屏县, 2024, 2021 template), the review opinions `xxgk notice` makes for them,
the consolidated data file `xxgk sum` makes and the draft `xxgk render` makes of it, the county's
published consolidated report (one cell differs from the sum) and the org tree.

    python scripts/make_january.py

tests/test_examples_january.py holds the committed files to what this script writes.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from xxgk import checks
from xxgk.consolidate import compare_report, consolidate
from xxgk.notice import build_batch, from_report
from xxgk.pipeline import parse_bytes
from xxgk.render import from_mapping, render
from xxgk.render.data import _plain
from xxgk.synth import narrative, random_report

ROOT = Path(__file__).resolve().parents[1]
OUT = Path("examples") / "january"  # relative to ROOT: the paths the notices and the data file name
YEAR = 2024
PARENT = "南屏县人民政府"
OFFICE = "南屏县人民政府办公室"
DEADLINE = "2025年2月14日"
# (seed, agency, what is wrong with its report)
ORGANS = (
    (201, "南屏县桂溪镇人民政府", None),
    (202, "南屏县竹山乡人民政府", "no-section-5"),  # MISSING_SECTION (error), and a prose number off
    (203, "南屏县教育局", "no-fee-statement"),  # FEE_NOT_STATED (warning)
    (204, "南屏县自然资源局", None),
)
CHANGED_CELL = ("active", "licensing", "decisions")  # the published county report states one more


def _subordinate(seed: int, agency: str, fault: str | None) -> bytes:
    rep = random_report(random.Random(seed), "2021", YEAR, agency, zero_share=0.3)
    if fault == "no-fee-statement":
        rep.sections[6] = "无其他需要报告的事项。"
    data = {"template": "2021", "meta": {"agency": agency, "year": YEAR}, **rep.canonical(), "sections": rep.sections}
    text = render(from_mapping(data), "txt").decode("utf-8")
    if fault == "no-section-5":
        received = rep.values["requests"]["new_received"]["total"]
        text = text.replace(f"共收到政府信息公开申请{received}件", f"共收到政府信息公开申请{received + 5}件")
        text = re.sub(r"\n五、[^\n]*\n(?:(?!六、)[^\n]*\n)*", "\n", text)  # section 5 left out
    return text.encode("utf-8")


def build() -> dict[str, bytes]:
    """Every file of the example: path relative to ROOT → bytes."""
    files: dict[str, bytes] = {}
    reports = []
    for seed, agency, fault in ORGANS:
        path = f"{OUT}/下级报告/{agency}-{YEAR}.txt"
        files[path] = _subordinate(seed, agency, fault)
        reports.append(parse_bytes(files[path], Path(path).name, path=path))
    checks.run_corpus(reports, checks.selected())
    for name, data in build_batch([from_report(r) for r in reports], deadline=DEADLINE, office=OFFICE):
        files[f"{OUT}/审核意见/{name}"] = data
    cons = consolidate(reports)
    data = cons.data_file(agency=PARENT)
    import yaml

    files[f"{OUT}/汇总.yaml"] = yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False).encode("utf-8")
    rd = from_mapping(data)
    files[f"{OUT}/{PARENT}-{YEAR}-汇总报告草稿.docx"] = render(rd, "docx")
    # the county's published consolidated report: its own prose, the sums — and one cell off
    published = {"template": "2021", "meta": {"agency": PARENT, "year": YEAR}, **cons.canonical()}
    t, r, c = CHANGED_CELL
    published[t][r][c] += 1
    published["sections"] = narrative(published, PARENT, YEAR, random.Random(205))
    path = f"{OUT}/{PARENT}-{YEAR}-已发布.txt"
    files[path] = render(from_mapping(published), "txt")
    parent = parse_bytes(files[path], Path(path).name, path=path)
    assert [(f.where["table"], f.where["row"], f.where["column"]) for f in compare_report(parent, cons)] == [CHANGED_CELL]
    files[f"{OUT}/组织关系.csv"] = ("parent,child\n" + "".join(f"{PARENT},{a}\n" for _, a, _ in ORGANS)).encode("utf-8")
    return files


def main() -> None:
    target = ROOT / OUT
    for old in sorted(target.rglob("*"), reverse=True) if target.exists() else ():
        if old.is_file():
            old.unlink()
    for rel, data in build().items():
        p = ROOT / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        print(rel)


if __name__ == "__main__":
    main()
