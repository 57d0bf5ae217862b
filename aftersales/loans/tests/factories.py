"""Builders for the loans tests: a case on an asset, depots, substitute units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.cases import services as case_services
from aftersales.cases.models import Case
from aftersales.loans.models import SubstituteUnit
from aftersales.parts.models import Depot
from aftersales.parts.services import depot_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENED = "2026-11-02 10:00"
# Diamond P2: resolution due 48 h after filing (24×7), warning at 80 % (38 h 24 min).
BEFORE_WARNING = "2026-11-03 12:00"
AFTER_WARNING = "2026-11-04 01:00"


def at(text: str) -> dt.datetime:
    """'2026-11-02 10:00' in Asia/Shanghai."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def make_case(actor: Any, customer: Any, asset: Any = None, *, when: str = OPENED, **kw: Any) -> Case:
    case, _created = case_services.case_open(
        actor=actor, customer_id=customer.pk, channel="phone", category="fault",
        title="车道天线故障", impact="degraded", asset_id=asset.pk if asset is not None else None,
        now=at(when), **kw,
    )
    return case


def make_depot(code: str = "bj-1", *, region: str = "华北", lat: str | None = None,
               lon: str | None = None, **kw: Any) -> Depot:
    return depot_create(
        code=code, name=kw.pop("name", f"{code} 备件库"), region=region,
        latitude=Decimal(lat) if lat else None, longitude=Decimal(lon) if lon else None, **kw,
    )


def make_unit(product: Any, depot: Depot, serial: str = "SUB-001", **kw: Any) -> SubstituteUnit:
    return SubstituteUnit.objects.create(product=product, depot=depot, serial_number=serial, **kw)
