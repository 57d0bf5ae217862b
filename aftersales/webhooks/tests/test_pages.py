"""The console's webhook pages."""

from __future__ import annotations

from typing import Any

import pytest

from aftersales.webhooks import services
from aftersales.webhooks.models import Delivery, DeliveryStatus, Subscription

NEW = {"name": "运维平台", "url": "https://93.184.216.34/hooks", "event_types": ["case.*", "work_order.completed"],
       "idempotency_key": "k1"}


@pytest.fixture
def subscription(admin: Any) -> Subscription:
    return services.subscription_create(actor=admin, name="运维平台", url="https://93.184.216.34/hooks",
                                        event_types=["*"])


@pytest.mark.django_db
def test_an_admin_creates_a_subscription_and_sees_the_secret_once(client_for: Any, admin: Any) -> None:
    client = client_for(admin)
    # when
    created = client.post("/console/webhooks/create/", NEW)
    again = client.post("/console/webhooks/create/", NEW)
    # then
    subscription = Subscription.objects.get()
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    assert subscription.secret in created.content.decode()
    assert (subscription.name, subscription.event_types) == ("运维平台", ["case.*", "work_order.completed"])
    assert again.status_code == 302
    assert again["Location"] == f"/console/webhooks/{subscription.pk}/"
    page = client.get(again["Location"])
    assert page.status_code == 200
    assert subscription.secret not in page.content.decode()
    assert "运维平台" in client.get("/console/webhooks/").content.decode()


@pytest.mark.django_db
def test_an_internal_url_is_refused_at_its_field(client_for: Any, admin: Any) -> None:
    response = client_for(admin).post("/console/webhooks/create/", {**NEW, "url": "http://127.0.0.1:8000/x"})
    assert response.status_code == 422
    assert response.context["form"].errors["url"] == [
        "地址“127.0.0.1”指向内网、本机或保留地址；只有管理员允许内网地址时才可使用"]
    assert Subscription.objects.count() == 0


@pytest.mark.django_db
def test_user_text_is_escaped(client_for: Any, admin: Any) -> None:
    services.subscription_create(actor=admin, name="<script>alert(1)</script>", url="https://93.184.216.34/",
                                 event_types=["*"])
    body = client_for(admin).get("/console/webhooks/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("manager", 403), ("agent", 403), ("bob", 403), ("alice", 404)])
def test_other_roles_cannot_open_or_act(client_for: Any, request: Any, role: str, status: int,
                                        subscription: Subscription) -> None:
    client = client_for(request.getfixturevalue(role))
    base = f"/console/webhooks/{subscription.pk}"
    responses = [client.get("/console/webhooks/"), client.get(f"{base}/"), client.post("/console/webhooks/create/", NEW),
                 client.post(f"{base}/rotate-secret/"), client.post(f"{base}/deactivate/"), client.post(f"{base}/ping/")]
    assert [r.status_code for r in responses] == [status] * len(responses)
    subscription.refresh_from_db()
    assert (Subscription.objects.count(), subscription.is_active, subscription.version) == (1, True, 1)
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_ping_rotate_deactivate_and_redeliver_from_the_page(client_for: Any, admin: Any,
                                                            subscription: Subscription) -> None:
    client = client_for(admin)
    base = f"/console/webhooks/{subscription.pk}"
    old = subscription.secret
    # ping
    assert client.post(f"{base}/ping/")["Location"] == f"{base}/"
    delivery = Delivery.objects.get()
    assert delivery.event_type == "ping"
    page = client.get(f"{base}/").content.decode()
    assert str(delivery.event_id) in page
    # rotate: the new secret shows in the answer only
    rotated = client.post(f"{base}/rotate-secret/")
    subscription.refresh_from_db()
    assert subscription.secret != old
    assert subscription.secret in rotated.content.decode()
    # redeliver a given-up delivery
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, attempts=10)
    assert client.post(f"/console/webhooks/deliveries/{delivery.pk}/redeliver/").status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    # deactivate, then start again
    client.post(f"{base}/deactivate/", {"version": subscription.version})
    subscription.refresh_from_db()
    assert subscription.is_active is False
    client.post(f"{base}/activate/", {"version": subscription.version})
    subscription.refresh_from_db()
    assert subscription.is_active is True


@pytest.mark.django_db
def test_the_edit_form_saves_and_shows_a_stale_version(client_for: Any, admin: Any,
                                                       subscription: Subscription) -> None:
    client = client_for(admin)
    url = f"/console/webhooks/{subscription.pk}/update/"
    fields = {"name": "改名", "url": subscription.url, "event_types": ["work_order.*"]}
    saved = client.post(url, {**fields, "version": 1})
    stale = client.post(url, {**fields, "name": "又改", "version": 1})
    subscription.refresh_from_db()
    assert saved.status_code == 302
    assert (subscription.name, subscription.event_types, subscription.version) == ("改名", ["work_order.*"], 2)
    assert stale.status_code == 412
    assert stale.context["edit_form"].non_field_errors()
