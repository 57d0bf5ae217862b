from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema
from pydantic import Field


class ProductIn(Schema):
    model: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    category: str = ""
    manufacturer: str = ""
    has_acceptance: bool = True
    trial_months: int = Field(default=12, ge=0, le=240)
    warranty_months: int = Field(default=12, ge=0, le=240)
    return_days: int = Field(default=7, ge=0, le=365)


class ProductOut(Schema):
    id: uuid.UUID
    model: str
    name: str
    category: str
    manufacturer: str
    has_acceptance: bool
    trial_months: int
    warranty_months: int
    return_days: int


class AssetIn(Schema):
    product_id: uuid.UUID
    serial_number: str = Field(min_length=1, max_length=100)
    customer_id: uuid.UUID
    site_id: uuid.UUID | None = None
    purchased_on: dt.date | None = None
    initial_acceptance_on: dt.date | None = None
    final_acceptance_on: dt.date | None = None
    location_note: str = ""


class WarrantyOut(Schema):
    state: str
    trial_starts_on: dt.date | None
    trial_ends_on: dt.date | None
    warranty_starts_on: dt.date | None
    warranty_ends_on: dt.date | None
    is_free_of_charge: bool


class AssetOut(Schema):
    id: uuid.UUID
    product_id: uuid.UUID
    product_model: str
    serial_number: str
    customer_id: uuid.UUID
    site_id: uuid.UUID | None
    purchased_on: dt.date | None
    initial_acceptance_on: dt.date | None
    final_acceptance_on: dt.date | None
    location_note: str
    warranty: WarrantyOut
