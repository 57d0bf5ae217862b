from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aftersales.accounts.models import Role, User
from aftersales.special_periods.tests.factories import make_checklist, make_period, make_team


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def dispatcher(make_user: Callable[..., User]) -> User:
    return make_user("dora", Role.DISPATCHER)


@pytest.fixture
def team(db: Any) -> Any:
    return make_team()


@pytest.fixture
def checklist(manager: User) -> Any:
    return make_checklist(manager)


@pytest.fixture
def period(manager: User, team: Any, checklist: Any, acme: Any, acme_site: Any) -> Any:
    return make_period(manager, customer_id=acme.pk, site_ids=[acme_site.pk], team_codes=[team.code],
                       checklist_code=checklist.code)
