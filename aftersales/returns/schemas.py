from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import LocalDateTime

KindIn = Literal["return", "exchange", "repair"]


class PageQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


class ReturnRequestIn(Schema):
    asset_id: uuid.UUID
    kind: KindIn
    reason: str = Field(min_length=1, max_length=4000)
    is_quality_fault: bool = False
    case_id: uuid.UUID | None = None


class PolicyCheckOut(Schema):
    outcome: str
    eligible: bool
    offered: str
    chargeable: bool
    return_shipping_paid_by: str
    reasons: list[str]
    explanation: str
    window_days: int
    days_since_purchase: int | None
    warranty_state: str


class PolicyCheckQuery(Schema):
    asset_id: uuid.UUID
    kind: KindIn
    is_quality_fault: bool = False
    on: dt.date | None = None


class DecisionIn(Schema):
    approve: bool | None = None
    reason: str = Field(default="", max_length=4000)
    chargeable: bool | None = None
    return_shipping_paid_by: Literal["seller", "customer"] | None = None


class ReturnReceiveIn(Schema):
    depot_id: uuid.UUID
    part_id: uuid.UUID
    faulty: bool | None = None
    quantity: int = Field(default=1, ge=1, le=1000)
    note: str = Field(default="", max_length=2000)


class CompleteIn(Schema):
    solution: str = Field(min_length=1, max_length=4000)


class PolicyIn(Schema):
    contract_id: uuid.UUID | None = None
    window_days: int | None = Field(default=None, ge=0, le=365)
    is_quality_fault_free_in_warranty: bool = True
    is_return_shipping_paid_by_seller: bool = True


class PolicyOut(Schema):
    id: uuid.UUID
    contract_id: uuid.UUID | None
    window_days: int | None
    is_quality_fault_free_in_warranty: bool
    is_return_shipping_paid_by_seller: bool


class ReturnRequestOut(Schema):
    id: uuid.UUID
    asset_id: uuid.UUID
    asset_serial_number: str
    product_model: str
    case_id: uuid.UUID | None
    customer_id: uuid.UUID
    kind: str
    reason: str
    is_quality_fault: bool
    requested_at: LocalDateTime
    requested_by: str
    status: str
    policy_outcome: str
    policy_eligible: bool
    decision: str
    decision_reason: str
    is_override: bool
    decided_by: str | None
    decided_at: LocalDateTime | None
    return_shipping_paid_by: str
    chargeable: bool
    received_at: LocalDateTime | None
    received_depot_id: uuid.UUID | None
    stock_movement_id: int | None
    solution: str
    completed_at: LocalDateTime | None


class ReturnRequestPageOut(Schema):
    items: list[ReturnRequestOut]
    limit: int
    offset: int
    next_offset: int | None
