"""Fixtures of the knowledge-base API and page tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aftersales.accounts.models import Role, User
from aftersales.cases import services as cases
from aftersales.knowledge import services
from aftersales.knowledge.models import Article


@pytest.fixture
def expert(make_user: Callable[..., User]) -> User:
    return make_user("expert", Role.EXPERT)


@pytest.fixture
def resolved_case(agent: User, acme: Any, acme_asset: Any, diamond_contract: Any) -> Any:
    case, _ = cases.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                              title="北收费站 ETC 天线断电", description="3 号车道天线无信号", asset_id=acme_asset.pk,
                              impact="outage")
    cases.case_acknowledge(actor=agent, case_id=case.pk)
    cases.case_resolve(actor=agent, case_id=case.pk, resolution="更换天线电源适配器后恢复")
    case.refresh_from_db()
    return case


@pytest.fixture
def publish(agent: User, expert: User) -> Callable[..., Article]:
    """An article written by the agent and published by the expert."""

    def make(title: str, solution: str, *, visibility: str = "internal", **fields: Any) -> Article:
        article = services.article_create(actor=agent, title=title, solution=solution, visibility=visibility,
                                          **fields)
        services.article_transition(actor=agent, article_id=article.pk, action="submit")
        return services.article_transition(actor=expert, article_id=article.pk, action="publish")

    return make
