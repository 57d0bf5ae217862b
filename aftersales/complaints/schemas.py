from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import LocalDateTime


class ComplaintCreateIn(Schema):
    customer_id: uuid.UUID
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    channel: Literal["phone", "email", "web", "chat", "fax", "onsite", "inspection", "api"] = "web"
    severity: Literal["general", "serious", "critical"] = "general"
    contact_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    asset_id: uuid.UUID | None = None
    subject_case_id: uuid.UUID | None = None
    subject_work_order_id: uuid.UUID | None = None
    subject_technician_id: int | None = None
    subject_team_id: uuid.UUID | None = None


class RootCauseIn(Schema):
    category: str = Field(max_length=20)
    text: str = Field(min_length=1, max_length=4000)
    expected_version: int | None = None


class ActionCreateIn(Schema):
    kind: Literal["corrective", "preventive"]
    description: str = Field(min_length=1, max_length=4000)
    owner_id: int
    due_on: dt.date


class ActionCompleteIn(Schema):
    note: str = Field(default="", max_length=4000)


class ActionVerifyIn(Schema):
    accepted: bool = True
    note: str = Field(default="", max_length=4000)


class ActionOut(Schema):
    id: uuid.UUID
    kind: str
    description: str
    owner: str
    due_on: dt.date
    status: str
    is_overdue: bool
    done_at: LocalDateTime | None
    done_note: str
    verified_at: LocalDateTime | None
    verified_by: str | None
    verification_note: str


class ComplaintOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    case_number: str
    case_status: str
    title: str
    customer_id: uuid.UUID
    channel: str
    severity: str
    subject_case_id: uuid.UUID | None
    subject_work_order_id: uuid.UUID | None
    subject_technician: str | None
    subject_team: str | None
    filed_at: LocalDateTime
    acknowledge_due_at: LocalDateTime | None
    resolve_due_at: LocalDateTime | None
    acknowledged_at: LocalDateTime | None
    resolved_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    is_acknowledge_breached: bool
    is_resolve_breached: bool
    root_cause_category: str
    root_cause: str
    version: int
    actions: list[ActionOut]


class ComplaintPageOut(Schema):
    items: list[ComplaintOut]
    limit: int
    offset: int
    next_offset: int | None


class ComplaintQuery(Schema):
    status: Literal["", "open", "closed"] = ""
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class PeriodQuery(Schema):
    start: dt.date
    end: dt.date


class ComplaintCountsOut(Schema):
    filed: int
    closed: int
    open: int
    with_capa_overdue: int
    by_root_cause: dict[str, int]


class TrendOut(Schema):
    months: list[str]
    total: int
    tables: dict[str, list[dict[str, Any]]]
    repeat_customers: list[dict[str, Any]]
    open_actions: int
    overdue_actions: int


class EvaluationQuery(Schema):
    period_start: dt.date | None = None
    subject_kind: Literal["", "team", "technician"] = ""


class ComputeQuery(Schema):
    start: dt.date
    end: dt.date
    subject_kind: Literal["", "team", "technician"] = ""


class EvaluationOut(Schema):
    subject_kind: str
    subject_name: str
    team_id: uuid.UUID | None
    technician_id: int | None
    period_start: dt.date
    period_end: dt.date
    clocks_met: int
    clocks_breached: int
    sla_rate: str | None
    work_orders_done: int
    complaints: int
    satisfaction_average: str | None
    satisfaction_responses: int
    score: str | None
    parts: dict[str, Any]
    note: str
    is_snapshot: bool
