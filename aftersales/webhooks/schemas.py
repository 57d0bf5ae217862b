from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema


class SubscriptionCreateIn(Schema):
    name: str = Field(max_length=100)
    url: str = Field(max_length=2000, description="http or https; internal addresses need allow_internal")
    event_types: list[str] = Field(description='"*", "case.*", "work_order.*" or exact types such as "case.created"')
    allow_internal: bool = False


class SubscriptionUpdateIn(Schema):
    version: int | None = Field(default=None, description="the version read; a stale one answers 412")
    name: str | None = Field(default=None, max_length=100)
    url: str | None = Field(default=None, max_length=2000)
    event_types: list[str] | None = None
    allow_internal: bool | None = None
    is_active: bool | None = None


class SubscriptionOut(Schema):
    id: uuid.UUID
    name: str
    url: str
    event_types: list[str]
    is_active: bool
    allow_internal: bool
    version: int
    created_at: dt.datetime


class SubscriptionSecretOut(SubscriptionOut):
    secret: str = Field(description="shown only now: keep it to check the X-Aftersales-Signature header")


class DeliveryOut(Schema):
    id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_status_code: int | None
    last_error: str
    delivered_at: dt.datetime | None
    created_at: dt.datetime


class DeliveryDetailOut(DeliveryOut):
    payload: dict[str, Any]
