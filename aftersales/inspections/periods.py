"""The periods of a plan: pure date arithmetic, no ORM. A working-day plan is handed a
predicate (from the business calendar engine, so CN holidays and 调休 count)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

DAY = dt.timedelta(days=1)
IsWorkingDay = Callable[[dt.date], bool]


@dataclass(frozen=True)
class Period:
    start: dt.date  # the key of the occurrence: unique per plan
    scheduled_on: dt.date  # the first (working) day the inspection may be done
    due_on: dt.date  # the last (working) day; due at the end of it


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _aligned(frequency: str, day: dt.date) -> dt.date:
    if frequency == "weekly":
        return day - dt.timedelta(days=day.weekday())
    if frequency == "monthly":
        return day.replace(day=1)
    if frequency == "quarterly":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if frequency == "yearly":
        return dt.date(day.year, 1, 1)
    return day


def _next(frequency: str, start: dt.date) -> dt.date:
    if frequency == "weekly":
        return start + dt.timedelta(days=7)
    if frequency == "monthly":
        return _add_months(start, 1)
    if frequency == "quarterly":
        return _add_months(start, 3)
    if frequency == "yearly":
        return _add_months(start, 12)
    return start + DAY


def _calendar_periods(frequency: str, interval_days: int, starts_on: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """(start, last day) of each period, unbounded."""
    if frequency == "every_n_days":
        start = starts_on
        while True:
            yield start, start + dt.timedelta(days=interval_days - 1)
            start += dt.timedelta(days=interval_days)
    start = _aligned(frequency, starts_on)
    while True:
        following = _next(frequency, start)
        yield start, following - DAY
        start = following


def _working_every_n(interval_days: int, starts_on: dt.date, is_working: IsWorkingDay,
                     until: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """Every N-th working day from the first working day on or after starts_on."""
    day, count, start = starts_on, 0, None
    while day <= until + dt.timedelta(days=interval_days * 3 + 30):
        if is_working(day):
            if count % interval_days == 0:
                if start is not None:
                    yield start, day - DAY
                start = day
            count += 1
        day += DAY


def plan_periods(
    *, frequency: str, interval_days: int | None, starts_on: dt.date, ends_on: dt.date | None,
    is_working: IsWorkingDay | None, after: dt.date | None, through: dt.date,
) -> list[Period]:
    """Periods whose start lies in (after, through] and inside [starts_on, ends_on]; with
    `is_working`, only working days count and a period without one is skipped."""
    interval = interval_days or 1
    if frequency == "every_n_days" and is_working is not None:
        source: Iterator[tuple[dt.date, dt.date]] = _working_every_n(interval, starts_on, is_working, through)
    else:
        source = _calendar_periods(frequency, interval, starts_on)
    found: list[Period] = []
    for start, last in source:
        if start > through or (ends_on is not None and start > ends_on):
            break
        if after is not None and start <= after:
            continue
        first_day = max(start, starts_on)
        last_day = min(last, ends_on) if ends_on is not None else last
        if is_working is None or frequency == "every_n_days":
            found.append(Period(start=start, scheduled_on=first_day, due_on=last_day))
            continue
        working = [first_day + dt.timedelta(days=i) for i in range((last_day - first_day).days + 1)]
        working = [d for d in working if is_working(d)]
        if working:
            found.append(Period(start=start, scheduled_on=working[0], due_on=working[-1]))
    return found
