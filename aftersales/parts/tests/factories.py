"""Builders for the parts tests: depots, parts, stock, cases with work orders."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.cases import services as case_services
from aftersales.parts import services
from aftersales.parts.models import Depot, Part, PartKind
from aftersales.workorders.models import WorkOrder

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(text: str) -> dt.datetime:
    """'2026-11-02 10:00' in Asia/Shanghai."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def make_depot(code: str = "bj-1", name: str = "北京备件库", **kw: Any) -> Depot:
    return services.depot_create(code=code, name=name, region=kw.pop("region", "华北"), **kw)


def make_part(code: str = "RSU-ANT-01", kind: str = PartKind.REGULAR, **kw: Any) -> Part:
    kw.setdefault("name", "ETC 天线板")
    kw.setdefault("unit_cost", Decimal("800.00"))
    kw.setdefault("sale_price", Decimal("1200.00"))
    return services.part_create(code=code, kind=kind, **kw)


def make_work_order(
    actor: Any, customer: Any, *, asset: Any = None, when: dt.datetime | None = None
) -> WorkOrder:
    case, _created = case_services.case_open(
        actor=actor,
        customer_id=customer.pk,
        channel="phone",
        category="fault",
        title="车道天线故障",
        impact="degraded",
        asset_id=asset.pk if asset is not None else None,
        now=when,
    )
    return WorkOrder.objects.create(number=f"WO-T{next(_numbers):05d}", case=case)


def stock_of(depot: Depot, part: Part) -> tuple[int, int, int]:
    from aftersales.parts.models import Stock

    row = Stock.objects.get(depot=depot, part=part)
    return row.on_hand, row.reserved, row.faulty
