"""Query-string filters → the keyword filters of Store.reports / Store.findings / Store.stats.

HTML forms send every field, empty ones as ""; an empty or malformed value means "no filter"
(the form shows it back so the user sees what was taken)."""

from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlencode

REPORT_KEYS = ("year", "level", "region", "agency", "has_errors", "code", "template", "q")
FINDING_KEYS = ("code", "severity", "agency", "year", "review", "scope", "level", "region")
SEVERITIES = ("error", "warning", "info")
REVIEWS = ("unreviewed", "reviewed", "confirmed", "dismissed")
TRUE = ("1", "true", "yes", "on", "是")
FALSE = ("0", "false", "no", "off", "否")


def _year(v: str) -> int | None:
    v = v.strip()
    return int(v) if v.isdigit() and 1990 <= int(v) <= 2100 else None


def _bool(v: str) -> bool | None:
    v = v.strip().lower()
    return True if v in TRUE else False if v in FALSE else None


def _text(v: str, limit: int = 100) -> str | None:
    v = v.strip()[:limit]
    return v or None


def report_filters(params: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """(filters for the store, the values to show back in the form)."""
    f: dict[str, Any] = {}
    shown: dict[str, str] = {}
    for key in REPORT_KEYS:
        raw = params.get(key)
        if raw is None:
            continue
        value = _year(raw) if key == "year" else _bool(raw) if key == "has_errors" else _text(raw)
        if value is not None:
            f[key] = value
            shown[key] = raw.strip()
    return f, shown


def finding_filters(params: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    f: dict[str, Any] = {}
    shown: dict[str, str] = {}
    for key in FINDING_KEYS:
        raw = params.get(key)
        if raw is None:
            continue
        if key == "year":
            value = _year(raw)
        elif key == "severity":
            value = raw.strip() if raw.strip() in SEVERITIES else None
        elif key == "review":
            value = raw.strip() if raw.strip() in REVIEWS else None
        elif key == "scope":
            value = raw.strip() if raw.strip() in ("report", "corpus") else None
        elif key == "code":
            value = _text(raw.upper(), 40)
        else:
            value = _text(raw)
        if value is not None:
            f[key] = value
            shown[key] = raw.strip()
    return f, shown


def query(values: Mapping[str, Any], **extra) -> str:
    """A query string of the non-empty values (links that keep the current selection)."""
    merged = {**{k: v for k, v in values.items() if v not in (None, "")}, **{k: v for k, v in extra.items() if v not in (None, "")}}
    return urlencode(merged)


def safe_next(url: str | None, default: str = "/") -> str:
    """A redirect target from a form: a path on this site only (no //host, no scheme)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url or "\n" in url or "\r" in url:
        return default
    return url
