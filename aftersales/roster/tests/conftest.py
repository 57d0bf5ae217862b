from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aftersales.accounts.models import Role, User
from aftersales.roster.models import Team
from aftersales.roster.tests.factories import make_team, office_calendar


@pytest.fixture
def carol(make_user: Callable[..., User]) -> User:
    """A second engineer, for who-is-and-is-not-on-duty."""
    return make_user("carol", Role.ENGINEER)


@pytest.fixture
def expert(make_user: Callable[..., User]) -> User:
    return make_user("expert", Role.EXPERT)


@pytest.fixture
def hotline_24x7(db: Any) -> Team:
    return make_team("hotline", "hotline", name="400 热线")


@pytest.fixture
def hotline_office(db: Any) -> Team:
    """A hotline staffed in office hours only: evenings, weekends and holidays are out of hours."""
    return make_team("hotline", "hotline", calendar=office_calendar(), name="400 热线")


@pytest.fixture
def field_team(db: Any) -> Team:
    return make_team("field-north", "field", name="北区现场组", region="北区")


@pytest.fixture
def expert_team(db: Any) -> Team:
    return make_team("experts", "expert", name="技术专家组")
