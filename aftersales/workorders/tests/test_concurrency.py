"""Optimistic concurrency: an action based on a stale version answers 409 and changes nothing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from aftersales.core.errors import Conflict
from aftersales.workorders import services
from aftersales.workorders.models import WorkOrder, WorkOrderEvent, WorkOrderStatus
from aftersales.workorders.tests.factories import open_case, work_order_in

pytestmark = pytest.mark.django_db


def test_a_stale_expected_version_answers_409_and_changes_nothing(agent, bob, case):
    # given: two people loaded version 3 (created, travelling ... on site); one records first
    work_order = work_order_in(WorkOrderStatus.TRAVELLING, actor=agent, case=case, technician=bob)
    services.work_order_check_in(actor=bob, work_order_id=work_order.pk, expected_version=work_order.version)
    seen = WorkOrder.objects.get(pk=work_order.pk).version
    services.work_order_record(actor=bob, work_order_id=work_order.pk, diagnosis="电源故障",
                               expected_version=seen)
    events = WorkOrderEvent.objects.filter(work_order=work_order).count()
    # when: the other records with the version they saw
    with pytest.raises(Conflict) as refused:
        services.work_order_record(actor=agent, work_order_id=work_order.pk, diagnosis="天线故障",
                                   expected_version=seen)
    # then
    assert (refused.value.status, refused.value.code, refused.value.field) == (409, "stale_version",
                                                                                "expected_version")
    current = WorkOrder.objects.get(pk=work_order.pk)
    assert (current.diagnosis, current.version) == ("电源故障", seen + 1)
    assert WorkOrderEvent.objects.filter(work_order=work_order).count() == events


def test_the_api_answers_409_for_a_stale_if_match(api, agent, bob, case):
    work_order = work_order_in(WorkOrderStatus.SCHEDULED, actor=agent, case=case, technician=bob)
    client = api(agent)
    url = f"/api/v1/work-orders/{work_order.pk}/actions/start_travel"
    stale = client.post(url, {}, headers={"If-Match": f'"{work_order.version + 5}"'})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    fresh = client.post(url, {"expected_version": work_order.version})
    assert fresh.status_code == 200, fresh.content
    assert fresh["ETag"] == f'"{work_order.version + 1}"'


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_technicians_racing_to_start_one_work_order_move_it_once(agent, bob, acme):
    case = open_case(agent, acme)
    work_order = work_order_in(WorkOrderStatus.SCHEDULED, actor=agent, case=case, technician=bob)
    barrier = threading.Barrier(3)
    outcomes = []

    def start():
        try:
            barrier.wait()
            services.work_order_start_travel(actor=bob, work_order_id=work_order.pk)
            outcomes.append("ok")
        except Conflict as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["invalid_transition", "invalid_transition", "ok"]
    assert WorkOrderEvent.objects.filter(work_order=work_order, kind="travel_started").count() == 1
