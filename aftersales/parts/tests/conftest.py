from __future__ import annotations

from typing import Any

import pytest

from aftersales.parts.tests.factories import make_depot, make_part, make_work_order


@pytest.fixture
def depot(db: Any) -> Any:
    return make_depot()


@pytest.fixture
def other_depot(db: Any) -> Any:
    return make_depot(code="sh-1", name="上海备件库", region="华东")


@pytest.fixture
def part(db: Any) -> Any:
    return make_part()


@pytest.fixture
def work_order(agent: Any, acme: Any, diamond_contract: Any) -> Any:
    return make_work_order(agent, acme)
