"""Case and work-order events become deliveries, in the transaction that records them."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from aftersales.cases import services as case_services
from aftersales.cases.models import Case
from aftersales.cases.sweep import sla_sweep
from aftersales.cases.tests.helpers import at
from aftersales.webhooks import services
from aftersales.webhooks.models import Delivery, DeliveryStatus
from aftersales.workorders import services as work_order_services

T0 = at("2026-11-02 10:00")


def _file(agent: Any, customer: Any, **fields: Any) -> Case:
    case, _created = case_services.case_open(
        actor=agent, customer_id=customer.pk, channel="phone", category="fault", title="收费车道 ETC 天线故障",
        impact="outage", now=T0, **fields)
    return case


def _types(**filters: Any) -> list[str]:
    return list(Delivery.objects.filter(**filters).order_by("payload__data__sequence", "event_type")
                .values_list("event_type", flat=True))


@pytest.mark.django_db
def test_filing_a_case_writes_a_delivery_per_event_and_subscription(
        subscribe: Any, agent: Any, acme: Any, acme_contact: Any, diamond_contract: Any) -> None:
    # given
    everything = subscribe(("*",))
    created_only = subscribe(("case.created",), name="只要新工单")
    work_orders = subscribe(("work_order.*",), name="派工")
    # when
    case = _file(agent, acme, assignee_id=agent.pk, contact_id=acme_contact.pk)
    # then
    assert _types(subscription=everything) == ["case.created", "case.assigned"]
    assert _types(subscription=created_only) == ["case.created"]
    assert _types(subscription=work_orders) == []
    created = Delivery.objects.get(subscription=everything, event_type="case.created")
    assert created.status == DeliveryStatus.PENDING
    assert created.attempts == 0
    assert created.payload == {
        "id": str(created.event_id), "type": "case.created", "occurred_at": "2026-11-02T02:00:00+00:00",
        "data": {
            "case_id": str(case.pk), "case_number": case.number, "event": "opened", "sequence": 1,
            "status": "new", "status_before": "", "severity": case.severity, "category": "fault",
            "channel": "phone", "customer_id": str(acme.pk), "site_id": None, "asset_id": None,
            "assignee_id": str(agent.pk), "escalation_level": case.escalation_level,
        },
    }
    # the same event has the same id for every subscription
    assert Delivery.objects.get(subscription=created_only).event_id == created.event_id


@pytest.mark.django_db
def test_no_personal_data_leaves_in_a_payload(
        subscribe: Any, agent: Any, acme: Any, acme_contact: Any, diamond_contract: Any) -> None:
    subscribe()
    case = _file(agent, acme, contact_id=acme_contact.pk)
    case_services.case_customer_reply(actor=agent, case_id=case.pk, message="电话 13899100001 马建国")
    case_services.case_update(actor=agent, case_id=case.pk, expected_version=None,
                              changes={"title": "马建国报修", "description": "ma@acme.invalid"})
    bodies = json.dumps([d.payload for d in Delivery.objects.all()], ensure_ascii=False)
    for personal in ("马建国", "13899100001", "ma@acme.invalid", agent.username, agent.email):
        assert personal not in bodies
    updated = Delivery.objects.get(event_type="case.updated")
    assert updated.payload["data"]["changed_fields"] == ["description", "title"]
    assert _types() == ["case.created", "case.activity", "case.updated"]


@pytest.mark.django_db
def test_a_delivery_is_rolled_back_with_the_filing(subscribe: Any, agent: Any, acme: Any, diamond_contract: Any) -> None:
    subscribe()
    written = []

    def file_then_fail() -> None:
        with transaction.atomic():
            _file(agent, acme)
            written.append(Delivery.objects.count())
            raise RuntimeError("the caller's transaction fails after filing")

    with pytest.raises(RuntimeError):
        file_then_fail()
    assert written == [1]
    assert (Case.objects.count(), Delivery.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_status_changes_and_escalations_are_typed(subscribe: Any, agent: Any, acme: Any, diamond_contract: Any) -> None:
    subscribe(("case.*",))
    case = _file(agent, acme)
    case_services.case_acknowledge(actor=agent, case_id=case.pk, now=T0)
    case_services.case_escalate(actor=agent, case_id=case.pk, reason="需要专家", now=T0)
    rows = list(Delivery.objects.order_by("payload__data__sequence").values_list("event_type", "payload"))
    assert [r[0] for r in rows] == ["case.created", "case.status_changed", "case.escalated"]
    acknowledged = rows[1][1]["data"]
    assert (acknowledged["event"], acknowledged["status_before"], acknowledged["status"]) == (
        "acknowledged", "new", "acknowledged")
    assert rows[2][1]["data"]["reason"] == "manual"
    assert "需要专家" not in json.dumps(rows[2][1], ensure_ascii=False)


@pytest.mark.django_db
def test_the_sweeps_warnings_breaches_and_escalations_are_delivered(
        subscribe: Any, agent: Any, acme: Any, diamond_contract: Any, django_assert_num_queries: Any) -> None:
    # given a P1 filed at 10:00 (response due 10:30) and a subscription to clock events only
    subscription = subscribe(("case.clock_warning", "case.clock_breached", "case.escalated"))
    case = _file(agent, acme)
    # when
    sla_sweep(now=at("2026-11-02 10:25"))
    sla_sweep(now=at("2026-11-02 10:31"))
    sla_sweep(now=at("2026-11-02 10:40"))
    # then
    rows = {d.event_type: d.payload["data"] for d in Delivery.objects.filter(subscription=subscription)}
    assert sorted(rows) == ["case.clock_breached", "case.clock_warning", "case.escalated"]
    assert rows["case.clock_breached"]["target"] == "first_response"
    assert rows["case.clock_breached"]["due_at"] == "2026-11-02T02:30:00+00:00"
    assert rows["case.escalated"]["reason"] == "sla_breach"
    assert (rows["case.escalated"]["from_level"], rows["case.escalated"]["to_level"],
            rows["case.escalated"]["escalation_level"]) == (1, 2, 2)
    assert all(r["case_number"] == case.number for r in rows.values())


@pytest.mark.django_db
def test_work_order_events_are_delivered(subscribe: Any, agent: Any, bob: Any, acme: Any, diamond_contract: Any) -> None:
    subscription = subscribe(("work_order.*",))
    case = _file(agent, acme)
    work_order, _created = work_order_services.work_order_create(
        actor=agent, case_id=case.pk, kind="repair", technician_id=bob.pk, summary="更换天线", now=T0)
    work_order_services.work_order_start_travel(actor=bob, work_order_id=work_order.pk, now=T0)
    rows = list(Delivery.objects.filter(subscription=subscription).order_by("payload__data__sequence"))
    assert [r.event_type for r in rows] == ["work_order.created", "work_order.assigned", "work_order.travel_started"]
    assert rows[2].payload["data"] == {
        "work_order_id": str(work_order.pk), "work_order_number": work_order.number, "event": "travel_started",
        "sequence": 3, "status": "travelling", "status_before": "scheduled", "kind": "repair",
        "case_id": str(case.pk), "case_number": case.number, "customer_id": str(acme.pk),
        "technician_id": str(bob.pk), "scheduled_for": None, "result": "",
    }
    assert "更换天线" not in json.dumps([r.payload for r in rows], ensure_ascii=False)


@pytest.mark.django_db
def test_recording_the_same_event_twice_writes_one_delivery(subscribe: Any, agent: Any, acme: Any,
                                                            diamond_contract: Any) -> None:
    subscribe()
    case = _file(agent, acme)
    events = list(case.events.select_related("case"))
    services.case_events_enqueue(events)
    services.case_events_enqueue(events)
    assert Delivery.objects.count() == 1
    assert Delivery.objects.get().event_id == uuid.uuid5(services._EVENT_NAMESPACE, f"case:{case.pk}:1")


@pytest.mark.django_db
def test_an_inactive_subscription_gets_nothing(subscribe: Any, admin: Any, agent: Any, acme: Any,
                                               diamond_contract: Any) -> None:
    subscription = subscribe()
    services.subscription_deactivate(actor=admin, subscription_id=subscription.pk)
    _file(agent, acme)
    assert Delivery.objects.count() == 0


def _filing_queries(agent: Any, acme: Any, title: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        case_services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title=title,
                                impact="outage", assignee_id=agent.pk, now=T0)
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db
def test_with_no_subscription_the_hook_costs_no_query(agent: Any, acme: Any, diamond_contract: Any,
                                                      monkeypatch: Any, django_assert_num_queries: Any) -> None:
    # given the process has looked for subscriptions once (a few seconds ago)
    assert services.active_receivers() == ()
    case = _file(agent, acme)
    events = list(case.events.select_related("case"))
    # when / then: the hook alone
    with django_assert_num_queries(0):
        assert services.case_events_enqueue(events) == 0
    # and filing costs what it costs without the hook
    with_hook = _filing_queries(agent, acme, "第一次")
    monkeypatch.setattr(case_services, "_event_hooks", [])
    without_hook = _filing_queries(agent, acme, "第二次")
    assert len(with_hook) == len(without_hook)


@pytest.mark.django_db
def test_with_subscriptions_a_filing_costs_one_insert_more(subscribe: Any, agent: Any, acme: Any,
                                                           diamond_contract: Any, monkeypatch: Any) -> None:
    subscribe(("*",))
    subscribe(("case.*",), name="第二个")
    assert len(services.active_receivers()) == 2
    with_hook = _filing_queries(agent, acme, "第一次")
    monkeypatch.setattr(case_services, "_event_hooks", [])
    without_hook = _filing_queries(agent, acme, "第二次")
    extra = len(with_hook) - len(without_hook)
    assert extra == 1
    assert Delivery.objects.count() == 4  # two events, two subscriptions


@pytest.mark.django_db
def test_a_subscription_made_in_this_process_counts_at_once(subscribe: Any, agent: Any, acme: Any,
                                                            diamond_contract: Any) -> None:
    assert services.active_receivers() == ()  # remembered: nobody subscribes
    subscribe()
    _file(agent, acme)
    assert Delivery.objects.count() == 1
