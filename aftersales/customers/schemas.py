from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field


class CustomerIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    code: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=50)
    kind: Literal["organisation", "person"] = "organisation"
    region: str = ""
    notes: str = ""


class CustomerOut(Schema):
    id: uuid.UUID
    name: str
    code: str
    kind: str
    region: str


class ContactIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    title: str = ""
    phone: str = Field(default="", max_length=40, pattern=r"^[0-9+()\- ]*$")
    email: str = Field(default="", max_length=254)
    is_primary: bool = False
    language: Literal["", "zh-hans", "en"] = Field(default="", description="通知语言；空 = 按来信语言或默认中文")


class ContactPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    title: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[0-9+()\- ]*$")
    email: str | None = Field(default=None, max_length=254)
    is_primary: bool | None = None
    language: Literal["", "zh-hans", "en"] | None = None


class ContactOut(Schema):
    id: uuid.UUID
    name: str
    title: str
    phone: str
    email: str
    is_primary: bool
    language: str


class SiteIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    address: str = ""
    region: str = ""
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, max_digits=9, decimal_places=6)


class SiteOut(Schema):
    id: uuid.UUID
    name: str
    address: str
    region: str
    latitude: Decimal | None
    longitude: Decimal | None


class CustomerDetailOut(CustomerOut):
    notes: str
    contacts: list[ContactOut]
    sites: list[SiteOut]
