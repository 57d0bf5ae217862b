"""The sender against a real HTTP receiver on loopback."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import time
from typing import Any

import pytest

from aftersales.cases import services as case_services
from aftersales.cases.tests.helpers import at
from aftersales.core.errors import Conflict
from aftersales.webhooks import services
from aftersales.webhooks.models import Delivery, DeliveryStatus
from aftersales.webhooks.tasks import deliver_webhooks_now

T0 = at("2026-11-02 10:00")


def _verify(secret: str, received: Any) -> bool:
    """What a receiver does: recompute the HMAC over timestamp + "." + body."""
    timestamp = received.headers["x-aftersales-timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body,
                                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received.headers["x-aftersales-signature"])


@pytest.mark.django_db
def test_a_ping_arrives_signed(subscribe: Any, admin: Any, receiver: Any) -> None:
    # given
    subscription = subscribe(("work_order.*",))
    delivery = services.subscription_ping(actor=admin, subscription_id=subscription.pk, now=T0)
    # when
    delivered = services.deliveries_send(now=T0)
    # then
    assert delivered == 1
    [received] = receiver.requests
    assert received.path == "/hooks/aftersales?source=test"
    assert received.headers["content-type"] == "application/json; charset=utf-8"
    assert received.headers["x-aftersales-event"] == "ping"
    assert received.headers["x-aftersales-delivery"] == str(delivery.event_id)
    assert abs(int(received.headers["x-aftersales-timestamp"]) - time.time()) < 60
    assert _verify(subscription.secret, received)
    assert not _verify("whsec_wrong", received)
    assert received.json == {"id": str(delivery.event_id), "type": "ping", "occurred_at": "2026-11-02T02:00:00+00:00",
                             "data": {"subscription_id": str(subscription.pk)}}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.DELIVERED, 1, 200, "")
    assert delivery.delivered_at is not None


@pytest.mark.django_db
def test_a_filed_case_reaches_the_receiver(subscribe: Any, agent: Any, acme: Any, diamond_contract: Any,
                                           receiver: Any) -> None:
    subscription = subscribe(("case.*",))
    case, _created = case_services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                             title="隧道照明故障", impact="outage", now=T0)
    services.deliveries_send()
    [received] = receiver.requests
    assert received.headers["x-aftersales-event"] == "case.created"
    assert received.json["data"]["case_number"] == case.number
    assert _verify(subscription.secret, received)


@pytest.mark.django_db
def test_a_failed_attempt_is_retried_with_backoff_then_delivered(subscribe: Any, admin: Any, receiver: Any) -> None:
    # given a receiver that fails once
    subscription = subscribe()
    delivery = services.subscription_ping(actor=admin, subscription_id=subscription.pk, now=T0)
    receiver.answers = [500]
    # when
    first = services.deliveries_send(now=T0)
    delivery.refresh_from_db()
    # then it waits the first delay
    assert first == 0
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.PENDING, 1, 500, "http_500")
    assert delivery.next_attempt_at == T0 + dt.timedelta(seconds=30)
    assert services.deliveries_send(now=T0 + dt.timedelta(seconds=29)) == 0
    assert len(receiver.requests) == 1
    # and is delivered at the retry, with the same delivery id
    assert services.deliveries_send(now=T0 + dt.timedelta(seconds=30)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.DELIVERED, 2, 200, "")
    assert [r.headers["x-aftersales-delivery"] for r in receiver.requests] == [str(delivery.event_id)] * 2


@pytest.mark.django_db
def test_a_delivery_is_given_up_after_the_last_attempt(subscribe: Any, admin: Any, receiver: Any,
                                                       settings: Any) -> None:
    # given
    settings.AFTERSALES_WEBHOOK_MAX_ATTEMPTS = 3
    subscription = subscribe()
    delivery = services.subscription_ping(actor=admin, subscription_id=subscription.pk, now=T0)
    receiver.answers = [503] * 10
    # when
    services.deliveries_send(now=T0)
    delivery.refresh_from_db()
    second_due = delivery.next_attempt_at
    services.deliveries_send(now=second_due)
    delivery.refresh_from_db()
    third_due = delivery.next_attempt_at
    services.deliveries_send(now=third_due)
    services.deliveries_send(now=third_due + dt.timedelta(days=1))
    # then: delays of 30 s and 60 s, three attempts, given up
    delivery.refresh_from_db()
    assert (second_due - T0, third_due - second_due) == (dt.timedelta(seconds=30), dt.timedelta(seconds=60))
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.FAILED, 3, "http_503")
    assert len(receiver.requests) == 3


@pytest.mark.django_db
def test_a_crash_after_the_receiver_got_it_sends_the_same_delivery_id_again(subscribe: Any, admin: Any,
                                                                             receiver: Any) -> None:
    # given a sender that claimed and sent, then died before marking
    subscription = subscribe()
    delivery = services.subscription_ping(actor=admin, subscription_id=subscription.pk, now=T0)
    claimed, taken = services.deliveries_claim(now=T0, batch_size=10)
    assert taken == 1
    assert services.delivery_attempt(claimed[0]).delivered
    # when another sender runs while the claim holds, then after it ran out
    during = services.deliveries_send(now=T0 + dt.timedelta(seconds=30))
    after = services.deliveries_send(now=T0 + dt.timedelta(minutes=2))
    # then the receiver saw the same event twice, under one delivery id, and can drop the second
    assert (during, after) == (0, 1)
    ids = [r.headers["x-aftersales-delivery"] for r in receiver.requests]
    assert ids == [str(delivery.event_id)] * 2
    assert receiver.requests[0].json == receiver.requests[1].json
    delivery.refresh_from_db()
    assert (Delivery.objects.count(), delivery.status, delivery.attempts) == (1, DeliveryStatus.DELIVERED, 2)


@pytest.mark.django_db
def test_a_late_mark_of_a_taken_over_attempt_changes_nothing(subscribe: Any, admin: Any, receiver: Any) -> None:
    subscription = subscribe()
    services.subscription_ping(actor=admin, subscription_id=subscription.pk, now=T0)
    [stale], _taken = services.deliveries_claim(now=T0, batch_size=10)
    services.deliveries_send(now=T0 + dt.timedelta(minutes=2))  # took it over and delivered it
    services.delivery_mark(stale, services.Outcome(status_code=500, error="http_500"), now=T0)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 2, 200)


@pytest.mark.django_db
def test_redirects_are_not_followed(subscribe: Any, admin: Any, receiver: Any) -> None:
    subscription = subscribe()
    delivery = services.subscription_ping(actor=admin, subscription_id=subscription.pk, now=T0)
    receiver.answers = [307]
    receiver.redirect_to = receiver.url.replace("/hooks/", "/elsewhere/")
    services.deliveries_send(now=T0)
    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.PENDING, 307, "http_307")


@pytest.mark.django_db
def test_a_refused_connection_is_retried(subscribe: Any, admin: Any) -> None:
    # given a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subscription = subscribe(url=f"http://127.0.0.1:{port}/hook")
    delivery = services.subscription_ping(actor=admin, subscription_id=subscription.pk, now=T0)
    services.deliveries_send(now=T0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.PENDING, 1, None, "ConnectionRefusedError")


def _dns(monkeypatch: Any, answers: dict[str, str]) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.django_db
def test_a_name_that_rebinds_to_an_internal_address_is_refused_at_delivery(
        admin: Any, receiver: Any, monkeypatch: Any) -> None:
    # given a name that was public when subscribed
    port = receiver.server.server_address[1]
    answers = {"hooks.example.com": "93.184.216.34"}
    _dns(monkeypatch, answers)
    subscription = services.subscription_create(actor=admin, name="外部系统", url=f"http://hooks.example.com:{port}/in",
                                                event_types=["*"])
    delivery = services.subscription_ping(actor=admin, subscription_id=subscription.pk, now=T0)
    # when it now resolves to loopback
    answers["hooks.example.com"] = "127.0.0.1"
    services.deliveries_send(now=T0)
    # then nothing was sent, and it is retried later
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.PENDING, 1, "url_internal")


@pytest.mark.django_db
def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(
        admin: Any, receiver: Any, monkeypatch: Any) -> None:
    port = receiver.server.server_address[1]
    _dns(monkeypatch, {"hooks.internal.example": "127.0.0.1"})
    subscription = services.subscription_create(actor=admin, name="内网系统", url=f"http://hooks.internal.example:{port}/in",
                                                event_types=["*"], allow_internal=True)
    services.subscription_ping(actor=admin, subscription_id=subscription.pk, now=T0)
    assert services.deliveries_send(now=T0) == 1
    [received] = receiver.requests
    assert (received.path, received.headers["host"]) == ("/in", f"hooks.internal.example:{port}")


@pytest.mark.django_db
def test_a_rotated_secret_signs_the_next_attempt(subscribe: Any, admin: Any, receiver: Any) -> None:
    subscription = subscribe()
    old = subscription.secret
    services.subscription_ping(actor=admin, subscription_id=subscription.pk, now=T0)
    receiver.answers = [500]
    services.deliveries_send(now=T0)
    rotated = services.subscription_rotate_secret(actor=admin, subscription_id=subscription.pk)
    services.deliveries_send(now=T0 + dt.timedelta(minutes=1))
    first, second = receiver.requests
    assert _verify(old, first)
    assert not _verify(old, second)
    assert _verify(rotated.secret, second)


@pytest.mark.django_db
def test_a_redelivery_sends_the_same_event_again(subscribe: Any, admin: Any, receiver: Any) -> None:
    # given a delivered event
    subscription = subscribe()
    delivery = services.subscription_ping(actor=admin, subscription_id=subscription.pk, now=T0)
    services.deliveries_send(now=T0)
    # when
    again = services.delivery_redeliver(actor=admin, delivery_id=delivery.pk, now=T0 + dt.timedelta(hours=1))
    twice = services.delivery_redeliver(actor=admin, delivery_id=delivery.pk, now=T0 + dt.timedelta(hours=2))
    services.deliveries_send(now=T0 + dt.timedelta(hours=1))
    # then
    assert (again.status, again.attempts, twice.next_attempt_at) == (
        DeliveryStatus.PENDING, 0, T0 + dt.timedelta(hours=1))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert [r.headers["x-aftersales-delivery"] for r in receiver.requests] == [str(delivery.event_id)] * 2


@pytest.mark.django_db
def test_no_redelivery_to_an_inactive_subscription(subscribe: Any, admin: Any, receiver: Any) -> None:
    subscription = subscribe()
    delivery = services.subscription_ping(actor=admin, subscription_id=subscription.pk, now=T0)
    services.deliveries_send(now=T0)
    services.subscription_deactivate(actor=admin, subscription_id=subscription.pk)
    with pytest.raises(Conflict):
        services.delivery_redeliver(actor=admin, delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


@pytest.mark.django_db
def test_the_task_sends_due_deliveries(subscribe: Any, admin: Any, receiver: Any) -> None:
    subscription = subscribe()
    services.subscription_ping(actor=admin, subscription_id=subscription.pk)
    assert deliver_webhooks_now.call_local() == 1
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_committed_filing_is_delivered_once(subscribe: Any, agent: Any, acme: Any, diamond_contract: Any,
                                              receiver: Any) -> None:
    # given a committed case with its delivery
    subscribe(("case.created",))
    case, _created = case_services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                             title="隧道照明故障", impact="outage")
    # when two runs of the sender
    first = services.deliveries_send()
    second = services.deliveries_send()
    # then
    assert (first, second) == (1, 0)
    assert [json.loads(r.body)["data"]["case_number"] for r in receiver.requests] == [case.number]
