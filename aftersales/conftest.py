"""Shared fixtures. Personas: alice (an Acme customer user, its service manager), bob (our
engineer who works Acme's cases), charlie (a Globex user who must never see Acme data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from aftersales.accounts.models import Role, User
from aftersales.accounts.services import api_token_create, user_create
from aftersales.assets.services import asset_create, product_create
from aftersales.contracts.services import contract_create
from aftersales.customers.models import Customer
from aftersales.customers.services import contact_create, customer_create, site_create

PASSWORD = "correct-horse-42"  # noqa: S105 - test fixture


class ApiClient:
    """A Django test client that speaks JSON with a bearer token."""

    def __init__(self, user: User | None):
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, plain = api_token_create(user=user)
            self.headers["Authorization"] = f"Bearer {plain}"

    def _call(self, method: str, path: str, data: Any = None, headers: dict[str, str] | None = None) -> Any:
        kwargs: dict[str, Any] = {"headers": {**self.headers, **(headers or {})}}
        if data is not None:
            kwargs["data"] = data
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str, **kw: Any) -> Any:
        return self._call("get", path, **kw)

    def post(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self._call("post", path, data if data is not None else {}, **kw)

    def patch(self, path: str, data: Any, **kw: Any) -> Any:
        return self._call("patch", path, data, **kw)

    def put(self, path: str, data: Any, **kw: Any) -> Any:
        return self._call("put", path, data, **kw)


@pytest.fixture
def acme(db: Any) -> Customer:
    return customer_create(name="Acme 高速公路管理处", code="acme")


@pytest.fixture
def globex(db: Any) -> Customer:
    return customer_create(name="Globex 交通局", code="globex")


@pytest.fixture
def acme_contact(acme: Customer) -> Any:
    return contact_create(customer=acme, name="马建国", phone="13899100001", email="ma@acme.invalid")


@pytest.fixture
def acme_site(acme: Customer) -> Any:
    return site_create(customer=acme, name="北收费站")


@pytest.fixture
def acme_asset(acme: Customer, acme_site: Any) -> Any:
    product = product_create(model="RSU-1", name="ETC 路侧单元")
    return asset_create(product=product, serial_number="SN-0001", customer=acme, site=acme_site)


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(username: str, role: str, customer: Customer | None = None) -> User:
        return user_create(username=username, password=PASSWORD, role=role, customer=customer,
                           email=f"{username}@example.invalid")

    return make


@pytest.fixture
def alice(make_user: Callable[..., User], acme: Customer) -> User:
    return make_user("alice", Role.CUSTOMER, acme)


@pytest.fixture
def charlie(make_user: Callable[..., User], globex: Customer) -> User:
    return make_user("charlie", Role.CUSTOMER, globex)


@pytest.fixture
def bob(make_user: Callable[..., User]) -> User:
    return make_user("bob", Role.ENGINEER)


@pytest.fixture
def agent(make_user: Callable[..., User]) -> User:
    return make_user("agent", Role.AGENT)


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user("manager", Role.MANAGER)


@pytest.fixture
def diamond_contract(acme: Customer) -> Any:
    import datetime as dt

    return contract_create(number="HT-ACME-1", customer=acme, tier_code="diamond",
                           starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2035, 12, 31))


@pytest.fixture
def api() -> Callable[[User | None], ApiClient]:
    return ApiClient


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    """A page client signed in as the user (the API tests use `api`)."""

    def sign_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in
