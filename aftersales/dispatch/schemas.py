from __future__ import annotations

import uuid
from typing import Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import InputDateTime, LocalDateTime

KindIn = Literal["repair", "installation", "inspection"]


class CandidatesQuery(Schema):
    limit: int = Field(default=20, ge=1, le=100)


class ScorePartsOut(Schema):
    skill: float
    distance: float
    on_duty: float
    load: float


class CandidateOut(Schema):
    rank: int
    technician_id: uuid.UUID = Field(description="the technician's profile, as assign takes it")
    user_id: int
    username: str
    name: str
    team: str | None
    region: str
    score: float
    score_parts: ScorePartsOut
    skill_match: Literal["product", "category", "none"]
    proximity: Literal["measured", "same_region", "other_region", "unknown"]
    distance_km: float | None
    is_on_duty: bool
    open_work_orders: int
    capacity: int
    is_at_capacity: bool
    travel_minutes: int
    arrival_at: LocalDateTime
    arrives_in_time: bool | None = Field(description="null when the case has no on-site deadline")
    margin_minutes: int | None
    reasons: list[str]


class RankingOut(Schema):
    case_id: uuid.UUID
    case_number: str
    product_id: uuid.UUID | None
    product: str
    product_category: str
    site: str
    region: str
    latitude: float | None
    longitude: float | None
    on_site_clock_state: str | None
    on_site_due_at: LocalDateTime | None
    now: LocalDateTime
    candidates_total: int
    items: list[CandidateOut]


class AssignIn(Schema):
    technician_id: uuid.UUID = Field(description="a candidate's technician_id")
    kind: KindIn = "repair"
    scheduled_for: InputDateTime | None = Field(default=None, description="with a time-zone offset")
    summary: str = Field(default="", max_length=5000)


class AssignmentOut(Schema):
    work_order_id: uuid.UUID
    number: str
    case_id: uuid.UUID
    kind: str
    status: str
    technician_id: uuid.UUID
    technician_user_id: int
    technician: str
    scheduled_for: LocalDateTime | None
    created: bool
