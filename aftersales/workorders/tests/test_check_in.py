"""A work order's check-in is the case's arrival on site: it stops the case's on-site clock,
and only the first arrival of a case counts."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.cases import services as case_services
from aftersales.cases.models import Case, CaseClock, CaseEvent
from aftersales.cases.tests.helpers import at
from aftersales.workorders import services
from aftersales.workorders.models import WorkOrderStatus
from aftersales.workorders.tests.factories import work_order_in

pytestmark = pytest.mark.django_db


def _on_site(case):
    return CaseClock.objects.get(case=case, target="on_site")


def _last_event_data(work_order):
    return work_order.events.order_by("-sequence").first().data


def test_checking_in_stops_the_case_on_site_clock(agent, bob, case):
    # given: a P1 filed at 10:00 on a diamond contract, acknowledged: on site due at 14:00
    case_services.case_acknowledge(actor=agent, case_id=case.pk, now=at("2026-11-02 10:05"))
    assert (_on_site(case).state, _on_site(case).due_at) == ("running", at("2026-11-02 14:00"))
    work_order = work_order_in(WorkOrderStatus.TRAVELLING, actor=agent, case=case, technician=bob)
    # when: the technician arrives at 12:30
    services.work_order_check_in(actor=bob, work_order_id=work_order.pk, now=at("2026-11-02 12:30"))
    # then
    clock = _on_site(case)
    assert (clock.state, clock.met_at, clock.is_breached) == ("met", at("2026-11-02 12:30"), False)
    work_order.refresh_from_db()
    assert work_order.checked_in_at == at("2026-11-02 12:30")
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    assert _last_event_data(work_order)["case_check_in"] == "checked_in"
    case_event = CaseEvent.objects.filter(case=case, kind="checked_in").get()
    assert (case_event.actor, case_event.at) == (bob, at("2026-11-02 12:30"))
    assert work_order.number in case_event.data["note"]


def test_a_late_arrival_counts_as_breached_on_the_case(agent, bob, case):
    work_order = work_order_in(WorkOrderStatus.TRAVELLING, actor=agent, case=case, technician=bob)
    services.work_order_check_in(actor=bob, work_order_id=work_order.pk, now=at("2026-11-02 15:10"))
    clock = _on_site(case)
    assert (clock.state, clock.met_at, clock.is_breached) == ("met", at("2026-11-02 15:10"), True)


def test_a_new_case_is_acknowledged_by_the_arrival_then_checked_in(agent, bob, case):
    # given: nobody acknowledged the case, but a technician was dispatched
    assert case.status == "new"
    work_order = work_order_in(WorkOrderStatus.TRAVELLING, actor=agent, case=case, technician=bob)
    # when
    services.work_order_check_in(actor=bob, work_order_id=work_order.pk, now=at("2026-11-02 11:00"))
    # then
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "opened", "acknowledged", "checked_in"]
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    assert _on_site(case).met_at == at("2026-11-02 11:00")
    assert _last_event_data(work_order)["case_check_in"] == "acknowledged_and_checked_in"


def test_a_second_work_order_checking_in_leaves_the_case_clock_at_the_first_arrival(agent, bob, manager, case):
    # given: two visits for the same case; the first arrived at 11:00
    first = work_order_in(WorkOrderStatus.TRAVELLING, actor=agent, case=case, technician=bob)
    second = work_order_in(WorkOrderStatus.TRAVELLING, actor=agent, case=case, technician=manager)
    services.work_order_check_in(actor=bob, work_order_id=first.pk, now=at("2026-11-02 11:00"))
    case_version = Case.objects.get(pk=case.pk).version
    # when: the second arrives at 13:00
    services.work_order_check_in(actor=manager, work_order_id=second.pk, now=at("2026-11-02 13:00"))
    # then: the second is on site, and the case still shows the first arrival, once
    second.refresh_from_db()
    assert (second.status, second.checked_in_at) == ("on_site", at("2026-11-02 13:00"))
    assert _last_event_data(second)["case_check_in"] == "already_checked_in"
    assert CaseEvent.objects.filter(case=case, kind="checked_in").count() == 1
    assert _on_site(case).met_at == at("2026-11-02 11:00")
    assert Case.objects.get(pk=case.pk).version == case_version


@pytest.mark.parametrize("case_path", [
    [("wait_on_customer", {"reason": "等待业主开门"})],
    [("resolve", {"resolution": "远程恢复"})],
])
def test_an_arrival_the_case_cannot_take_is_kept_on_the_work_order_only(agent, bob, case, case_path):
    # given: the case is waiting on the customer, or already resolved remotely
    work_order = work_order_in(WorkOrderStatus.TRAVELLING, actor=agent, case=case, technician=bob)
    case_services.case_acknowledge(actor=agent, case_id=case.pk, now=at("2026-11-02 10:30"))
    for action, arguments in case_path:
        case_services.case_act(actor=agent, case_id=case.pk, action=action, **arguments)
    before = Case.objects.get(pk=case.pk)
    # when
    services.work_order_check_in(actor=bob, work_order_id=work_order.pk,
                                 now=at("2026-11-02 12:00") + dt.timedelta(minutes=1))
    # then: the work order is on site; the case is untouched
    work_order.refresh_from_db()
    assert work_order.status == "on_site"
    assert _last_event_data(work_order)["case_check_in"] == "not_checked_in"
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.version) == (before.status, before.version)
    assert not CaseEvent.objects.filter(case=case, kind="checked_in").exists()
