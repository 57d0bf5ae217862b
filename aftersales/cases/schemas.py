from __future__ import annotations

import uuid
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import InputDateTime, LocalDateTime

ChannelIn = Literal["phone", "email", "web", "chat", "fax", "onsite", "inspection", "api"]
CategoryIn = Literal["fault", "consultation", "complaint", "return_exchange", "training", "maintenance"]
ImpactIn = Literal["outage", "degraded", "limited", "none", ""]
SeverityIn = Literal["P1", "P2", "P3", "P4"]


class CaseCreateIn(Schema):
    customer_id: uuid.UUID
    channel: ChannelIn
    category: CategoryIn
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20000)
    impact: ImpactIn = ""
    severity: SeverityIn | None = Field(default=None, description="staff only; else derived from impact")
    contact_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    asset_id: uuid.UUID | None = None
    policy: str | None = Field(default=None, description="SLA policy code; managers/dispatchers only")
    assignee_id: int | None = Field(default=None, description="staff only")
    fault_class: str | None = Field(
        default=None, description="fault class code (staff only): sets the severity and the emergency targets"
    )


class CaseUpdateIn(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20000)
    impact: ImpactIn | None = None
    severity: SeverityIn | None = None
    category: CategoryIn | None = None
    contact_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    asset_id: uuid.UUID | None = None
    policy: str | None = None


class ClockOut(Schema):
    target: str
    state: str
    target_minutes: int
    started_at: LocalDateTime
    due_at: LocalDateTime | None
    calendar_due_at: LocalDateTime | None
    agreed_due_at: LocalDateTime | None
    agreed_reason: str
    warn_at: LocalDateTime | None
    met_at: LocalDateTime | None
    paused_at: LocalDateTime | None
    breached: bool


class EventOut(Schema):
    sequence: int
    kind: str
    at: LocalDateTime
    actor: str | None
    status_before: str
    status_after: str
    data: dict[str, Any]


class CaseOut(Schema):
    id: uuid.UUID
    number: str
    channel: str
    category: str
    impact: str
    severity: str
    title: str
    description: str
    customer_id: uuid.UUID
    customer_name: str
    contact_id: uuid.UUID | None
    site_id: uuid.UUID | None
    asset_id: uuid.UUID | None
    contract_id: uuid.UUID | None
    policy: str
    status: str
    escalation_level: int
    fault_class: str | None
    emergency_level: int | None
    assignee_id: int | None
    assignee: str | None
    opened_at: LocalDateTime
    resolved_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    next_due_at: LocalDateTime | None
    breached: bool
    version: int
    clocks: list[ClockOut]


class CaseDetailOut(CaseOut):
    events: list[EventOut] = Field(description="the last 50 events, oldest first")


class CasePageOut(Schema):
    items: list[CaseOut]
    limit: int
    offset: int
    next_offset: int | None


class EventPageOut(Schema):
    items: list[EventOut]
    next_before_sequence: int | None


class ActionIn(Schema):
    """Fields used by the actions: respond(message), assign(assignee_id), escalate(reason),
    wait_on_customer(reason), check_in(note), resolve(resolution), restore(note),
    agree_deadline(target, due_at, reason), confirm_closure(note, contact_id), reopen(reason),
    note(note: internal, staff only), customer_reply(message: the customer's side)."""

    message: str = Field(default="", max_length=20000)
    assignee_id: int | None = None
    reason: str = Field(default="", max_length=5000)
    note: str = Field(default="", max_length=5000)
    resolution: str = Field(default="", max_length=20000)
    target: Literal["first_response", "on_site", "resolution", "restoration"] | None = None
    due_at: InputDateTime | None = None
    contact_id: uuid.UUID | None = None
