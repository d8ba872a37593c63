"""xxgk — read, check, store and write China's annual government-information-disclosure reports
(政府信息公开工作年度报告).

The stable public API is what this module exports (`__all__`); it is documented in docs/api.md
and follows semantic versioning from 1.0 on.  Everything else (`xxgk.readers`, `xxgk.extract`,
`xxgk.store.core`, …) is internal and may change in any release.

    import xxgk

    report = xxgk.parse_path("年报.pdf")             # read + check one report
    xxgk.check([report_2023, report_2024])           # re-check, with the cross-year rules
    store = xxgk.open_store("corpus.db")             # the corpus database (SQLite or PostgreSQL)
    xxgk.ingest(store, ["报告/"])
    data = xxgk.load_data("2024.yaml")               # write a report in the national layout
    docx = xxgk.render_report(data, "docx")
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterable, Sequence

__version__ = "0.1.0"
# bump when a change to the readers or extractor can change what a stored report holds; the
# corpus re-parses files ingested by an older parser version
PARSER_VERSION = "2"  # 2: real-page table rules (cut rows, header-row slots, blank lines as cells, lost characters), meta provenance

from . import checks as _checks  # noqa: E402
from .pipeline import parse_bytes as _parse_bytes  # noqa: E402
from .pipeline import parse_path as _parse_path  # noqa: E402
from .readers import ReadError  # noqa: E402
from .report import Finding, Report, Severity  # noqa: E402

if TYPE_CHECKING:  # the store and the renderer are imported when first used
    from .render import DataError, ReportData
    from .store import Counts, Stats, Store, StoreError
    from .store.ingest import IngestResult

PathLike = str | os.PathLike


def _rules(select: Iterable[str] | None, ignore: Iterable[str] | None) -> list[_checks.Rule] | None:
    if select is None and ignore is None:
        return None
    return _checks.selected(list(select or ()), list(ignore or ()))


def parse_path(path: PathLike, *, select: Iterable[str] | None = None,
               ignore: Iterable[str] | None = None, rules: list[_checks.Rule] | None = None) -> Report:
    """Read one report file (text, HTML, DOCX/DOC/WPS, PDF, image), extract its tables and
    sections, and run the checks.

    `select` / `ignore` take rule codes or prefixes (as `xxgk check --select/--ignore`); the
    findings are in `report.findings`.  Raises `ReadError` (one Chinese line in `str(exc)`) when
    the file cannot be read: missing, empty, damaged, encrypted, not a report format.
    `rules` (internal) passes an already selected rule list."""
    return _parse_path(path, rules=rules if rules is not None else _rules(select, ignore))


def parse_bytes(data: bytes, name: str = "", *, path: str | None = None, select: Iterable[str] | None = None,
                ignore: Iterable[str] | None = None, rules: list[_checks.Rule] | None = None) -> Report:
    """Like `parse_path`, for bytes already in memory.  The format is sniffed from the bytes;
    `name` (a file name) only helps, and is kept in `report.source.name` with `path`."""
    return _parse_bytes(data, name, path=path, rules=rules if rules is not None else _rules(select, ignore))


def check(reports: Sequence[Report], *, select: Iterable[str] | None = None,
          ignore: Iterable[str] | None = None) -> Sequence[Report]:
    """Run the checks again over `reports` — each report's own rules, then the cross-year rules
    between reports of one organ in consecutive years (carry-over, `in_force` continuity) — as
    `xxgk check` does for a batch.  Each report's `findings` are replaced; returns `reports`."""
    rules = _checks.selected(list(select or ()), list(ignore or ()))
    for report in reports:
        report.findings = _checks.run(report, rules)
    _checks.run_corpus(list(reports), rules)
    return reports


def rules() -> list[_checks.Rule]:
    """Every check: `code`, `severity` (a `Severity`), `group`, `description` (Chinese)."""
    return list(_checks.iter_codes())


def open_store(db: PathLike | None = None, *, create: bool = True) -> Store:
    """Open the corpus database: a SQLite file path, a URL (`postgresql://user@host/db`, needs
    `pip install 'xxgk[store]'`), or None for `$XXGK_DB`, else `./xxgk.db`.  The schema is
    created or upgraded to this version.  With `create=False` a database that does not exist yet
    is refused.  Raises `StoreError` (one Chinese line).  See docs/api.md for the Store methods
    of the public API; close it with `store.close()` (or use it in a `with` block)."""
    from .store import open_store as _open

    return _open(None if db is None else os.fspath(db), create=create)


def ingest(store: Store, paths: Iterable[PathLike], *, jobs: int | None = None) -> IngestResult:
    """Parse, check and store every report under `paths` (files, folders, zip archives), in
    `jobs` worker processes (default: every core); files already stored are skipped, unreadable
    ones recorded (`store.failures()`), then the cross-year checks run over the corpus."""
    from .store.ingest import ingest as _ingest

    return _ingest(store, paths, jobs=jobs)


def load_data(path: PathLike) -> ReportData:
    """Report data for `render_report`: a YAML or JSON file (canonical ids or the official Chinese labels)
    or a filled XLSX form from `xxgk form`.  Raises `DataError` listing every problem."""
    from .render import load

    return load(path)


def data_from_mapping(data: dict) -> ReportData:
    """Report data from a dict shaped like the YAML/JSON data file (see docs/render.md)."""
    from .render import from_mapping

    return from_mapping(data)


def render_report(data: ReportData, fmt: str) -> bytes:
    """The report in the national layout as a file's bytes: `fmt` is "docx", "html", "md" or
    "txt" (DOCX needs `pip install 'xxgk[render]'`).  It does not refuse data that breaks an
    identity: `parse_bytes(render_report(data, "txt"))` and its findings tell (as `xxgk render` does)."""
    from .render import render as _render

    return _render(data, fmt)


def __getattr__(name: str):  # the store's and renderer's types, imported when first asked for
    if name in ("Store", "StoreError", "Stats", "Counts"):
        from . import store

        return getattr(store, name)
    if name in ("ReportData", "DataError"):
        import importlib

        return getattr(importlib.import_module(".render", __name__), name)
    if name == "IngestResult":
        from .store.ingest import IngestResult

        return IngestResult
    raise AttributeError(f"module 'xxgk' has no attribute {name!r}")


__all__ = [
    "__version__", "PARSER_VERSION",
    # reading and checking
    "parse_path", "parse_bytes", "check", "rules", "Report", "Finding", "Severity", "ReadError",
    # the corpus
    "open_store", "ingest", "Store", "StoreError", "Stats", "Counts", "IngestResult",
    # writing
    "load_data", "data_from_mapping", "render_report", "ReportData", "DataError",
]
