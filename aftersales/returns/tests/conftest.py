from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aftersales.assets.services import asset_create, product_create
from aftersales.parts.services import depot_create, part_create

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def obu(acme: Any, acme_site: Any) -> Any:
    """A consumer-style unit bought on 2026-03-01: warranty from purchase, 7 return days."""
    product = product_create(model="OBU-1", name="车载单元", has_acceptance=False)
    return asset_create(product=product, serial_number="OBU-0001", customer=acme, site=acme_site,
                        purchased_on=dt.date(2026, 3, 1))


@pytest.fixture
def depot(db: Any) -> Any:
    return depot_create(code="bj-1", name="北京备件库", region="华北")


@pytest.fixture
def part(db: Any) -> Any:
    return part_create(code="OBU-1-UNIT", name="车载单元整机")
