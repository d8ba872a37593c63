"""The corpus database: every report ingested, its canonical cells with provenance, its findings
(cross-year ones included), reviewers' verdicts, and the files that failed.

    from xxgk.store import open_store
    store = open_store("xxgk.db")            # or "postgresql://user@host/db"; None → $XXGK_DB / ./xxgk.db
    store.add(xxgk.parse_path("report.txt"))
    store.reports(year=2023, level="乡镇街道")
    store.stats(by="year").to_json()

SQLAlchemy 2 on SQLite or PostgreSQL (psycopg 3); the schema is migrated by Alembic on open.
See docs/corpus.md for the whole API.
"""

from .core import (
    RATES,
    STAT_DIMENSIONS,
    TOTALS,
    Counts,
    FailureRow,
    FindingRow,
    History,
    ReportSummary,
    Review,
    Stats,
    StatsGroup,
    Store,
    User,
    WriteCounts,
    open_store,
)
from .db import StoreError, database_url
from .rows import ReportRows, cell_ids, cell_label, finding_keys, report_rows

__all__ = [
    "open_store", "Store", "StoreError", "database_url",
    "Counts", "ReportSummary", "FindingRow", "Review", "FailureRow", "History", "Stats", "StatsGroup", "WriteCounts", "User",
    "ReportRows", "report_rows", "finding_keys", "cell_ids", "cell_label",
    "STAT_DIMENSIONS", "TOTALS", "RATES",
]
