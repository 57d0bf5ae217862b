from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.models import ApiToken
from aftersales.accounts.services import api_token_create, token_digest, user_create, user_for_token

pytestmark = pytest.mark.django_db


def test_a_token_is_issued_for_the_right_password_and_only_its_digest_is_stored(api, agent):
    response = api(None).post("/api/v1/auth/token", {"username": "agent", "password": "correct-horse-42"})
    token = response.json()["token"]
    assert response.status_code == 201
    assert ApiToken.objects.filter(key_hash=token_digest(token)).exists()
    assert not ApiToken.objects.filter(key_hash=token).exists()
    me = api(None).get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["username"], me["role"]) == ("agent", "agent")


def test_a_wrong_password_gets_no_token(api, agent):
    response = api(None).post("/api/v1/auth/token", {"username": "agent", "password": "wrong"})
    assert response.status_code == 403
    assert response.json()["field"] == "password"
    assert not ApiToken.objects.exists()


def test_an_expired_token_or_inactive_user_is_not_accepted(agent):
    _, expired = api_token_create(user=agent, lifetime=dt.timedelta(seconds=-1))
    _, valid = api_token_create(user=agent)
    assert user_for_token(expired) is None
    assert user_for_token(valid) == agent
    agent.is_active = False
    agent.save()
    assert user_for_token(valid) is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"role": "wizard"}, "role"), ({"role": "customer"}, "customer"), ({"password": "short"}, "password")],
)
def test_bad_users_are_refused_naming_the_field(kwargs, field):
    from aftersales.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as error:
        user_create(**{"username": "u", "password": "long-enough-1", "role": "agent", **kwargs})
    assert error.value.field == field


def test_a_checked_token_is_remembered_briefly_but_a_deleted_one_stops_at_once(agent, django_assert_num_queries):
    token, plain = api_token_create(user=agent)
    assert user_for_token(plain) == agent
    with django_assert_num_queries(0):
        assert user_for_token(plain) == agent
    ApiToken.objects.filter(pk=token.pk).delete()
    assert user_for_token(plain) is None


def test_the_token_memory_can_be_switched_off(agent, settings, django_assert_num_queries):
    settings.AFTERSALES_TOKEN_CACHE_SECONDS = 0
    _, plain = api_token_create(user=agent)
    assert user_for_token(plain) == agent
    with django_assert_num_queries(1):
        assert user_for_token(plain) == agent


def test_a_signed_in_user_is_remembered_briefly_and_forgotten_when_saved(agent):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(agent)
    client.get("/console/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/console/").status_code == 200
    # the page's own reads only: neither the session nor the whole user row
    assert not any('"accounts_user"."password"' in q["sql"] or "django_session" in q["sql"]
                   for q in queries.captured_queries)
    agent.is_active = False
    agent.save()
    assert client.get("/console/").status_code == 302  # signed out at once in this process
