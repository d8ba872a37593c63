"""The whole pipeline in one place: bytes → Document → Report → findings."""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import checks
from .document import Document
from .extract import extract
from .readers import ReadError, read_bytes
from .report import Report, Source


def parse_bytes(data: bytes, name: str = "", *, path: str | None = None, rules=None) -> Report:
    """Read, extract and check one report.  Raises ReadError when the input cannot be read."""
    doc: Document = read_bytes(data, name)
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
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise ReadError("是目录，不是文件", "directory") from None
    except FileNotFoundError:
        raise ReadError("文件不存在", "not-found") from None
    except PermissionError:
        raise ReadError("没有读取权限", "permission") from None
    except OSError as exc:
        raise ReadError(f"无法读取文件：{exc.strerror or exc}", "os-error") from None
    return parse_bytes(data, p.name, path=str(p), rules=rules)


__all__ = ["parse_bytes", "parse_path", "ReadError"]
