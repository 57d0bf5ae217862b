from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import InputDateTime, LocalDateTime

TeamKindIn = Literal["hotline", "field", "expert"]
ShiftKindIn = Literal["regular", "on_call", "holiday"]
CODE_PATTERN = r"^[-a-zA-Z0-9_]+$"


class TeamCreateIn(Schema):
    code: str = Field(pattern=CODE_PATTERN, max_length=50)
    name: str = Field(min_length=1, max_length=100)
    kind: TeamKindIn
    region: str = Field(default="", max_length=100)
    calendar: str | None = Field(default=None, description="calendar code; none means 7x24 cover")


class TeamOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    kind: str
    region: str
    calendar: str | None
    is_active: bool


class ShiftCreateIn(Schema):
    team: str = Field(description="team code", max_length=50)
    user_id: int
    starts_at: InputDateTime
    ends_at: InputDateTime
    kind: ShiftKindIn = "regular"
    note: str = Field(default="", max_length=200)


class ShiftOut(Schema):
    id: uuid.UUID
    team: str
    user_id: int
    username: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    kind: str
    note: str


class ShiftPageOut(Schema):
    items: list[ShiftOut]
    limit: int
    offset: int
    next_offset: int | None


class OnDutyOut(Schema):
    user_id: int
    username: str
    name: str
    team: str
    team_kind: str
    shift_id: uuid.UUID
    shift_kind: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime


class OnDutyListOut(Schema):
    at: LocalDateTime
    items: list[OnDutyOut]


class GapOut(Schema):
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    minutes: int


class GapListOut(Schema):
    team: str
    start: LocalDateTime
    days: int
    items: list[GapOut]


class TechnicianCreateIn(Schema):
    user_id: int
    team: str | None = Field(default=None, description="team code")
    region: str = Field(default="", max_length=100)
    base_latitude: Decimal | None = Field(default=None, ge=-90, le=90, max_digits=9, decimal_places=6)
    base_longitude: Decimal | None = Field(
        default=None, ge=-180, le=180, max_digits=9, decimal_places=6
    )
    product_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    product_categories: list[str] = Field(default_factory=list, max_length=100)
    max_concurrent_work_orders: int = Field(default=5, ge=1, le=100)
    is_active: bool = True


class TechnicianUpdateIn(Schema):
    team: str | None = Field(default=None, description="team code; null or empty removes the team")
    region: str | None = Field(default=None, max_length=100)
    base_latitude: Decimal | None = Field(default=None, ge=-90, le=90, max_digits=9, decimal_places=6)
    base_longitude: Decimal | None = Field(
        default=None, ge=-180, le=180, max_digits=9, decimal_places=6
    )
    product_ids: list[uuid.UUID] | None = Field(default=None, max_length=500)
    product_categories: list[str] | None = Field(default=None, max_length=100)
    max_concurrent_work_orders: int | None = Field(default=None, ge=1, le=100)
    is_active: bool | None = None


class TechnicianOut(Schema):
    id: uuid.UUID
    user_id: int
    username: str
    name: str
    team: str | None
    region: str
    base_latitude: Decimal | None
    base_longitude: Decimal | None
    product_ids: list[uuid.UUID]
    product_categories: list[str]
    max_concurrent_work_orders: int
    is_active: bool
