from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import LocalDateTime

PartKindIn = Literal["regular", "non_regular", "consumable"]


class PageQuery(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


class DepotIn(Schema):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=200)
    region: str = Field(default="", max_length=100)
    address: str = Field(default="", max_length=300)
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, max_digits=9, decimal_places=6)


class DepotOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    region: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    is_active: bool


class DepotPageOut(Schema):
    items: list[DepotOut]
    limit: int
    offset: int
    next_offset: int | None


class PartIn(Schema):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    kind: PartKindIn = "regular"
    unit: str = Field(default="件", min_length=1, max_length=20)
    unit_cost: Decimal = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2)
    sale_price: Decimal = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2)
    reorder_point: int = Field(default=0, ge=0, le=1_000_000)
    reorder_quantity: int = Field(default=0, ge=0, le=1_000_000)
    compatible_product_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)


class PartOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    kind: str
    unit: str
    unit_cost: Decimal
    sale_price: Decimal
    reorder_point: int
    reorder_quantity: int


class PartPageOut(Schema):
    items: list[PartOut]
    limit: int
    offset: int
    next_offset: int | None


class StockOut(Schema):
    depot_id: uuid.UUID
    part_id: uuid.UUID
    part_code: str
    part_name: str
    on_hand: int
    reserved: int
    available: int
    faulty: int
    reorder_point: int
    version: int


class StockPageOut(Schema):
    items: list[StockOut]
    limit: int
    offset: int
    next_offset: int | None


class MovementOut(Schema):
    id: int
    kind: str
    depot_id: uuid.UUID
    depot_code: str
    part_id: uuid.UUID
    part_code: str
    quantity: int
    on_hand_delta: int
    reserved_delta: int
    faulty_delta: int
    on_hand_after: int
    reserved_after: int
    work_order_id: uuid.UUID | None
    case_id: uuid.UUID | None
    parts_request_id: uuid.UUID | None
    transfer_id: uuid.UUID | None
    reason: str
    actor: str | None
    warranty_state: str
    is_chargeable: bool
    unit_price: Decimal | None
    amount: Decimal
    created_at: LocalDateTime


class MovementPageOut(Schema):
    items: list[MovementOut]
    limit: int
    offset: int
    next_offset: int | None


class StockChangeOut(Schema):
    movements: list[MovementOut]
    stock: list[StockOut]
    replayed: bool = Field(description="true when an Idempotency-Key repeated an earlier request")


Quantity = Field(gt=0, le=1_000_000)


class ReceiveIn(Schema):
    depot_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int = Quantity
    reason: str = Field(default="", max_length=2000)


class ReserveIn(Schema):
    depot_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int = Quantity
    work_order_id: uuid.UUID


class ReleaseIn(Schema):
    depot_id: uuid.UUID
    part_id: uuid.UUID
    work_order_id: uuid.UUID
    quantity: int | None = Field(
        default=None, gt=0, le=1_000_000, description="all reserved when omitted"
    )
    reason: str = Field(default="", max_length=2000)


class IssueIn(Schema):
    depot_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int = Quantity
    work_order_id: uuid.UUID


class TransferIn(Schema):
    from_depot_id: uuid.UUID
    to_depot_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int = Quantity
    reason: str = Field(default="", max_length=2000)


class ReturnIn(Schema):
    depot_id: uuid.UUID
    part_id: uuid.UUID
    quantity: int = Quantity
    work_order_id: uuid.UUID | None = None
    reason: str = Field(default="", max_length=2000)


class AdjustIn(Schema):
    depot_id: uuid.UUID
    part_id: uuid.UUID
    delta: int = Field(
        ge=-1_000_000, le=1_000_000, description="signed change of the count on hand"
    )
    reason: str = Field(min_length=1, max_length=2000)


class PartsRequestIn(Schema):
    work_order_id: uuid.UUID
    part_id: uuid.UUID
    depot_id: uuid.UUID
    quantity: int = Quantity
    note: str = Field(default="", max_length=2000)
    reserve: bool = Field(default=True, description="reserve available stock at once")


class PartsRequestOut(Schema):
    id: uuid.UUID
    work_order_id: uuid.UUID
    case_id: uuid.UUID
    part_id: uuid.UUID
    part_code: str
    part_kind: str
    depot_id: uuid.UUID
    quantity: int
    status: str
    requested_at: LocalDateTime
    target_minutes: int
    calendar: str | None
    due_at: LocalDateTime
    dispatched_at: LocalDateTime | None
    delivered_at: LocalDateTime | None
    cancelled_at: LocalDateTime | None
    breached: bool
    clock_state: str = Field(description="running, overdue, met, breached or cancelled")
    version: int


class PartsRequestPageOut(Schema):
    items: list[PartsRequestOut]
    limit: int
    offset: int
    next_offset: int | None


class CancelIn(Schema):
    reason: str = Field(default="", max_length=2000)


class SuggestionOut(Schema):
    id: uuid.UUID
    depot_id: uuid.UUID
    depot_code: str
    part_id: uuid.UUID
    part_code: str
    suggested_quantity: int
    available_at_suggestion: int
    status: str
    created_at: LocalDateTime
    decided_at: LocalDateTime | None


class SuggestionPageOut(Schema):
    items: list[SuggestionOut]
    limit: int
    offset: int
    next_offset: int | None


class SuggestionDecisionIn(Schema):
    status: Literal["ordered", "dismissed"]


class DeliveryTargetIn(Schema):
    kind: PartKindIn
    minutes: int = Field(gt=0, le=525_600)
    contract_id: uuid.UUID | None = None
    calendar: str | None = Field(
        default=None, description="calendar code; natural time when omitted"
    )


class DeliveryTargetOut(Schema):
    id: uuid.UUID
    contract_id: uuid.UUID | None
    kind: str
    minutes: int
    calendar: str | None


class LedgerMismatchOut(Schema):
    depot_id: uuid.UUID
    part_id: uuid.UUID
    stock: list[int] = Field(description="on hand, reserved, faulty")
    ledger: list[int] = Field(description="the same, summed over the ledger")
