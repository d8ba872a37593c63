"""The request ledger (台账): one row per disclosure request through the year → Table 3, and a
case list → Table 4, counted so that the identities hold by construction; plus the statutory
answer deadlines (条例第三十三条) with Chinese public holidays and adjusted working days."""

from .count import appeals_table, ledger_data, requests_table
from .deadlines import CalendarError, deadline, watch
from .read import Case, LedgerError, Request, RowError, read_cases, read_ledger

__all__ = [
    "CalendarError", "Case", "LedgerError", "Request", "RowError", "appeals_table", "deadline", "ledger_data",
    "read_cases", "read_ledger", "requests_table", "watch",
]
