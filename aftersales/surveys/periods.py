"""Periods of return-visit plans (pure): calendar months, quarters, half-years and years. A
plan's first period is the one its start date falls in; a visit is due by its period's last day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


def frequency_for_months(months: int) -> str | None:
    """The least frequent plan frequency that still visits at least every `months` months
    (every 2 months → monthly, every 4 → quarterly); None under a month."""
    fitting = [(length, name) for name, length in MONTHS.items() if length <= months]
    return max(fitting)[1] if fitting else None


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_start(frequency: str, day: dt.date) -> dt.date:
    """The first day of the period of `frequency` that holds `day`."""
    length = MONTHS[frequency]
    return dt.date(day.year, (day.month - 1) // length * length + 1, 1)


def period_end(frequency: str, start: dt.date) -> dt.date:
    """The last day of the period that begins on `start`."""
    return _add_months(start, MONTHS[frequency]) - dt.timedelta(days=1)


def periods(frequency: str, starts_on: dt.date, through: dt.date,
            ends_on: dt.date | None = None) -> Iterator[dt.date]:
    """Starts of the periods from the one holding `starts_on` to the one holding `through`,
    none beginning after `ends_on`."""
    start = period_start(frequency, starts_on)
    last = min(through, ends_on) if ends_on is not None else through
    while start <= last:
        yield start
        start = _add_months(start, MONTHS[frequency])
