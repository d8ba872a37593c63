"""Write a report in the national layout: data (YAML / JSON / filled XLSX form) → DOCX, HTML,
Markdown or text.  `render(data, fmt)` returns the file's bytes."""

from __future__ import annotations

from .data import DataError, ReportData, from_mapping, load

FORMATS = ("docx", "html", "md", "txt")


def render(rd: ReportData, fmt: str) -> bytes:
    if fmt == "docx":
        from .docx import to_docx

        return to_docx(rd)
    if fmt == "html":
        from .html import to_html

        return to_html(rd).encode("utf-8")
    if fmt in ("md", "txt"):
        from .text import to_md, to_txt

        return (to_md if fmt == "md" else to_txt)(rd).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")


__all__ = ["FORMATS", "DataError", "ReportData", "from_mapping", "load", "render"]
