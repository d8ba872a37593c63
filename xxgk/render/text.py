"""Plain text (tab-separated table rows, as Word saves a report as text) and Markdown (pipe
tables).  Both parse back with xxgk's text reader."""

from __future__ import annotations

from .data import ReportData
from .skeleton import blocks


def _cell(text: str) -> str:
    return " ".join(text.split())


def _prose(text: str) -> str:
    """A prose line that cannot be mistaken for a table row (no tabs, no runs of |)."""
    return text.replace("\t", " ").replace("|", "｜")


def to_txt(rd: ReportData) -> str:
    out: list[str] = []
    for b in blocks(rd):
        if b.kind == "table":
            out.append("")
            out += ["\t".join(_cell(c) for c in row) for row in b.grid.text_rows()]
            out.append("")
        elif b.kind == "heading":
            out += ["", b.text]
        elif b.kind == "title":
            out += [b.text, ""]
        else:
            out.append(_prose(b.text))
    return "\n".join(out).strip("\n") + "\n"


def _md_cell(text: str) -> str:
    return _cell(text).replace("|", "｜")


def to_md(rd: ReportData) -> str:
    out: list[str] = []
    for b in blocks(rd):
        if b.kind == "title":
            # a Setext heading keeps "#" out of the title line the reader takes the agency from
            out += [b.text, "=" * 2 * len(b.text), ""]
        elif b.kind == "heading":
            out += [f"## {b.text}", ""]
        elif b.kind == "para":
            out += [_prose(b.text), ""]
        else:
            rows = b.grid.text_rows()
            # a merged cell is written once, the slots it covers stay empty
            out.append("| " + " | ".join(_md_cell(c) for c in rows[0]) + " |")
            out.append("|" + "---|" * len(rows[0]))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows[1:]]
            out.append("")
    return "\n".join(out).strip("\n") + "\n"
