from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import InputDateTime, LocalDateTime

AudienceIn = Literal["customer", "staff"]
MaterialKindIn = Literal["operating_guide", "manual", "maintenance_guide", "video", "other"]


class PageQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


# --- sessions -------------------------------------------------------------------------------


class SessionCreateIn(Schema):
    product_id: uuid.UUID
    title: str = Field(min_length=1, max_length=200)
    audience: AudienceIn
    customer_id: uuid.UUID | None = None
    starts_at: InputDateTime
    ends_at: InputDateTime
    location: str = Field(default="", max_length=200)
    trainer_id: int
    capacity: int = Field(ge=1, le=10_000)
    grants_qualification: bool = False
    qualification_months: int | None = Field(default=None, ge=1, le=120)
    note: str = Field(default="", max_length=4000)


class SessionUpdateIn(Schema):
    """Only the fields sent change; `expected_version` guards against a lost update."""

    expected_version: int | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    starts_at: InputDateTime | None = None
    ends_at: InputDateTime | None = None
    location: str | None = Field(default=None, max_length=200)
    trainer_id: int | None = None
    capacity: int | None = Field(default=None, ge=1, le=10_000)
    grants_qualification: bool | None = None
    qualification_months: int | None = Field(default=None, ge=1, le=120)
    note: str | None = Field(default=None, max_length=4000)


class SessionCancelIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class SessionOut(Schema):
    id: uuid.UUID
    product_id: uuid.UUID
    product_model: str
    title: str
    audience: str
    customer_id: uuid.UUID | None
    customer_name: str | None
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    location: str
    trainer_id: int
    trainer_name: str
    capacity: int
    registered: int
    status: str
    grants_qualification: bool
    qualification_months: int | None
    note: str
    version: int
    held_at: LocalDateTime | None
    cancelled_at: LocalDateTime | None
    cancel_reason: str


class SessionPageOut(Schema):
    items: list[SessionOut]
    limit: int
    offset: int
    next_offset: int | None


class HoldOut(Schema):
    session: SessionOut
    qualification_ids: list[uuid.UUID]


# --- attendance -----------------------------------------------------------------------------


class AttendeeIn(Schema):
    """Exactly one of the two: a staff user (staff sessions) or a contact (customer sessions)."""

    user_id: int | None = None
    contact_id: uuid.UUID | None = None


class AttendanceRecordIn(Schema):
    attended: bool
    passed: bool | None = None
    score: int | None = Field(default=None, ge=0, le=100)


class AttendanceOut(Schema):
    id: uuid.UUID
    session_id: uuid.UUID
    user_id: int | None
    contact_id: uuid.UUID | None
    name: str
    attended: bool
    passed: bool | None
    score: int | None
    recorded_at: LocalDateTime | None


# --- materials ------------------------------------------------------------------------------


class MaterialOut(Schema):
    id: uuid.UUID
    product_id: uuid.UUID
    product_model: str
    title: str
    kind: str
    audience: str
    version: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    is_published: bool
    published_at: LocalDateTime | None
    created_at: LocalDateTime
    download_url: str


class MaterialPageOut(Schema):
    items: list[MaterialOut]
    limit: int
    offset: int
    next_offset: int | None


# --- qualifications -------------------------------------------------------------------------


class QualificationGrantIn(Schema):
    user_id: int
    product_id: uuid.UUID
    expires_on: dt.date | None = None


class QualificationRevokeIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class QualificationOut(Schema):
    id: uuid.UUID
    user_id: int
    username: str
    product_id: uuid.UUID
    product_model: str
    granted_on: dt.date
    expires_on: dt.date | None
    session_id: uuid.UUID | None
    granted_by: str
    revoked_at: LocalDateTime | None
    revoked_reason: str


class QualificationPageOut(Schema):
    items: list[QualificationOut]
    limit: int
    offset: int
    next_offset: int | None
