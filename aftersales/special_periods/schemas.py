from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import InputDateTime, LocalDateTime

PeriodKindValue = Literal["holiday", "major_event", "severe_weather"]
ResourceKindValue = Literal["technician", "spare_part", "substitute_unit", "vehicle", "generator", "other"]


class PageQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


class PeriodIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: PeriodKindValue
    starts_at: InputDateTime
    ends_at: InputDateTime
    customer_id: uuid.UUID | None = None
    site_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    team_codes: list[str] = Field(default_factory=list, max_length=50)
    checklist_code: str | None = Field(default=None, max_length=50)
    is_round_the_clock: bool = True
    note: str = Field(default="", max_length=5000)


class PeriodUpdateIn(Schema):
    """Only the fields given change; `expected_version` refuses a stale edit (412)."""

    expected_version: int | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    starts_at: InputDateTime | None = None
    ends_at: InputDateTime | None = None
    customer_id: uuid.UUID | None = None
    site_ids: list[uuid.UUID] | None = Field(default=None, max_length=500)
    team_codes: list[str] | None = Field(default=None, max_length=50)
    checklist_code: str | None = Field(default=None, max_length=50)
    is_round_the_clock: bool | None = None
    note: str | None = Field(default=None, max_length=5000)


class PeriodTransitionIn(Schema):
    reason: str = Field(default="", max_length=2000)


class PeriodSiteOut(Schema):
    id: uuid.UUID
    name: str


class PeriodTeamOut(Schema):
    code: str
    name: str


class PeriodOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    customer_id: uuid.UUID | None
    customer_name: str | None
    sites: list[PeriodSiteOut]
    teams: list[PeriodTeamOut]
    is_round_the_clock: bool
    checklist_code: str | None
    checklist_name: str | None
    note: str
    created_by: str
    activated_at: LocalDateTime | None
    finished_at: LocalDateTime | None
    version: int


class PeriodPageOut(Schema):
    items: list[PeriodOut]
    limit: int
    offset: int
    next_offset: int | None


class PeriodChecklistItemIn(Schema):
    label: str = Field(min_length=1, max_length=200)
    kind: Literal["pass_fail", "number", "text"] = "pass_fail"
    expected_min: str | None = None
    expected_max: str | None = None
    expected_text: str = Field(default="", max_length=200)
    unit: str = Field(default="", max_length=20)
    is_photo_required: bool = False


class ChecklistIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    items: list[PeriodChecklistItemIn] = Field(min_length=1, max_length=100)


class ChecklistOut(Schema):
    code: str
    name: str


class DutyIn(Schema):
    team_code: str = Field(min_length=1, max_length=50)
    user_id: int
    starts_at: InputDateTime
    ends_at: InputDateTime
    note: str = Field(default="", max_length=200)


class DutyOut(Schema):
    id: uuid.UUID
    shift_id: uuid.UUID
    team_code: str
    team_name: str
    user_id: int
    username: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    note: str


class PlanIn(Schema):
    team_code: str = Field(min_length=1, max_length=50)
    name: str = Field(default="", max_length=200)
    site_id: uuid.UUID | None = None
    asset_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    frequency: Literal["daily", "weekly", "every_n_days"] = "daily"
    interval_days: int | None = Field(default=None, ge=1, le=365)
    starts_on: dt.date
    ends_on: dt.date


class PeriodPlanOut(Schema):
    id: uuid.UUID
    plan_id: uuid.UUID
    name: str
    kind: str
    site_name: str | None
    team_code: str
    checklist_code: str
    frequency: str
    starts_on: dt.date
    ends_on: dt.date | None
    is_active: bool


class ResourceIn(Schema):
    kind: ResourceKindValue
    description: str = Field(default="", max_length=200)
    quantity: int = Field(default=1, ge=1, le=100_000)
    location: str = Field(default="", max_length=200)
    depot_id: uuid.UUID | None = None
    part_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = None
    person_id: int | None = None
    note: str = Field(default="", max_length=2000)


class ResourceOut(Schema):
    id: uuid.UUID
    kind: str
    kind_label: str
    description: str
    quantity: int
    location: str
    depot_id: uuid.UUID | None
    depot_code: str | None
    part_id: uuid.UUID | None
    part_code: str | None
    product_id: uuid.UUID | None
    product_model: str | None
    person: str | None
    note: str


class PeriodGapOut(Schema):
    starts_at: LocalDateTime
    ends_at: LocalDateTime


class TeamCoverOut(Schema):
    team_code: str
    team_name: str
    gap_minutes: int
    gaps: list[PeriodGapOut]


class DutyReadinessOut(Schema):
    state: Literal["ok", "warning"]
    reasons: list[str]
    duty_count: int
    people_count: int
    teams: list[TeamCoverOut]


class FailedItemOut(Schema):
    label: str
    plan_name: str
    case_id: uuid.UUID | None
    case_number: str | None
    case_is_open: bool


class InspectionReadinessOut(Schema):
    state: Literal["ok", "warning"]
    reasons: list[str]
    plan_count: int
    planned: int
    done: int
    overdue: int
    cancelled: int
    failed_items: list[FailedItemOut]


class PartLineOut(Schema):
    part_code: str
    part_name: str
    depot_code: str
    required: int
    available: int
    shortage: int


class PartsReadinessOut(Schema):
    state: Literal["ok", "warning"]
    reasons: list[str]
    lines: list[PartLineOut]


class UnitLineOut(Schema):
    description: str
    depot_name: str | None
    required: int
    available: int
    shortage: int


class UnitsReadinessOut(Schema):
    state: Literal["ok", "warning"]
    reasons: list[str]
    pool_available: int
    lines: list[UnitLineOut]


class ReadinessOut(Schema):
    at: LocalDateTime
    is_ready: bool
    reasons: list[str]
    duty: DutyReadinessOut
    inspections: InspectionReadinessOut
    parts: PartsReadinessOut
    substitute_units: UnitsReadinessOut


class PeriodEventOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: str
    at: LocalDateTime
    detail: str
