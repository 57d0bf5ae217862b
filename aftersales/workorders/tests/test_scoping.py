"""Customer users read the work orders of their own organisation's cases only; everything else
answers 404, and only staff act."""

from __future__ import annotations

import io

import pytest

from aftersales.cases.tests.helpers import at
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.workorders import services
from aftersales.workorders.models import WorkOrder, WorkOrderStatus
from aftersales.workorders.selectors import (
    get_work_order_for_user,
    technician_work_orders,
    work_orders_of_case,
)
from aftersales.workorders.tests.factories import open_case, photo_bytes, work_order_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_work_order(agent, bob, case):
    return work_order_in(WorkOrderStatus.ON_SITE, actor=agent, case=case, technician=bob)


def test_the_customer_reads_its_own_work_orders(alice, case, acme_work_order):
    assert get_work_order_for_user(alice, acme_work_order.pk) == acme_work_order
    assert work_orders_of_case(alice, case.pk) == [acme_work_order]


def test_another_customer_gets_404_everywhere(api, charlie, case, acme_work_order):
    with pytest.raises(NotFound):
        get_work_order_for_user(charlie, acme_work_order.pk)
    with pytest.raises(NotFound):
        work_orders_of_case(charlie, case.pk)
    with pytest.raises(NotFound):
        services.work_order_record(actor=charlie, work_order_id=acme_work_order.pk, diagnosis="x")
    client = api(charlie)
    base = f"/api/v1/work-orders/{acme_work_order.pk}"
    for response in (client.get(base), client.get(f"{base}/report.pdf"), client.get(f"{base}/signature.png"),
                     client.post(f"{base}/actions/complete", {})):
        assert response.status_code == 404
        assert response.json()["code"] == "work_order_not_found"
    assert client.get("/api/v1/work-orders").json()["items"] == []
    assert client.get(f"/api/v1/work-orders?case={case.pk}").json()["items"] == []


def test_the_customer_reads_but_does_not_act(api, alice, acme_work_order):
    version = acme_work_order.version
    with pytest.raises(PermissionDenied):
        services.work_order_record(actor=alice, work_order_id=acme_work_order.pk, diagnosis="我看是坏了")
    with pytest.raises(PermissionDenied):
        services.work_order_add_photo(actor=alice, work_order_id=acme_work_order.pk,
                                      upload=io.BytesIO(photo_bytes()))
    response = api(alice).post(f"/api/v1/work-orders/{acme_work_order.pk}/actions/complete", {})
    assert response.status_code == 403
    assert WorkOrder.objects.get(pk=acme_work_order.pk).version == version
    detail = api(alice).get(f"/api/v1/work-orders/{acme_work_order.pk}")
    assert detail.status_code == 200
    assert detail.json()["number"] == acme_work_order.number


def test_my_work_orders_come_open_first_by_scheduled_time(agent, bob, manager, acme, globex):
    # given: a closed visit, open ones at 15:00 and 11:00 (another customer's), one unscheduled
    case = open_case(agent, acme)
    other = open_case(agent, globex)
    closed = work_order_in(WorkOrderStatus.CLOSED, actor=agent, case=case, technician=bob)
    late, _ = services.work_order_create(actor=agent, case_id=case.pk, kind="repair", technician_id=bob.pk,
                                         scheduled_for=at("2026-11-02 15:00"))
    early, _ = services.work_order_create(actor=agent, case_id=other.pk, kind="inspection",
                                          technician_id=bob.pk, scheduled_for=at("2026-11-02 11:00"))
    unscheduled, _ = services.work_order_create(actor=agent, case_id=case.pk, kind="repair",
                                                technician_id=bob.pk)
    work_order_in(WorkOrderStatus.SCHEDULED, actor=agent, case=case, technician=manager)
    # when
    mine = technician_work_orders(bob, bob.pk)
    # then
    assert [w.pk for w in mine] == [early.pk, late.pk, unscheduled.pk, closed.pk]
    assert [w.pk for w in technician_work_orders(bob, bob.pk, open_only=True)] == [
        early.pk, late.pk, unscheduled.pk]


def test_an_id_that_is_not_a_uuid_is_simply_not_found(agent):
    with pytest.raises(NotFound):
        get_work_order_for_user(agent, "not-a-uuid")
    with pytest.raises(NotFound):
        services.work_order_start_travel(actor=agent, work_order_id="not-a-uuid")
