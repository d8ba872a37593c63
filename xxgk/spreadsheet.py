"""Text from reports written into spreadsheets without becoming a formula (CSV/formula
injection, as OWASP describes it).

A report's title, agency or file name is untrusted: a cell that begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is taken for a formula by Excel, LibreOffice and others
(``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``, ``@SUM(…)``).

- CSV has no cell types: such text is written with a leading apostrophe (``'=1+1``), which
  spreadsheet programs show as text and do not evaluate; the csv module quotes as needed.
- XLSX has them: such text is written as a string cell with the "quote prefix" style (what
  Excel itself does when one types ``'=1+1``), so the value stays exactly what the report said.

Numbers (int, float, Decimal) and booleans are never touched: they stay numbers; so is text that
is a plain signed number (``-8``, the raw text of a cell), which a spreadsheet reads as that number
and nothing else.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def is_formula_like(v: Any) -> bool:
    return isinstance(v, str) and v.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(v)


def csv_safe(v: Any) -> Any:
    """The value for a CSV cell: text that a spreadsheet would evaluate gets a leading `'`."""
    return "'" + v if is_formula_like(v) else v


def xlsx_safe(sheet, v: Any) -> Any:
    """The value for openpyxl's write-only `sheet.append`: formula-like text as a literal string
    cell with the quote prefix, anything else as is."""
    if not is_formula_like(v):
        return v
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=v)
    literal(cell)
    return cell


def literal(cell) -> None:
    """Make an openpyxl cell that holds formula-like text a literal string (quote prefix)."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
