from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from aftersales.accounts.models import Role, User
from aftersales.complaints import services
from aftersales.complaints.models import Complaint

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def manager2(make_user: Callable[..., User]) -> User:
    return make_user("manager2", Role.MANAGER)


@pytest.fixture
def file_complaint(acme: Any, agent: User) -> Callable[..., Complaint]:
    def file(**fields: Any) -> Complaint:
        values: dict[str, Any] = {"actor": agent, "customer_id": acme.pk, "title": "工程师迟到两小时",
                                  "channel": "phone", "now": NOW}
        values.update(fields)
        complaint, _created = services.complaint_file(**values)
        return complaint

    return file
