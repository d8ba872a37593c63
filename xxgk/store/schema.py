"""The corpus tables (SQLAlchemy Core).  The migrations in ``migrations/versions`` create and
evolve them; this module is what the code reads and writes through, and a test checks that the
two agree.

reports   one row per distinct file content (sha256) parsed by one parser version, with where its
          agency and year were stated (agency_source, agency_raw, …, year_source, …)
cells     one row per canonical cell found in a report: value (NUMERIC; NULL = blank or
          unreadable, see status), raw text, provenance
findings  the report's findings, plus cross-year findings (scope "corpus")
reviews   a reviewer's verdict on a finding, keyed by the finding's stable key, so it survives
          re-ingesting and re-parsing the same file
failures  files that could not be read, with their message
users     the reviewers who may sign in to the web desk (xxgk users add)
sessions  their sign-in sessions (id = SHA-256 of the cookie's token): sign-out, removal of the
          reviewer or a new password deletes them, so the cookie stops working at once
store_state  counters of the store; `generation` goes up with every write that changes reports,
          cells or findings
stats_cache  Store.stats results, each valid for the generation it was computed at
api_tokens  reviewers' API tokens for scripts (xxgk users token): only the token's SHA-256
org_tree  which subordinate organs a consolidated report covers (xxgk org load): names as
          written, and their agency keys
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("parser_version", sa.String(16), nullable=False),
    sa.Column("source_path", sa.Text),
    sa.Column("source_name", sa.Text),
    sa.Column("format", sa.String(16)),
    sa.Column("encoding", sa.String(32)),
    sa.Column("layout", sa.String(32)),
    sa.Column("size", sa.BigInteger),
    sa.Column("pages", sa.Integer),
    sa.Column("template", sa.String(8), nullable=False),
    sa.Column("template_detected", sa.Boolean, nullable=False),
    sa.Column("is_report", sa.Boolean, nullable=False),
    sa.Column("found_tables", sa.String(64), nullable=False),  # comma-separated table keys
    sa.Column("agency", sa.Text),
    sa.Column("agency_key", sa.Text, index=True),
    sa.Column("agency_base", sa.Text, index=True),
    sa.Column("level", sa.String(16)),
    sa.Column("kind", sa.String(8)),
    sa.Column("region", sa.Text),
    sa.Column("province", sa.Text),
    sa.Column("prefecture", sa.Text),
    sa.Column("county", sa.Text),
    sa.Column("township", sa.Text),
    sa.Column("year", sa.Integer, index=True),
    sa.Column("title", sa.Text),
    sa.Column("title_year", sa.Integer),
    sa.Column("period_year", sa.Integer),
    sa.Column("body_year", sa.Integer),
    # where the agency and the year came from (xxgk/extract/meta.py): the source (title, compiled,
    # opening, page_title, file_name, e_version, contact, publisher / title, period, page_title,
    # file_name, body), the text it was taken from, its line and [start, end) in that line; the
    # agency's losing statements as a JSON list of {source, agency, line}
    sa.Column("agency_source", sa.String(16)),
    sa.Column("agency_raw", sa.Text),
    sa.Column("agency_line", sa.Integer),
    sa.Column("agency_start", sa.Integer),
    sa.Column("agency_end", sa.Integer),
    sa.Column("agency_beat", sa.Text),
    sa.Column("year_source", sa.String(16)),
    sa.Column("year_raw", sa.Text),
    sa.Column("year_line", sa.Integer),
    sa.Column("year_start", sa.Integer),
    sa.Column("year_end", sa.Integer),
    sa.Column("has_errors", sa.Boolean, nullable=False),
    sa.Column("n_errors", sa.Integer, nullable=False),
    sa.Column("n_warnings", sa.Integer, nullable=False),
    sa.Column("n_infos", sa.Integer, nullable=False),
    sa.Column("sections", sa.Text),  # JSON list of {number, title, line, end_line, text}
    # the document's text lines (zlib-compressed UTF-8, "\n"-joined): the source a cell or a
    # finding's line number points into (the web desk shows them)
    sa.Column("lines_z", sa.LargeBinary),
    sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    # set when the report is stored; the cross-year pass recomputes its agency and clears it
    sa.Column("cross_pending", sa.Boolean, nullable=False),
    sa.UniqueConstraint("sha256", name="uq_reports_sha256"),
)

cells = sa.Table(
    "cells",
    metadata,
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("table_key", sa.String(16), primary_key=True),
    sa.Column("row_id", sa.String(40), primary_key=True),
    sa.Column("col_id", sa.String(24), primary_key=True),
    sa.Column("value", sa.Numeric(20, 4)),
    sa.Column("status", sa.String(12), nullable=False),  # read / blank / inferred / unplaced / doubtful / split / ambiguous
    sa.Column("raw", sa.Text),
    sa.Column("line", sa.Integer),
    sa.Column("page", sa.Integer),
    sa.Column("doc_table", sa.Integer),
    sa.Column("doc_row", sa.Integer),
    sa.Column("doc_cell", sa.Integer),
    sa.Column("confidence", sa.Float),
    sqlite_with_rowid=False,  # clustered on the key: a report's cells are one range
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("key", sa.String(40), nullable=False, index=True),
    sa.Column("code", sa.String(40), nullable=False, index=True),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("where_json", sa.Text, nullable=False),  # the finding's `where`, a JSON object
    sa.Column("scope", sa.String(8), nullable=False),  # "report" | "corpus"
)

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("finding_key", sa.String(40), primary_key=True),
    sa.Column("status", sa.String(12), nullable=False),  # confirmed | dismissed
    sa.Column("comment", sa.Text),
    sa.Column("reviewer", sa.Text),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sha256", sa.String(64)),  # the report the finding was on, for reference
    sa.Column("code", sa.String(40)),
)

failures = sa.Table(
    "failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("parser_version", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("path", "sha256", name="uq_failures_path_sha256"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),  # Argon2 (xxgk.web.security); never the password
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # sha256 of the token in the cookie
    sa.Column("user_name", sa.String(64), sa.ForeignKey("users.name", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

store_state = sa.Table(
    "store_state",
    metadata,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

stats_cache = sa.Table(
    "stats_cache",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("generation", sa.BigInteger, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)

sa.Index("ix_reports_is_report_year", reports.c.is_report, reports.c.year)
sa.Index("ix_findings_code_report", findings.c.code, findings.c.report_id)
sa.Index("ix_reports_cross_pending", reports.c.cross_pending, reports.c.agency_base, reports.c.agency_key)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_name", sa.String(64), sa.ForeignKey("users.name", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("token_sha256", sa.String(64), nullable=False),  # never the token itself
    sa.Column("prefix", sa.String(16), nullable=False),  # the token's first characters, to tell tokens apart
    sa.Column("label", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("token_sha256", name="uq_api_tokens_token_sha256"),
)

org_tree = sa.Table(
    "org_tree",
    metadata,
    sa.Column("parent_key", sa.Text, primary_key=True),
    sa.Column("child_key", sa.Text, primary_key=True),
    sa.Column("parent", sa.Text, nullable=False),  # as written in the CSV (the name is matched, not the key)
    sa.Column("child", sa.Text, nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
)

REVIEW_STATUSES = ("confirmed", "dismissed")
