"""Fixtures shared by the console's page tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aftersales.accounts.models import Role, User


@pytest.fixture
def dispatcher(make_user: Callable[..., User]) -> User:
    return make_user("dispatcher", Role.DISPATCHER)
