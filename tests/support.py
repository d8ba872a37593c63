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
