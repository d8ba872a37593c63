"""Helpers for the renderer's tests."""

import random

from xxgk.render import from_mapping
from xxgk.synth import random_report


def synth_data(seed: int, template_id: str, prose: bool = True, **kw):
    """(SynthReport, ReportData) for a generated consistent report."""
    rep = random_report(random.Random(seed), template_id, zero_share=0.1, **kw)
    data = {"template": template_id, "meta": {"agency": rep.agency, "year": rep.year}, **rep.canonical()}
    if prose:
        data["sections"] = {str(k): v for k, v in rep.sections.items()}
    return rep, from_mapping(data)
