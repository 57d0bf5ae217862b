from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from aftersales.accounts.models import SignInThrottle
from aftersales.accounts.services import SIGN_IN_FAILURES_BEFORE_LOCK, sign_in_check
from aftersales.conftest import PASSWORD
from aftersales.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def _post(client: Client, username: str, password: str):
    return client.post("/accounts/sign-in/", {"username": username, "password": password})


def test_staff_land_on_the_queue_and_customers_on_the_portal(agent, alice):
    assert _post(Client(), "agent", PASSWORD)["Location"] == "/console/"
    assert _post(Client(), "alice", PASSWORD)["Location"] == "/portal/"


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(agent):
    response = _post(Client(), "agent", "nope")
    assert response.status_code == 403
    assert "用户名或密码错误" in response.content.decode()


def test_repeated_failures_lock_the_name_even_for_the_right_password(agent):
    client = Client()
    for _attempt in range(SIGN_IN_FAILURES_BEFORE_LOCK):
        assert _post(client, "agent", "nope").status_code == 403
    response = _post(client, "Agent", PASSWORD)  # the same name in other letters
    assert response.status_code == 429
    assert "分钟后再试" in response.content.decode()
    assert SignInThrottle.objects.get(key="agent").locked_until > timezone.now()


def test_the_lock_expires_and_a_success_clears_the_count(agent):
    now = timezone.now()
    for _attempt in range(SIGN_IN_FAILURES_BEFORE_LOCK):
        with pytest.raises(PermissionDenied):
            sign_in_check(username="agent", password="nope", now=now)
    with pytest.raises(PermissionDenied) as locked:
        sign_in_check(username="agent", password=PASSWORD, now=now + dt.timedelta(minutes=1))
    assert locked.value.code == "locked_out"
    assert sign_in_check(username="agent", password=PASSWORD, now=now + dt.timedelta(minutes=6)) == agent
    assert not SignInThrottle.objects.exists()


def test_the_api_token_endpoint_counts_failures_too(api, agent):
    for _attempt in range(SIGN_IN_FAILURES_BEFORE_LOCK):
        api(None).post("/api/v1/auth/token", {"username": "agent", "password": "nope"})
    response = api(None).post("/api/v1/auth/token", {"username": "agent", "password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["code"] == "locked_out"


def test_next_may_not_lead_to_another_site(agent):
    response = Client().post("/accounts/sign-in/?next=https://evil.example/", {"username": "agent", "password": PASSWORD})
    assert response["Location"] == "/console/"


def test_sign_out_needs_a_post_and_ends_the_session(agent):
    client = Client()
    _post(client, "agent", PASSWORD)
    assert client.get("/accounts/sign-out/").status_code == 405
    client.post("/accounts/sign-out/")
    assert client.get("/console/")["Location"].startswith("/accounts/sign-in/")


def test_managers_land_on_their_dashboard(make_user):
    from aftersales.core.roles import Role

    make_user("boss", Role.MANAGER)
    assert _post(Client(), "boss", PASSWORD)["Location"] == "/console/reports/dashboard/"
