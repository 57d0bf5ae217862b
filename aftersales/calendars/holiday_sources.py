"""Statutory holiday sources (no ORM). `CN`: mainland China's days off and 调休 working days."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

SOURCES = ("CN",)


@lru_cache(maxsize=256)
def _china_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    calendar = holidays.country_holidays("CN", years=year)
    days_off = frozenset(day for day in calendar if day.year == year)
    # weekend_workdays holds every year's adjusted working weekends; keep this year's.
    workdays = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return days_off, workdays


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
