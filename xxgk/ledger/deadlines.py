"""Statutory answer deadlines (《政府信息公开条例》第三十三条; 第三十条 for 补正).

A request must be answered within 20 working days counted from the day after receipt — or after
the day the completed (补正) request arrived — and with an approved extension (延期) within 20
more.  Working days follow the State Council's holiday arrangements, including the weekend days
made working days (调休), as published in the `chinese-calendar` package.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from .read import Request

TERM = 20  # working days, 第三十三条第二款
EXTENSION = 20  # at most, 第三十三条第二款
SOON = 5  # working days left that count as 即将到期


class CalendarError(Exception):
    """The holiday data does not cover a year that is needed."""


def _calendar():
    try:
        import chinese_calendar
    except ModuleNotFoundError:
        raise CalendarError("核查答复期限需要 chinese-calendar：pip install 'xxgk[render]'") from None
    return chinese_calendar


def covered_years() -> tuple[int, int]:
    _calendar()
    from chinese_calendar import constants

    years = [d.year for d in constants.holidays]
    return min(years), max(years)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("chinese-calendar")
    except Exception:  # pragma: no cover
        return "?"


@lru_cache(maxsize=None)
def is_workday(day: dt.date) -> bool:
    try:
        return _calendar().is_workday(day)
    except NotImplementedError:
        lo, hi = covered_years()
        raise CalendarError(
            f"节假日数据（chinese-calendar {_version()}）只覆盖{lo}—{hi}年，无法计算{day.year}年的工作日；"
            f"请升级：pip install -U chinese-calendar"
        ) from None


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (the start day itself is not counted)."""
    day, left = start, n
    while left:
        day += dt.timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def workdays_between(a: dt.date, b: dt.date) -> int:
    """Working days d with a < d <= b."""
    n, day = 0, a
    while day < b:
        day += dt.timedelta(days=1)
        n += is_workday(day)
    return n


def start_of(req: Request) -> dt.date:
    return req.corrected or req.received


def deadline(req: Request) -> dt.date:
    return add_workdays(start_of(req), TERM + (EXTENSION if req.extended else 0))


@dataclass
class Watch:
    request: Request
    deadline: dt.date | None
    state: str  # "逾期未办结" | "超期办结" | "即将到期" | "无法计算期限"
    workdays: int | None  # working days over (or left, for 即将到期)
    note: str = ""


def watch(requests: list[Request], as_of: dt.date, year: int | None = None, soon: int = SOON) -> list[Watch]:
    """Requests past their deadline as of `as_of` (open ones, and ones answered late — those
    closed within `year` when given), and open ones due within `soon` working days."""
    is_workday(as_of)  # fail early, with the message, when the day itself is not covered
    out: list[Watch] = []
    for req in requests:
        if req.received > as_of:
            continue
        closed = req.closed if req.closed is not None and req.closed <= as_of else None
        try:
            due = deadline(req)
        except CalendarError as exc:
            if closed is None:
                out.append(Watch(req, None, "无法计算期限", None, str(exc)))
            continue
        if closed is not None:
            if closed > due and (year is None or closed.year == year):
                out.append(Watch(req, due, "超期办结", workdays_between(due, closed)))
        elif due < as_of:
            out.append(Watch(req, due, "逾期未办结", workdays_between(due, as_of)))
        else:
            left = workdays_between(as_of, due)
            if left <= soon:
                out.append(Watch(req, due, "即将到期", left))
    order = {"逾期未办结": 0, "无法计算期限": 1, "即将到期": 2, "超期办结": 3}
    out.sort(key=lambda w: (order[w.state], w.deadline or dt.date.max, w.request.row))
    return out
