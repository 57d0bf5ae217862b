from __future__ import annotations

import uuid
from typing import Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import LocalDateTime


class PageQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


class UnitIn(Schema):
    product_id: uuid.UUID
    serial_number: str = Field(min_length=1, max_length=100)
    depot_id: uuid.UUID
    condition_note: str = Field(default="", max_length=2000)


class UnitStatusIn(Schema):
    status: Literal["available", "in_repair", "retired"]
    condition_note: str | None = Field(default=None, max_length=2000)


class UnitOut(Schema):
    id: uuid.UUID
    product_id: uuid.UUID
    product_model: str
    serial_number: str
    depot_id: uuid.UUID
    depot_code: str
    status: str
    condition_note: str


class UnitPageOut(Schema):
    items: list[UnitOut]
    limit: int
    offset: int
    next_offset: int | None


class LoanCandidateOut(Schema):
    unit: UnitOut
    depot_name: str
    distance_km: float | None
    is_same_region: bool


class ProposalIn(Schema):
    case_id: uuid.UUID
    reason: Literal["unit_taken_away", "resolution_at_risk"] = "unit_taken_away"
    unit_id: uuid.UUID | None = None


class DeclineIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class ProposalOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    case_number: str
    unit: UnitOut
    reason: str
    status: str
    proposed_at: LocalDateTime
    proposed_by: str | None
    decided_at: LocalDateTime | None
    decline_reason: str


class ProposalPageOut(Schema):
    items: list[ProposalOut]
    limit: int
    offset: int
    next_offset: int | None


class LoanIn(Schema):
    proposal_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None
    due_back_at: LocalDateTime
    condition_out: str = Field(min_length=1, max_length=2000)


class LoanReturnIn(Schema):
    condition_in: str = Field(min_length=1, max_length=2000)
    faulty: bool = False


class LoanOut(Schema):
    id: uuid.UUID
    unit: UnitOut
    case_id: uuid.UUID
    case_number: str
    customer_id: uuid.UUID
    site_id: uuid.UUID | None
    site_name: str | None
    lent_at: LocalDateTime
    due_back_at: LocalDateTime
    returned_at: LocalDateTime | None
    condition_out: str
    condition_in: str
    returned_faulty: bool
    status: str
    overdue: bool
    lent_by: str
    received_by: str | None


class LoanPageOut(Schema):
    items: list[LoanOut]
    limit: int
    offset: int
    next_offset: int | None
