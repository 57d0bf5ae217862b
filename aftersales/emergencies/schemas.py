from __future__ import annotations

import uuid

from ninja import Field, Schema


class EmergencyLevelIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    severity: str
    targets: dict[str, int | None] = Field(
        default_factory=dict, description="minutes per clock: first_response, on_site, resolution, restoration"
    )
    required_actions: list[str] = Field(default_factory=list)
    breach_reason_required: bool = True


class EmergencyLevelOut(Schema):
    id: uuid.UUID
    level: int
    name: str
    severity: str
    targets: dict[str, int | None]
    required_actions: list[str]
    breach_reason_required: bool


class FaultClassIn(Schema):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=100)
    level: int = Field(ge=1, le=9)
    description: str = ""


class FaultClassOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    level: int
    level_name: str
    severity: str
    is_active: bool
