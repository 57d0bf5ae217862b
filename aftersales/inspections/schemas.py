from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import LocalDateTime

CODE_PATTERN = r"^[-a-zA-Z0-9_]+$"


class ChecklistItemIn(Schema):
    label: str = Field(min_length=1, max_length=200)
    kind: Literal["pass_fail", "number", "text"] = "pass_fail"
    expected_min: Decimal | None = Field(default=None, max_digits=12, decimal_places=3)
    expected_max: Decimal | None = Field(default=None, max_digits=12, decimal_places=3)
    expected_text: str = Field(default="", max_length=200)
    unit: str = Field(default="", max_length=20)
    is_photo_required: bool = False


class TemplateCreateIn(Schema):
    code: str = Field(pattern=CODE_PATTERN, max_length=50)
    name: str = Field(min_length=1, max_length=100)
    items: list[ChecklistItemIn]


class ChecklistItemOut(Schema):
    id: uuid.UUID
    position: int
    label: str
    kind: str
    expected_min: Decimal | None
    expected_max: Decimal | None
    expected_text: str
    unit: str
    is_photo_required: bool


class TemplateOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    items: list[ChecklistItemOut]


class PlanCreateIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["regular", "holiday", "major_event", "severe_weather"] = "regular"
    site_id: uuid.UUID | None = None
    asset_id: uuid.UUID | None = None
    asset_ids: list[uuid.UUID] = Field(default_factory=list)
    frequency: Literal["daily", "weekly", "monthly", "quarterly", "yearly", "every_n_days"]
    interval_days: int | None = Field(default=None, ge=1, le=366)
    day_basis: Literal["calendar", "working"] = "calendar"
    calendar: str | None = Field(default=None, description="calendar code; none: the team's calendar")
    template: str = Field(description="checklist template code")
    team: str = Field(description="team code")
    starts_on: dt.date
    ends_on: dt.date | None = None


class PlanUpdateIn(Schema):
    name: str | None = Field(default=None, max_length=200)
    template: str | None = None
    team: str | None = None
    ends_on: dt.date | None = None
    is_active: bool | None = None
    expected_version: int | None = None


class PlanOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    customer_id: uuid.UUID
    site_id: uuid.UUID | None
    asset_id: uuid.UUID | None
    frequency: str
    interval_days: int | None
    day_basis: str
    calendar: str | None
    template: str
    team: str
    starts_on: dt.date
    ends_on: dt.date | None
    is_active: bool
    version: int


class OccurrenceOut(Schema):
    id: uuid.UUID
    plan_id: uuid.UUID
    plan: str
    period_start: dt.date
    scheduled_on: dt.date
    due_at: LocalDateTime
    status: str
    is_overdue: bool
    case_number: str | None
    work_order_id: uuid.UUID | None
    work_order_number: str | None
    completed_at: LocalDateTime | None


class OccurrencePageOut(Schema):
    items: list[OccurrenceOut]
    limit: int
    offset: int
    next_offset: int | None


class PageQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


class OccurrenceQuery(PageQuery):
    plan_id: uuid.UUID | None = None
    status: Literal["planned", "scheduled", "completed", "cancelled"] | None = None
    scheduled_from: dt.date | None = None
    scheduled_to: dt.date | None = None


class ItemAnswerIn(Schema):
    item_id: uuid.UUID
    value: Decimal | str | None = None
    is_passed: bool | None = None
    note: str = Field(default="", max_length=2000)
    photo_id: uuid.UUID | None = None

    def as_answer(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "value": self.value, "is_passed": self.is_passed, "note": self.note,
                "photo_id": self.photo_id}


class ResultIn(Schema):
    items: list[ItemAnswerIn]
    note: str = Field(default="", max_length=4000)


class ItemResultOut(Schema):
    item_id: uuid.UUID
    position: int
    label: str
    value_number: Decimal | None
    value_text: str
    is_passed: bool
    note: str
    photo_id: uuid.UUID | None
    case_id: uuid.UUID | None
    case_number: str | None


class ResultOut(Schema):
    id: uuid.UUID
    occurrence_id: uuid.UUID
    submitted_by: str
    submitted_at: LocalDateTime
    is_passed: bool
    note: str
    items: list[ItemResultOut]
