from __future__ import annotations

from typing import Any

import pytest

from aftersales.loans.tests.factories import make_depot, make_unit


@pytest.fixture
def depot(db: Any) -> Any:
    return make_depot()


@pytest.fixture
def unit(acme_asset: Any, depot: Any) -> Any:
    return make_unit(acme_asset.product, depot)
