"""The whole pipeline in one place: bytes → Document → Report → findings."""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import checks
from .document import Document
from .extract import extract
from .readers import ReadError, load, read_bytes
from .report import Report, Source


def parse_bytes(data: bytes, name: str = "", *, path: str | None = None, rules=None) -> Report:
    """Read, extract and check one report.  Raises ReadError when the input cannot be read."""
    doc: Document = read_bytes(data, name)
    doc.name = doc.name or name or (Path(path).name if path else None)
    report = extract(doc)
    report.source = Source(
        path=path,
        name=name or (Path(path).name if path else None),
        format=doc.format,
        encoding=doc.encoding,
        layout=doc.layout,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        pages=doc.pages,
    )
    report.findings = checks.run(report, rules)
    return report


def parse_path(path: str | Path, *, rules=None) -> Report:
    p = Path(path)
    return parse_bytes(load(p), p.name, path=str(p), rules=rules)


__all__ = ["parse_bytes", "parse_path", "ReadError"]
