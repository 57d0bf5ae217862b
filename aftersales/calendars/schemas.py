from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from aftersales.core.api_types import LocalDateTime


class CalendarIn(Schema):
    code: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=50)
    name: str = Field(min_length=1, max_length=100)
    timezone: str = "Asia/Shanghai"
    working_hours: dict[str, list[list[str]]] = Field(
        default_factory=dict,
        description='{"mon": [["09:00", "12:00"], ["13:00", "18:00"]], ...}; {} means 7x24',
    )
    holiday_source: Literal["", "CN"] = ""


class CalendarExceptionIn(Schema):
    date: dt.date
    kind: Literal["holiday", "workday"]
    name: str = Field(min_length=1, max_length=100)


class CalendarExceptionOut(Schema):
    date: dt.date
    kind: str
    name: str


class CalendarOut(Schema):
    id: str
    code: str
    name: str
    timezone: str
    working_hours: dict[str, list[list[str]]]
    holiday_source: str
    version: int
    exceptions: list[CalendarExceptionOut]


class DueOut(Schema):
    start: LocalDateTime
    minutes: int
    due: str
