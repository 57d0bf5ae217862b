"""Calendars: create and change them, and turn a stored calendar into an engine value."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from aftersales.calendars.engine import (
    BusinessCalendar,
    CalendarError,
    Interval,
    parse_hhmm,
    validate_intervals,
)
from aftersales.calendars.holiday_sources import SOURCES, source_day_kind
from aftersales.calendars.models import Calendar, CalendarException, ExceptionKind
from aftersales.core.errors import Conflict, ValidationFailed

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _validate_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(_("未知的时区“%(name)s”") % {"name": name}, field="timezone") from None


def parse_working_hours(raw: Any) -> tuple[tuple[Interval, ...], ...] | None:
    """{"mon": [["09:00", "12:00"], ...], ...} -> weekly intervals; {} -> None (7x24)."""
    if raw in (None, {}):
        return None
    if not isinstance(raw, dict):
        raise ValidationFailed(_("工作时间必须是以星期 mon..sun 为键的对象"), field="working_hours")
    unknown = set(raw) - set(WEEKDAYS)
    if unknown:
        raise ValidationFailed(
            _("未知的星期：%(unknown)s；请使用 %(weekdays)s")
            % {"unknown": ", ".join(sorted(unknown)), "weekdays": ", ".join(WEEKDAYS)},
            field="working_hours",
        )
    week: list[tuple[Interval, ...]] = []
    for weekday in WEEKDAYS:
        field = f"working_hours.{weekday}"
        intervals = raw.get(weekday) or []
        if not isinstance(intervals, list):
            raise ValidationFailed(_("必须是 [开始, 结束] 时间对的列表"), field=field)
        parsed: list[Interval] = []
        for index, pair in enumerate(intervals):
            if not (isinstance(pair, list | tuple) and len(pair) == 2):
                raise ValidationFailed(
                    _("每个时间段的格式为 [\"HH:MM\", \"HH:MM\"]"),
                    field=f"{field}[{index}]",
                )
            try:
                parsed.append((parse_hhmm(str(pair[0])), parse_hhmm(str(pair[1]))))
            except CalendarError as error:
                raise ValidationFailed(str(error), field=f"{field}[{index}]") from None
        try:
            validate_intervals(parsed)
        except CalendarError as error:
            raise ValidationFailed(str(error), field=field) from None
        week.append(tuple(parsed))
    if not any(week):
        raise ValidationFailed(
            _("每天都没有工作时段；7×24 日历请发送 {}"), field="working_hours"
        )
    return tuple(week)


@transaction.atomic
def calendar_create(
    *,
    code: str,
    name: str,
    timezone: str = "Asia/Shanghai",
    working_hours: dict[str, Any] | None = None,
    holiday_source: str = "",
) -> Calendar:
    _validate_timezone(timezone)
    parse_working_hours(working_hours or {})
    if holiday_source not in ("", *SOURCES):
        raise ValidationFailed(
            _("%(field)s必须是以下之一：%(choices)s")
            % {"field": _("节假日来源"), "choices": ", ".join(repr(s) for s in ("", *SOURCES))},
            field="holiday_source",
        )
    if Calendar.objects.filter(code=code).exists():
        raise Conflict(
            _("代码为“%(code)s”的日历已存在") % {"code": code},
            code="calendar_exists", field="code",
        )
    return Calendar.objects.create(
        code=code,
        name=name,
        timezone=timezone,
        working_hours=working_hours or {},
        holiday_source=holiday_source,
    )


@transaction.atomic
def calendar_exception_set(
    *, calendar: Calendar, date: dt.date, kind: str, name: str
) -> CalendarException:
    """Enter or replace the exception for a date; open cases' clocks follow at the next sweep."""
    if kind not in ExceptionKind.values:
        raise ValidationFailed(
            _("%(field)s必须是以下之一：%(choices)s")
            % {"field": _("类型"), "choices": ", ".join(ExceptionKind.values)},
            field="kind",
        )
    if not name.strip():
        raise ValidationFailed(_("请填写名称"), field="name")
    exception, _created = CalendarException.objects.update_or_create(
        calendar=calendar, date=date, defaults={"kind": kind, "name": name.strip()}
    )
    Calendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1)
    calendar.refresh_from_db(fields=["version"])
    return exception


@transaction.atomic
def calendar_exception_delete(*, calendar: Calendar, date: dt.date) -> None:
    deleted, _by_model = CalendarException.objects.filter(calendar=calendar, date=date).delete()
    if deleted:
        Calendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1)


def calendar_touch(*, calendar: Calendar) -> None:
    """Record that a calendar changed by other means (the admin site): its version moves on, so
    cached engine values are not used and open cases are re-derived at the next sweep."""
    Calendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1)
    calendar.refresh_from_db(fields=["version"])


_cache: dict[tuple[Any, int], BusinessCalendar] = {}
_cache_lock = threading.Lock()


def business_calendar(calendar: Calendar) -> BusinessCalendar:
    """The engine value for a stored calendar, cached per process and calendar version."""
    key = (calendar.pk, calendar.version)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    exceptions = {
        day: kind == ExceptionKind.WORKDAY
        for day, kind in CalendarException.objects.filter(calendar=calendar).values_list("date", "kind")
    }
    source = calendar.holiday_source

    def day_kind(day: dt.date) -> bool | None:
        if day in exceptions:
            return exceptions[day]
        return source_day_kind(source, day)

    value = BusinessCalendar(
        timezone=ZoneInfo(calendar.timezone),
        weekly=parse_working_hours(calendar.working_hours),
        day_kind=day_kind,
    )
    with _cache_lock:
        for stale in [k for k in _cache if k[0] == calendar.pk]:
            del _cache[stale]
        _cache[key] = value
    return value
