"""/api/v1/webhooks: administrators only; the secret is shown at creation and rotation alone."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from aftersales.webhooks.models import Delivery, DeliveryStatus, Subscription

BASE = "/api/v1/webhooks"
NEW = {"name": "运维平台", "url": "https://93.184.216.34/hooks", "event_types": ["case.*", "work_order.completed"]}


@pytest.fixture
def created(api: Any, admin: Any) -> dict[str, Any]:
    response = api(admin).post(f"{BASE}/subscriptions", NEW)
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.django_db
def test_an_admin_creates_a_subscription_and_sees_its_secret_once(api: Any, admin: Any, created: dict[str, Any]) -> None:
    subscription = Subscription.objects.get()
    assert created["secret"] == subscription.secret
    assert {k: created[k] for k in ("name", "url", "event_types", "is_active", "allow_internal", "version")} == {
        **NEW, "is_active": True, "allow_internal": False, "version": 1}
    listed = api(admin).get(f"{BASE}/subscriptions").json()
    detail = api(admin).get(f"{BASE}/subscriptions/{created['id']}").json()
    assert [s["id"] for s in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in detail


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["manager", "agent", "bob", "alice", "charlie"])
def test_other_roles_are_forbidden_everything(api: Any, role: str, request: Any, created: dict[str, Any]) -> None:
    client = api(request.getfixturevalue(role))
    sid = created["id"]
    calls = [
        client.get(f"{BASE}/subscriptions"),
        client.post(f"{BASE}/subscriptions", NEW),
        client.get(f"{BASE}/subscriptions/{sid}"),
        client.patch(f"{BASE}/subscriptions/{sid}", {"name": "x"}),
        client.post(f"{BASE}/subscriptions/{sid}/rotate-secret"),
        client.post(f"{BASE}/subscriptions/{sid}/deactivate"),
        client.post(f"{BASE}/subscriptions/{sid}/ping"),
        client.get(f"{BASE}/subscriptions/{sid}/deliveries"),
    ]
    assert [c.status_code for c in calls] == [403] * len(calls)
    assert {c.json()["code"] for c in calls} == {"admin_only"}
    subscription = Subscription.objects.get()
    assert (Subscription.objects.count(), subscription.name, subscription.version, subscription.secret) == (
        1, "运维平台", 1, created["secret"])
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_callers_are_refused(api: Any, created: dict[str, Any]) -> None:
    assert api(None).get(f"{BASE}/subscriptions").status_code == 401


@pytest.mark.django_db
def test_an_internal_url_is_refused_at_its_field(api: Any, admin: Any) -> None:
    response = api(admin).post(f"{BASE}/subscriptions", {**NEW, "url": "http://169.254.169.254/latest"})
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("url_internal", "url")
    assert Subscription.objects.count() == 0


@pytest.mark.django_db
def test_update_rotate_and_deactivate(api: Any, admin: Any, created: dict[str, Any]) -> None:
    client = api(admin)
    sid = created["id"]
    stale = client.patch(f"{BASE}/subscriptions/{sid}", {"version": 9, "name": "新"})
    updated = client.patch(f"{BASE}/subscriptions/{sid}", {"version": 1, "name": "新名称"})
    rotated = client.post(f"{BASE}/subscriptions/{sid}/rotate-secret")
    stopped = client.post(f"{BASE}/subscriptions/{sid}/deactivate")
    assert stale.status_code == 412
    assert (updated.status_code, updated.json()["name"], updated.json()["version"]) == (200, "新名称", 2)
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in ("", created["secret"])
    assert rotated.json()["secret"] == Subscription.objects.get().secret
    assert (stopped.status_code, stopped.json()["is_active"]) == (200, False)


@pytest.mark.django_db
def test_ping_the_log_and_redeliver(api: Any, admin: Any, created: dict[str, Any]) -> None:
    client = api(admin)
    sid = created["id"]
    pinged = client.post(f"{BASE}/subscriptions/{sid}/ping")
    assert pinged.status_code == 202
    assert (pinged.json()["event_type"], pinged.json()["status"]) == ("ping", "pending")
    Delivery.objects.filter(pk=pinged.json()["id"]).update(status=DeliveryStatus.FAILED, attempts=10,
                                                           last_error="http_500")
    log = client.get(f"{BASE}/subscriptions/{sid}/deliveries?status=failed")
    detail = client.get(f"{BASE}/deliveries/{pinged.json()['id']}")
    redelivered = client.post(f"{BASE}/deliveries/{pinged.json()['id']}/redeliver")
    assert [(d["id"], d["last_error"], d["attempts"]) for d in log.json()] == [(pinged.json()["id"], "http_500", 10)]
    assert detail.json()["payload"]["type"] == "ping"
    assert (redelivered.status_code, redelivered.json()["status"], redelivered.json()["attempts"]) == (
        200, "pending", 0)


@pytest.mark.django_db
def test_unknown_ids_are_not_found(api: Any, admin: Any) -> None:
    client = api(admin)
    missing = uuid.uuid4()
    assert client.get(f"{BASE}/subscriptions/{missing}").status_code == 404
    assert client.get(f"{BASE}/subscriptions/{missing}/deliveries").status_code == 404
    assert client.post(f"{BASE}/deliveries/{missing}/redeliver").status_code == 404


@pytest.mark.django_db
def test_the_delivery_log_costs_a_fixed_number_of_queries(api: Any, admin: Any, created: dict[str, Any],
                                                          django_assert_max_num_queries: Any) -> None:
    client = api(admin)
    for _ in range(5):
        client.post(f"{BASE}/subscriptions/{created['id']}/ping")
    client.get(f"{BASE}/subscriptions/{created['id']}/deliveries")  # token remembered
    with django_assert_max_num_queries(2):
        response = client.get(f"{BASE}/subscriptions/{created['id']}/deliveries")
    assert len(response.json()) == 5
