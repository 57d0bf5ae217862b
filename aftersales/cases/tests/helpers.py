from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    """'2026-09-30 23:50' in Asia/Shanghai."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def clock(body: dict[str, Any], target: str) -> dict[str, Any]:
    return next(c for c in body["clocks"] if c["target"] == target)


def new_case_payload(customer: Any, **overrides: Any) -> dict[str, Any]:
    payload = {
        "customer_id": str(customer.pk), "channel": "phone", "category": "fault",
        "title": "收费车道无法交易", "impact": "outage",
    }
    payload.update(overrides)
    return payload
