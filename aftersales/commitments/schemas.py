"""API input and output of commitment imports."""

from __future__ import annotations

import uuid
from typing import Any

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import LocalDateTime

CODE_PATTERN = r"^[-a-zA-Z0-9_]+$"


class ImportCreateIn(Schema):
    text: str = Field(min_length=1, max_length=200_000)
    name: str = Field(default="", max_length=200)


class SpanOut(Schema):
    start: int
    end: int
    text: str


class ItemOut(Schema):
    id: uuid.UUID
    position: int
    kind: str
    severity: str
    regions: list[str]
    value: int | None
    value_unit: str
    original_value: int | None
    basis: str
    conditions: dict[str, str]
    start_event: str
    subject: str
    is_included: bool
    reason: str
    span: SpanOut
    figure: str
    sentence: SpanOut
    rule: str
    note: str


class UnmappedOut(Schema):
    reason: str
    span: SpanOut
    sentence: SpanOut
    rule: str


class ChangeOut(Schema):
    area: str
    label: str
    old: str
    new: str


class ImportOut(Schema):
    id: uuid.UUID
    source_name: str
    source_kind: str
    status: str
    version: int
    text: str
    created_at: LocalDateTime
    applied_at: LocalDateTime | None
    target_policy: str | None
    target_tier: str | None
    target_contract: str | None
    items: list[ItemOut]
    unmapped: list[UnmappedOut]
    applied_changes: list[ChangeOut]


class ItemUpdateIn(Schema):
    version: int = Field(ge=1)
    kind: str | None = None
    severity: str | None = Field(default=None, pattern=r"^(|P[1-4])$")
    regions: list[str] | None = Field(default=None, max_length=20)
    value: int | None = Field(default=None, ge=0)
    is_included: bool | None = None
    note: str | None = Field(default=None, max_length=500)


class ApplyIn(Schema):
    policy_code: str = Field(pattern=CODE_PATTERN, max_length=50)
    policy_name: str = Field(default="", max_length=100)
    tier_code: str = Field(default="", max_length=50)
    contract_number: str = Field(default="", max_length=50)
    product_models: list[str] = Field(default_factory=list, max_length=200)
    visit_assignee_id: str = Field(default="", max_length=20,
                                   description="Who visits when the contract has no return-visit plan yet")
    version: int | None = Field(default=None, ge=1)


class PreviewOut(Schema):
    is_new_policy: bool
    changes: list[ChangeOut]
    notes: list[str]
    targets: dict[str, Any]
