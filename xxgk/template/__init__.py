"""The national template, declared once.  `TEMPLATES` maps a version id to its declaration;
adding a version means adding one module here and one entry below."""

from . import t2019, t2021
from .spec import Column, Group, Identity, Kind, Row, Section, Table, Template

TEMPLATES: dict[str, Template] = {t.id: t for t in (t2021.TEMPLATE, t2019.TEMPLATE)}
LATEST = "2021"
TABLE_KEYS = ("active", "requests", "appeals")


def get(template_id: str) -> Template:
    try:
        return TEMPLATES[template_id]
    except KeyError:
        raise KeyError(f"unknown template {template_id!r}; known: {', '.join(TEMPLATES)}") from None


def for_year(year: int | None) -> Template:
    """The version an agency should use for a report on `year`."""
    if year is None:
        return TEMPLATES[LATEST]
    fitting = [t for t in TEMPLATES.values() if t.first_year <= year]
    return max(fitting, key=lambda t: t.first_year) if fitting else min(TEMPLATES.values(), key=lambda t: t.first_year)


__all__ = [
    "TEMPLATES", "LATEST", "TABLE_KEYS", "get", "for_year",
    "Column", "Group", "Identity", "Kind", "Row", "Section", "Table", "Template",
]
