from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aftersales.accounts.models import Role, User
from aftersales.inspections.tests.factories import checklist, field_team, make_plan


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def dispatcher(make_user: Callable[..., User]) -> User:
    return make_user("dora", Role.DISPATCHER)


@pytest.fixture
def team(db: Any) -> Any:
    return field_team()


@pytest.fixture
def template(manager: User) -> Any:
    return checklist(manager)


@pytest.fixture
def plan(manager: User, template: Any, team: Any, acme_asset: Any) -> Any:
    return make_plan(manager, template=template, team=team, asset_id=acme_asset.pk)
