from __future__ import annotations

import uuid
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import InputDateTime, LocalDateTime

KindIn = Literal["repair", "installation", "inspection"]
StatusIn = Literal["scheduled", "travelling", "on_site", "work_done", "signed", "closed", "cancelled"]
ResultIn = Literal["fixed", "temporarily_restored", "needs_parts", "needs_return", "not_fixed"]


class WorkOrderCreateIn(Schema):
    case_id: uuid.UUID
    kind: KindIn = "repair"
    technician_id: int | None = None
    scheduled_for: InputDateTime | None = Field(default=None, description="with a time-zone offset")
    summary: str = Field(default="", max_length=5000)


class WorkOrderActionIn(Schema):
    """Fields used by the actions: assign(technician_id), check_in(note),
    record(diagnosis, work_performed, result, time_spent_minutes), cancel(reason); every action
    takes expected_version (409 when the work order changed since)."""

    technician_id: int | None = None
    note: str = Field(default="", max_length=5000)
    diagnosis: str | None = Field(default=None, max_length=20000)
    work_performed: str | None = Field(default=None, max_length=20000)
    result: ResultIn | None = None
    time_spent_minutes: int | None = Field(default=None, ge=0, le=20160)
    reason: str = Field(default="", max_length=5000)
    expected_version: int | None = Field(default=None, ge=1)


class SignatureIn(Schema):
    signer_name: str = Field(min_length=1, max_length=100)
    signature: str = Field(min_length=1, max_length=800_000,
                       description="PNG as a data URL (canvas.toDataURL('image/png')) or base64")
    expected_version: int | None = Field(default=None, ge=1)


class WorkOrderEventOut(Schema):
    sequence: int
    kind: str
    at: LocalDateTime
    actor: str | None
    status_before: str
    status_after: str
    data: dict[str, Any]


class PhotoOut(Schema):
    id: uuid.UUID
    caption: str
    content_type: str
    size: int
    uploaded_by: str
    created_at: LocalDateTime


class SignatureOut(Schema):
    signer_name: str
    signed_at: LocalDateTime
    width: int
    height: int


class WorkOrderOut(Schema):
    id: uuid.UUID
    number: str
    case_id: uuid.UUID
    case_number: str
    customer_id: uuid.UUID
    customer_name: str
    kind: str
    status: str
    technician_id: int | None
    technician: str | None
    summary: str
    scheduled_for: LocalDateTime | None
    travel_started_at: LocalDateTime | None
    checked_in_at: LocalDateTime | None
    work_done_at: LocalDateTime | None
    signed_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    cancelled_at: LocalDateTime | None
    cancel_reason: str
    diagnosis: str
    work_performed: str
    result: str
    time_spent_minutes: int | None
    version: int
    created_at: LocalDateTime


class WorkOrderDetailOut(WorkOrderOut):
    events: list[WorkOrderEventOut]
    photos: list[PhotoOut]
    signature: SignatureOut | None


class WorkOrderPageOut(Schema):
    items: list[WorkOrderOut]
    limit: int
    offset: int
    next_offset: int | None
