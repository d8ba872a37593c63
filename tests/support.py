"""Helpers for tests: write a synthetic report in a layout, optionally edit the text, parse it."""

import random

from xxgk import parse_bytes
from xxgk.synth import SynthReport, random_report
from xxgk.synth.layouts import write


def parse_synth(rep: SynthReport, layout: str = "tsv", seed: int = 0, edit=None, name: str = "r.txt"):
    text = write(rep, layout, random.Random(seed), heading="一、")
    if edit is not None:
        text = edit(text)
    return parse_bytes(text.encode("utf-8"), name)


def codes(report, severities=("error", "warning")):
    return sorted(f.code for f in report.findings if f.severity.value in severities)


def consistent(seed: int, template_id: str = "2021", **kw) -> SynthReport:
    return random_report(random.Random(seed), template_id, zero_share=0.05, **kw)


def cjk_font() -> str:
    """The file of an installed font with Chinese glyphs, found through fontconfig (`fc-match`),
    never a fixed path. scripts/setup-system.sh installs the fonts and fontconfig; without them the
    test fails saying so (a Latin fallback font would test nothing)."""
    import shutil
    import subprocess

    if shutil.which("fc-match") and shutil.which("fc-list"):
        run = lambda *a: subprocess.run(a, capture_output=True, text=True, timeout=30).stdout  # noqa: E731
        chinese = [line.split(":")[0].strip() for line in run("fc-list", ":lang=zh-cn", "file").splitlines()]
        best = run("fc-match", "-f", "%{file}", "sans-serif:lang=zh-cn").strip()
        if best in chinese:  # fontconfig's choice for Chinese text, when it really has the glyphs
            return best
        if chinese:
            return sorted(chinese)[0]
    raise AssertionError("没有找到中文字体：请运行 scripts/setup-system.sh（安装 fonts-noto-cjk 与 fontconfig）")
