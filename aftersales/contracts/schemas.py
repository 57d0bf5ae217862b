from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema
from pydantic import Field


class TargetsIn(Schema):
    first_response_minutes: int | None = Field(default=None, gt=0)
    on_site_minutes: int | None = Field(default=None, gt=0)
    resolution_minutes: int | None = Field(default=None, gt=0)
    restoration_minutes: int | None = Field(default=None, gt=0)


class SlaPolicyIn(Schema):
    code: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=50)
    name: str = Field(min_length=1, max_length=100)
    calendar: str = Field(description="calendar code")
    warning_percent: int = Field(default=80, ge=1, le=99)
    is_default: bool = False
    targets: dict[str, TargetsIn] = Field(description="severity (P1..P4) -> targets in minutes")


class SlaPolicyOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    calendar: str
    warning_percent: int
    is_default: bool
    version: int
    targets: dict[str, TargetsIn]
    regional_targets: dict[str, dict[str, TargetsIn]] = Field(
        description="region -> severity -> the targets that differ for cases at a site of that region "
                    "(null: the default target applies)")


class TargetsUpdateIn(Schema):
    targets: dict[str, TargetsIn] = Field(description="severity -> targets; replaces those severities")
    region: str = Field(default="", max_length=100,
                        description="empty: the default targets; else the targets of cases at sites of this region")


class TierIn(Schema):
    code: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=50)
    name: str = Field(min_length=1, max_length=100)
    policy: str = Field(description="SLA policy code")
    included_services: list[str] = Field(default_factory=list)
    description: str = ""
    return_visit_months: int | None = Field(
        default=None, ge=1, le=12, description="Months between return visits (empty: the default of the code)")


class TierOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    policy: str
    included_services: list[str]
    description: str
    return_visit_months: int | None


class ContractIn(Schema):
    number: str = Field(min_length=1, max_length=50)
    customer_id: uuid.UUID
    tier: str = Field(description="service tier code: diamond, gold, silver, ...")
    starts_on: dt.date
    ends_on: dt.date
    policy_override: str | None = Field(default=None, description="SLA policy code, if negotiated")


class ContractOut(Schema):
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    tier: str
    policy: str
    starts_on: dt.date
    ends_on: dt.date
