"""Roster test data: teams, shifts and an office calendar, with times in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.calendars.models import Calendar
from aftersales.calendars.services import calendar_create
from aftersales.roster.models import Shift, Team
from aftersales.roster.services import shift_add, team_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def at(text: str) -> dt.datetime:
    """'2026-11-02 22:00' in Asia/Shanghai (2026-11-02 is a Monday)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def office_calendar(code: str = "office") -> Calendar:
    """Mon-Fri 09:00-18:00 with the Chinese public holidays and adjusted working days."""
    return calendar_create(
        code=code, name="办公时间", working_hours=OFFICE_HOURS, holiday_source="CN"
    )


def make_team(code: str, kind: str, *, calendar: Calendar | None = None, **fields: Any) -> Team:
    return team_create(
        code=code,
        name=fields.pop("name", f"{code} 组"),
        kind=kind,
        calendar_code=calendar.code if calendar else None,
        **fields,
    )


def make_shift(team: Team, user: Any, starts: str, ends: str, **fields: Any) -> Shift:
    return shift_add(team=team, user_id=user.pk, starts_at=at(starts), ends_at=at(ends), **fields)
