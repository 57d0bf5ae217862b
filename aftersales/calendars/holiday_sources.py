"""Statutory holiday sources (no ORM). `CN`: mainland China's days off and 调休 working days."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

SOURCES = ("CN",)


@lru_cache(maxsize=256)
def _china_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    calendar = holidays.country_holidays("CN", years=year)
    statutory = {day for day in calendar if day.year == year}
    # weekend_workdays holds every year's adjusted working weekends; keep this year's.
    workdays = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    # A break may straddle New Year (Saturday 2023-12-30 belongs to the 2024 break).
    neighbours = holidays.country_holidays("CN", years=[year - 1, year + 1])
    around = statutory | {day for day in neighbours if abs(day.year - year) == 1}
    all_workdays = workdays | frozenset(neighbours.weekend_workdays)
    weekends = {day for day in _weekends_inside_breaks(around, all_workdays) if day.year == year}
    return frozenset(statutory | weekends), workdays


def _weekends_inside_breaks(statutory: set[dt.date], workdays: frozenset[dt.date]) -> set[dt.date]:
    """A weekend day inside a holiday break (Sunday 2026-10-04 in 10/1-10/7) is part of the
    break: the package lists only the statutory days, which matters to 7x24 calendars."""

    def resting(day: dt.date) -> bool:
        return day in statutory or (day.weekday() >= 5 and day not in workdays)

    inside = set()
    for day in statutory:
        for step in (dt.timedelta(days=1), dt.timedelta(days=-1)):
            cursor = day + step
            while resting(cursor) and cursor not in statutory:
                inside.add(cursor)
                cursor += step
    # Only weekends between or beside statutory days of the same break count: a plain weekend
    # followed by a holiday Monday is also a break, as the State Council announces them.
    return inside


def source_day_kind(source: str, day: dt.date) -> bool | None:
    """True: a working day by decree, False: a statutory day off, None: the weekly rule."""
    if source == "":
        return None
    if source != "CN":
        raise ValueError(f"unknown holiday source {source!r}")
    days_off, workdays = _china_year(day.year)
    if day in days_off:
        return False
    if day in workdays:
        return True
    return None
