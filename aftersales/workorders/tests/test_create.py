from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection

from aftersales.cases import services as case_services
from aftersales.cases.tests.helpers import at
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from aftersales.notifications.models import OutboxMessage
from aftersales.workorders import services
from aftersales.workorders.models import WorkOrder, WorkOrderEvent, WorkOrderIdempotencyKey
from aftersales.workorders.tests.factories import open_case

pytestmark = pytest.mark.django_db


def test_a_case_spawns_several_work_orders_with_distinct_numbers(agent, bob, case):
    # when
    first, created = services.work_order_create(actor=agent, case_id=case.pk, kind="repair",
                                                technician_id=bob.pk, now=at("2026-11-02 10:10"))
    second, _ = services.work_order_create(actor=agent, case_id=case.pk, kind="inspection",
                                           summary="复查", now=at("2026-11-02 10:20"))
    # then
    assert created is True
    assert re.fullmatch(r"WO261102-\d{6}", first.number)
    assert first.number != second.number
    assert (first.status, first.technician, first.created_by, first.version) == ("scheduled", bob, agent, 1)
    assert list(first.events.values_list("kind", flat=True)) == ["created", "assigned"]
    assert list(second.events.values_list("kind", flat=True)) == ["created"]
    assert WorkOrder.objects.filter(case=case).count() == 2


def test_assignment_notifies_the_technician_once_per_assignment(agent, bob, manager, case):
    work_order, _ = services.work_order_create(actor=agent, case_id=case.pk, kind="repair", technician_id=bob.pk,
                                               scheduled_for=at("2026-11-02 13:00"))
    services.work_order_assign(actor=agent, work_order_id=work_order.pk, technician_id=manager.pk)
    messages = list(OutboxMessage.objects.order_by("created_at", "key"))
    assert [(m.recipient, m.key) for m in messages] == [
        ("bob@example.invalid", f"workorder:{work_order.pk}:assigned:2"),
        ("manager@example.invalid", f"workorder:{work_order.pk}:assigned:3"),
    ]
    assert work_order.number in messages[0].subject
    assert "2026-11-02 13:00" in messages[0].body


def test_only_staff_dispatch_and_another_customer_gets_404(alice, charlie, case):
    with pytest.raises(PermissionDenied):
        services.work_order_create(actor=alice, case_id=case.pk, kind="repair")
    with pytest.raises(NotFound):
        services.work_order_create(actor=charlie, case_id=case.pk, kind="repair")
    assert not WorkOrder.objects.exists()


def test_a_closed_case_takes_no_new_work_order(agent, case):
    case_services.case_acknowledge(actor=agent, case_id=case.pk)
    case_services.case_resolve(actor=agent, case_id=case.pk, resolution="远程重启")
    case_services.case_confirm_closure(actor=agent, case_id=case.pk, note="电话同意")
    with pytest.raises(Conflict) as refused:
        services.work_order_create(actor=agent, case_id=case.pk, kind="repair")
    assert (refused.value.code, refused.value.field) == ("case_not_open", "case_id")
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize(("arguments", "field"), [
    ({"kind": "painting"}, "kind"),
    ({"technician_id": 999999}, "technician_id"),
    ({"scheduled_for": dt.datetime(2026, 11, 2, 13, 0)}, "scheduled_for"),
])
def test_invalid_input_names_the_field(agent, case, arguments, field):
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_create(actor=agent, case_id=case.pk, **{"kind": "repair", **arguments})
    assert refused.value.field == field
    assert not WorkOrder.objects.exists()


def test_a_customer_user_is_no_technician(agent, alice, case):
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_create(actor=agent, case_id=case.pk, kind="repair", technician_id=alice.pk)
    assert refused.value.field == "technician_id"


def test_the_same_idempotency_key_gives_back_the_first_work_order(agent, case):
    first, created = services.work_order_create(actor=agent, case_id=case.pk, kind="repair",
                                                idempotency_key="k-1", fingerprint="f")
    again, created_again = services.work_order_create(actor=agent, case_id=case.pk, kind="repair",
                                                      idempotency_key="k-1", fingerprint="f")
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert WorkOrder.objects.count() == 1
    with pytest.raises(Conflict) as refused:
        services.work_order_create(actor=agent, case_id=case.pk, kind="inspection",
                                   idempotency_key="k-1", fingerprint="other")
    assert refused.value.code == "idempotency_key_reused"
    assert WorkOrder.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creates_with_one_idempotency_key_create_one_work_order(agent, acme):
    case = open_case(agent, acme)
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def create_once():
        try:
            barrier.wait()
            work_order, created = services.work_order_create(
                actor=agent, case_id=case.pk, kind="repair", idempotency_key="same-key", fingerprint="f1")
            outcomes.append((work_order.pk, created))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert WorkOrder.objects.count() == 1
    assert WorkOrderIdempotencyKey.objects.count() == 1
    assert sorted(created for _, created in outcomes) == [False, False, False, True]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creates_get_unique_numbers_and_actions_never_lose_an_event(agent, bob, acme):
    case = open_case(agent, acme)
    barrier = threading.Barrier(4)
    created, errors = [], []

    def create_and_record(i):
        try:
            barrier.wait()
            work_order, _ = services.work_order_create(actor=agent, case_id=case.pk, kind="repair",
                                                       technician_id=bob.pk, summary=f"第{i}次")
            created.append(work_order.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_and_record, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = list(WorkOrder.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 4
    assert WorkOrderEvent.objects.count() == 8
