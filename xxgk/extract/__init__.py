"""Document → Report: find the sections, the metadata, the template version and the tables."""

from __future__ import annotations

from ..document import Document
from ..report import Report
from ..template import TEMPLATES, Template, for_year
from ..text import fold
from .cutoff import distrust_cut_token
from .meta import find_meta
from .narrative import claims
from .sections import find_sections
from .settle import settle
from .split import apply as split_runs
from .tables import read_tables


def detect_template(doc: Document) -> Template | None:
    """The version whose signature phrases the tables (else the whole text) print most."""
    cells = fold("".join([c.text for t in doc.tables for r in t.rows for c in r.cells]))
    for haystack in (cells, fold(doc.text) if not cells else ""):
        if not haystack:
            continue
        scores = {tid: sum(1 for s in t.signature if s in haystack) for tid, t in TEMPLATES.items()}
        best = max(scores.values())
        if best:
            winners = [tid for tid, s in scores.items() if s == best]
            if len(winners) == 1:
                return TEMPLATES[winners[0]]
    return None


def extract(doc: Document) -> Report:
    doc.__dict__.pop("_folded", None)  # the lines folded once for every stage (text.folded_lines)
    detected = detect_template(doc)
    # sections and meta do not depend on the template version; use any to find them
    probe = detected or next(iter(TEMPLATES.values()))
    sections = find_sections(doc, probe)
    meta = find_meta(doc, sections)
    tpl = detected or for_year(meta.year)
    read = read_tables(doc, tpl, sections)
    report = Report(template=tpl.id, template_detected=detected is not None, tables=read.values)
    report.found_tables = read.found
    report.meta = meta
    report.sections = sections
    report.notes.extend(doc.notes)
    report.notes.extend(read.notes)
    settle(report, tpl)  # OCR numbers read with low confidence
    distrust_cut_token(doc, report, tpl)  # a number cut by the end of an excerpt
    report.lines = [line.text for line in doc.lines]
    pages = [line.page for line in doc.lines]
    if pages.count(None) != len(pages):
        report.line_pages = pages
    report.claims, report.sums = claims(_prose(doc, sections), tpl)
    split_runs(doc, tpl, report)  # rows the tables did not give, from run-together digits (split.py)
    report.is_report = _looks_like_report(doc, report)
    return report


def _looks_like_report(doc: Document, report: Report) -> bool:
    """An annual report names itself or shows the national tables; anything else is not one."""
    if report.found_tables:
        return True
    head = fold("".join(line.text for line in doc.lines[:60]))
    named = "信息公开" in head and ("年度报告" in head or "工作报告" in head or "工作的报告" in head)
    return named or len(report.sections) >= 3


def _prose(doc: Document, sections) -> list[tuple[int, str, int | None]]:
    """(line, text, section number) of every prose line — headings and table lines excluded."""
    starts = sorted((s.line, s.number) for s in sections)
    # a heading line is no prose — unless the heading stands inside a long line (sections.py `_inline`)
    heading_lines = {s.line for s in sections if not (s.lines and s.lines[0][0] == s.line)}
    out = []
    k, current = 0, None
    nxt = starts[0][0] if starts else None  # the line where the next section starts
    for line in doc.lines:
        no = line.no
        if nxt is not None and no >= nxt:
            while k < len(starts) and starts[k][0] <= no:
                current = starts[k][1]
                k += 1
            nxt = starts[k][0] if k < len(starts) else None
        if line.in_table or no in heading_lines:
            continue
        text = line.text.strip()
        if text:
            out.append((no, text, current))
    return out
