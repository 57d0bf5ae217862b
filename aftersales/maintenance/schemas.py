"""Input and output schemas of the maintenance API."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import InputDateTime


class LogCreateIn(Schema):
    site_id: uuid.UUID
    period_kind: str
    performed_at: InputDateTime
    asset_id: uuid.UUID | None = None
    work_order_id: uuid.UUID | None = None
    technician_id: int | None = None
    problem: str = ""
    symptom: str = ""
    diagnosis: str = ""
    treatment: str = ""
    state_after: str = ""
    parts_used: str = ""
    time_spent_minutes: int = 0


class LogUpdateIn(Schema):
    period_kind: str | None = None
    performed_at: InputDateTime | None = None
    asset_id: uuid.UUID | None = None
    work_order_id: uuid.UUID | None = None
    problem: str | None = None
    symptom: str | None = None
    diagnosis: str | None = None
    treatment: str | None = None
    state_after: str | None = None
    parts_used: str | None = None
    time_spent_minutes: int | None = None


class CorrectionIn(LogUpdateIn):
    pass


class TechnicianSignIn(Schema):
    signature: str = Field(description="PNG as data:image/png;base64,... or plain base64")
    signer_name: str = ""


class OwnerSignIn(Schema):
    signer_name: str
    signature: str


class OwnerLinkIn(Schema):
    email: str


class OwnerLinkOut(Schema):
    id: uuid.UUID
    email: str
    expires_at: dt.datetime


class TokenSignIn(Schema):
    token: str
    signer_name: str
    signature: str


class LogOut(Schema):
    id: uuid.UUID
    site_id: uuid.UUID
    site_name: str
    asset_id: uuid.UUID | None
    work_order_id: uuid.UUID | None
    period_kind: str
    status: str
    performed_at: dt.datetime
    problem: str
    symptom: str
    diagnosis: str
    treatment: str
    state_after: str
    parts_used: str
    time_spent_minutes: int
    technician_id: int
    technician_name: str
    technician_signed_at: dt.datetime | None
    owner_name: str
    owner_signed_at: dt.datetime | None
    owner_signed_via: str
    corrects_id: uuid.UUID | None
    sealed_at: dt.datetime | None
    chain_index: int | None
    previous_hash: str
    content_hash: str
    created_at: dt.datetime


class LogPageOut(Schema):
    count: int
    items: list[LogOut]


class BrokenLinkOut(Schema):
    site_id: uuid.UUID
    chain_index: int
    log_id: uuid.UUID
    problem: str
    expected: str
    found: str


class VerifyOut(Schema):
    intact: bool
    checked: int
    sites: int
    broken: BrokenLinkOut | None
