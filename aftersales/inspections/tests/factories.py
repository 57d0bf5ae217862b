"""Builders for inspection tests: a field team, a checklist, plans, dispatched occurrences."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.calendars.models import Calendar
from aftersales.calendars.services import calendar_create
from aftersales.inspections import services
from aftersales.inspections.models import ChecklistTemplate, InspectionOccurrence, InspectionPlan
from aftersales.roster.models import Team
from aftersales.roster.services import team_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def at(text: str) -> dt.datetime:
    """'2026-11-02 10:00' in Asia/Shanghai (2026-11-02 is a Monday)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def office_calendar(code: str = "office") -> Calendar:
    return calendar_create(code=code, name="办公时间", working_hours=OFFICE_HOURS, holiday_source="CN")


def field_team(calendar: Calendar | None = None, code: str = "field-north") -> Team:
    return team_create(code=code, name="北区现场组", kind="field",
                       calendar_code=calendar.code if calendar else None)


def checklist(actor: Any, code: str = "rsu-daily") -> ChecklistTemplate:
    return services.checklist_template_create(actor=actor, code=code, name="RSU 日常巡检", items=[
        {"label": "天线外观完好", "kind": "pass_fail", "is_photo_required": True},
        {"label": "供电电压", "kind": "number", "expected_min": "11.5", "expected_max": "13.5", "unit": "V"},
        {"label": "指示灯状态", "kind": "text", "expected_text": "绿"},
    ])


def make_plan(actor: Any, *, template: ChecklistTemplate, team: Team, **fields: Any) -> InspectionPlan:
    fields.setdefault("name", "北收费站 RSU 日检")
    fields.setdefault("frequency", "daily")
    fields.setdefault("starts_on", dt.date(2026, 11, 2))
    return services.plan_create(actor=actor, template_code=template.code, team_code=team.code, **fields)


def occurrence_rows(plan: InspectionPlan) -> list[tuple[dt.date, str]]:
    return list(InspectionOccurrence.objects.filter(plan=plan).order_by("period_start")
                .values_list("period_start", "status"))
