"""Business-time arithmetic. Pure functions over a calendar value; no ORM, no I/O.

A calendar is a timezone, weekly working hours (several intervals a day allowed; no hours at
all means 24x7) and a day-kind lookup that says whether a date is a holiday or an adjusted
working day (调休) — statutory days from a holiday source, overridden by an administrator's
exceptions. Time is handled as integer microseconds since the epoch, so sums are exact and
DST transitions are simply windows whose length is not what the wall clock suggests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

Interval = tuple[int, int]  # minutes after local midnight, [start, end), end may be 1440
DayKind = Callable[[dt.date], bool | None]  # True: working day, False: holiday, None: weekly rule

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)
_MAX_DAYS = 3660  # a deadline more than ten years of calendar away is a configuration error


class CalendarError(ValueError):
    pass


def _no_exceptions(_day: dt.date) -> bool | None:
    return None


@dataclass(eq=False)
class BusinessCalendar:
    """A calendar value. `weekly` has 7 entries, Monday first; None means 24x7.

    An adjusted working day (a weekend day worked instead of a holiday) gets the hours of
    the first weekday that has any (normally Monday's).
    """

    timezone: ZoneInfo
    weekly: tuple[tuple[Interval, ...], ...] | None = None
    day_kind: DayKind = _no_exceptions
    _windows: dict[dt.date, tuple[tuple[int, int], ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.weekly is not None:
            if len(self.weekly) != 7:
                raise CalendarError(gettext("每周工作时间须有 7 天，从星期一开始"))
            for day in self.weekly:
                validate_intervals(day)
            if not any(self.weekly):
                raise CalendarError(gettext("每周工作时间没有任何时段；7×24 日历请不设工作时间"))

    @property
    def workday_hours(self) -> tuple[Interval, ...]:
        if self.weekly is None:
            return ((0, 1440),)
        return next(day for day in self.weekly if day)

    def hours_on(self, day: dt.date) -> tuple[Interval, ...]:
        kind = self.day_kind(day)
        if kind is False:
            return ()
        if self.weekly is None:
            return ((0, 1440),)
        regular = self.weekly[day.weekday()]
        if kind is True and not regular:
            return self.workday_hours
        return regular

    def windows_on(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """Working windows of a local date as (start, end) epoch microseconds, cached."""
        cached = self._windows.get(day)
        if cached is not None:
            return cached
        hours = self.hours_on(day)
        if _offset_changes_on(day, self.timezone):
            result = _windows_across_transition(day, hours, self.timezone)
        else:
            windows = [
                (_local_to_us(day, start, self.timezone), _local_to_us(day, end, self.timezone))
                for start, end in hours
            ]
            result = tuple(_merge(windows))
        self._windows[day] = result
        return result

    def forget_cache(self) -> None:
        self._windows.clear()


def validate_intervals(intervals: Sequence[Interval]) -> None:
    previous_end = -1
    for start, end in intervals:
        if not (0 <= start < end <= 1440):
            raise CalendarError(
                gettext("时段 %(start)s–%(end)s 无效：须满足 00:00 ≤ 开始 < 结束 ≤ 24:00")
                % {"start": format_hhmm(start), "end": format_hhmm(end)}
            )
        if start < previous_end:
            raise CalendarError(gettext("时段须按时间先后排列，且不能重叠"))
        previous_end = end


def _merge(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in windows:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _offset_changes_on(day: dt.date, tz: ZoneInfo) -> bool:
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
    next_midnight = midnight + dt.timedelta(days=1)
    return midnight.utcoffset() != next_midnight.utcoffset()


def _windows_across_transition(
    day: dt.date, hours: tuple[Interval, ...], tz: ZoneInfo
) -> tuple[tuple[int, int], ...]:
    """Windows of a day whose UTC offset changes (DST): the real minutes whose wall-clock
    time lies in the working intervals. A wall-clock hour that is skipped has no working
    time; one that repeats counts twice. Built minute by minute, once per such day."""
    if not hours:
        return ()
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
    first = min(midnight.replace(fold=fold).astimezone(dt.UTC) for fold in (0, 1))
    first -= dt.timedelta(hours=3)
    windows: list[tuple[int, int]] = []
    minute = dt.timedelta(minutes=1)
    instant = first
    for _ in range(60 * 30):
        local = instant.astimezone(tz)
        if local.date() > day:
            break
        if local.date() == day:
            wall = local.hour * 60 + local.minute
            if any(start <= wall < end for start, end in hours):
                start_us = (instant - _EPOCH) // _US
                if windows and windows[-1][1] == start_us:
                    windows[-1] = (windows[-1][0], start_us + 60_000_000)
                else:
                    windows.append((start_us, start_us + 60_000_000))
        instant += minute
    return tuple(windows)


def _local_to_us(day: dt.date, minute: int, tz: ZoneInfo) -> int:
    if minute == 1440:
        day, minute = day + dt.timedelta(days=1), 0
    local = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)
    return (local - _EPOCH) // _US


def to_us(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise CalendarError(gettext("缺少时区的时间：工作时间计算需要带时区的时间"))
    return (moment - _EPOCH) // _US


def from_us(value: int, tz: ZoneInfo) -> dt.datetime:
    return (_EPOCH + dt.timedelta(microseconds=value)).astimezone(tz)


def add_business_time(
    calendar: BusinessCalendar, start: dt.datetime, duration: dt.timedelta
) -> dt.datetime:
    """The moment when `duration` of working time has elapsed after `start`."""
    return from_us(add_business_us(calendar, to_us(start), duration // _US), calendar.timezone)


def add_business_us(calendar: BusinessCalendar, start_us: int, duration_us: int) -> int:
    if duration_us < 0:
        raise CalendarError(gettext("时长不能为负数"))
    if duration_us == 0:
        return start_us
    remaining = duration_us
    day = from_us(start_us, calendar.timezone).date()
    # Windows of the previous local date never reach into this one (they end by midnight),
    # so the search starts on the start's own date.
    for _ in range(_MAX_DAYS):
        for window_start, window_end in calendar.windows_on(day):
            if window_end <= start_us:
                continue
            begin = window_start if window_start > start_us else start_us
            available = window_end - begin
            if available >= remaining:
                return begin + remaining
            remaining -= available
        day += dt.timedelta(days=1)
    raise CalendarError(gettext("十年内没有任何工作时间：请检查日历的工作时间"))


def business_time_between(
    calendar: BusinessCalendar, start: dt.datetime, end: dt.datetime
) -> dt.timedelta:
    """Working time in [start, end); zero when end is not after start."""
    return dt.timedelta(microseconds=business_us_between(calendar, to_us(start), to_us(end)))


def business_us_between(calendar: BusinessCalendar, start_us: int, end_us: int) -> int:
    if end_us <= start_us:
        return 0
    total = 0
    day = from_us(start_us, calendar.timezone).date()
    last_day = from_us(end_us, calendar.timezone).date()
    while day <= last_day:
        for window_start, window_end in calendar.windows_on(day):
            begin = max(window_start, start_us)
            finish = min(window_end, end_us)
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return total


def business_us_outside_pauses(
    calendar: BusinessCalendar,
    start_us: int,
    end_us: int,
    pauses: Sequence[tuple[int, int | None]],
) -> int:
    """Working time in [start_us, end_us) outside the pauses: (from, to) in epoch microseconds,
    sorted and not overlapping; `to` None means paused until the end."""
    total = 0
    cursor = start_us
    for pause_start, pause_end in pauses:
        if pause_start >= end_us:
            break
        if pause_end is not None and pause_end <= cursor:
            continue
        total += business_us_between(calendar, cursor, pause_start)
        if pause_end is None:
            return total
        cursor = max(cursor, pause_end)
    return total + business_us_between(calendar, cursor, end_us)


def due_after_pauses(
    calendar: BusinessCalendar,
    start_us: int,
    duration_us: int,
    pauses: Sequence[tuple[int, int | None]],
) -> int | None:
    """When `duration_us` of working time has elapsed after `start_us`, not counting pauses.

    `pauses` are (from, to) in epoch microseconds, sorted; `to` None means still paused, in
    which case the answer is None (the deadline is not known until the clock runs again).
    """
    cursor = start_us
    remaining = duration_us
    for pause_start, pause_end in pauses:
        if pause_end is not None and pause_end <= cursor:
            continue
        pause_start = max(pause_start, cursor)
        available = business_us_between(calendar, cursor, pause_start)
        if available >= remaining:
            return add_business_us(calendar, cursor, remaining)
        remaining -= available
        if pause_end is None:
            return None
        cursor = pause_end
    return add_business_us(calendar, cursor, remaining)


def parse_hhmm(text: str) -> int:
    """'09:30' -> 570; '24:00' is the end of the day."""
    try:
        hours_text, minutes_text = text.split(":")
        hours, minutes = int(hours_text), int(minutes_text)
    except ValueError:
        raise CalendarError(gettext("时间“%(text)s”的格式应为 HH:MM") % {"text": text}) from None
    if not (0 <= minutes < 60 and 0 <= hours <= 24) or (hours == 24 and minutes != 0):
        raise CalendarError(
            gettext("时间“%(text)s”不是一天中的时刻（00:00–24:00）") % {"text": text}
        )
    return hours * 60 + minutes


def format_hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
