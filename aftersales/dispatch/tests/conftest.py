from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from aftersales.accounts.models import Role, User
from aftersales.assets.services import asset_create, product_create
from aftersales.customers.services import site_create
from aftersales.dispatch.tests.factories import SITE_LATITUDE, SITE_LONGITUDE, open_case
from aftersales.roster.models import Team
from aftersales.roster.services import team_create


@pytest.fixture
def dispatcher(make_user: Callable[..., User]) -> User:
    return make_user("dispatcher", Role.DISPATCHER)


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("admin", Role.ADMIN)


@pytest.fixture
def rsu(db: Any) -> Any:
    return product_create(model="RSU-9", name="ETC 路侧单元", category="路侧单元")


@pytest.fixture
def north_station(acme: Any) -> Any:
    return site_create(customer=acme, name="北京北收费站", region="北京",
                       latitude=Decimal(str(SITE_LATITUDE)), longitude=Decimal(str(SITE_LONGITUDE)))


@pytest.fixture
def rsu_asset(acme: Any, rsu: Any, north_station: Any) -> Any:
    return asset_create(product=rsu, serial_number="RSU9-0001", customer=acme, site=north_station)


@pytest.fixture
def case(agent: Any, acme: Any, diamond_contract: Any, rsu_asset: Any, north_station: Any) -> Any:
    """A P1 outage at the north station opened at T0: on site within 4 hours (7x24)."""
    return open_case(agent, acme, asset_id=rsu_asset.pk, site_id=north_station.pk)


@pytest.fixture
def field_team(db: Any) -> Team:
    return team_create(code="field-beijing", name="北京现场组", kind="field", region="北京")
