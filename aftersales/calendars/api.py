from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from aftersales.calendars.engine import CalendarError, add_business_time
from aftersales.calendars.models import Calendar
from aftersales.calendars.schemas import (
    CalendarExceptionIn,
    CalendarExceptionOut,
    CalendarIn,
    CalendarOut,
    DueOut,
)
from aftersales.calendars.services import business_calendar, calendar_create, calendar_exception_set
from aftersales.core.api_types import InputDateTime
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.core.permissions import require_role

router = Router(tags=["calendars"])
CONFIGURING = ("admin", "manager")


def _out(calendar: Calendar) -> CalendarOut:
    return CalendarOut(
        id=str(calendar.pk), code=calendar.code, name=calendar.name, timezone=calendar.timezone,
        working_hours=calendar.working_hours, holiday_source=calendar.holiday_source,
        version=calendar.version,
        exceptions=[CalendarExceptionOut(date=e.date, kind=e.kind, name=e.name)
                    for e in calendar.exceptions.all()],
    )


def _get(code: str) -> Calendar:
    calendar = Calendar.objects.prefetch_related("exceptions").filter(code=code).first()
    if calendar is None:
        raise NotFound(_("没有代码为“%(code)s”的工作日历") % {"code": code}, code="calendar_not_found")
    return calendar


@router.post("", response={201: CalendarOut})
def calendar_create_view(request: HttpRequest, payload: CalendarIn) -> Status[CalendarOut]:
    require_role(request.user, CONFIGURING, doing=_("定义工作日历"))
    calendar = calendar_create(**payload.dict())
    return Status(201, _out(_get(calendar.code)))


@router.get("", response=list[CalendarOut])
def calendar_list(request: HttpRequest) -> list[CalendarOut]:
    return [_out(c) for c in Calendar.objects.prefetch_related("exceptions").order_by("code")[:500]]


@router.get("/{code}", response=CalendarOut)
def calendar_detail(request: HttpRequest, code: str) -> CalendarOut:
    return _out(_get(code))


@router.post("/{code}/exceptions", response={201: CalendarExceptionOut})
def calendar_exception_create(
    request: HttpRequest, code: str, payload: CalendarExceptionIn
) -> Status[CalendarExceptionOut]:
    require_role(request.user, CONFIGURING, doing=_("录入日历例外"))
    exception = calendar_exception_set(calendar=_get(code), **payload.dict())
    return Status(201, CalendarExceptionOut(date=exception.date, kind=exception.kind, name=exception.name))


class AddQuery(Schema):
    start: InputDateTime
    minutes: int = Field(ge=0, le=10_000_000)


@router.get("/{code}/add", response=DueOut)
def calendar_add(request: HttpRequest, code: str, query: Query[AddQuery]) -> DueOut:
    """The engine itself: when `minutes` of working time have elapsed after `start`."""
    if query.start.tzinfo is None:
        raise ValidationFailed(_("start 须带时区偏移，例如 2026-09-30T23:50:00+08:00"),
                               field="start")
    value = business_calendar(_get(code))
    try:
        due = add_business_time(value, query.start, dt.timedelta(minutes=query.minutes))
    except CalendarError as exc:  # e.g. no working time within the engine's ten-year search
        raise ValidationFailed(str(exc), field="minutes") from exc
    except OverflowError as exc:
        raise ValidationFailed(_("结果超出可表示的时间范围"), field="minutes") from exc
    return DueOut(start=query.start, minutes=query.minutes, due=due.isoformat())
