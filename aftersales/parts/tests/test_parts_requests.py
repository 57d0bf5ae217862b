from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from aftersales.calendars.services import calendar_create
from aftersales.core.errors import Conflict
from aftersales.notifications.models import OutboxMessage
from aftersales.notifications.services import outbox_deliver
from aftersales.parts import services
from aftersales.parts.models import DeliveryState, PartsRequest, StockMovement
from aftersales.parts.selectors import parts_delivery_report
from aftersales.parts.tests.factories import at, make_part, stock_of

pytestmark = pytest.mark.django_db

WEEKDAY = [["09:00", "12:00"], ["13:00", "18:00"]]


@pytest.fixture
def office_calendar(db):
    return calendar_create(
        code="office",
        name="办公时间",
        working_hours={d: WEEKDAY for d in ("mon", "tue", "wed", "thu", "fri")},
    )


def _open(agent, work_order, part, depot, when, quantity=1, **kw):
    return services.parts_request_open(
        actor=agent,
        work_order=work_order,
        part=part,
        depot=depot,
        quantity=quantity,
        now=when,
        **kw,
    ).request


def test_a_regular_part_is_due_in_two_hours_and_a_non_regular_one_in_48_by_default(
    agent, work_order, depot, part
):
    other = make_part(code="BOARD-X", kind="non_regular", name="主控板")
    regular = _open(agent, work_order, part, depot, at("2026-11-06 17:00"))
    non_regular = _open(agent, work_order, other, depot, at("2026-11-06 17:00"))
    assert (regular.target_minutes, regular.due_at, regular.calendar) == (
        120,
        at("2026-11-06 19:00"),
        None,
    )
    assert (non_regular.target_minutes, non_regular.due_at) == (2880, at("2026-11-08 17:00"))


def test_a_contracts_target_in_working_time_overrides_the_default(
    agent, work_order, depot, part, diamond_contract, office_calendar
):
    # given the contract promises regular parts within 2 working hours of the office calendar
    services.delivery_target_set(
        contract=diamond_contract, kind="regular", minutes=120, calendar=office_calendar
    )
    # when requested on Friday at 17:00: one hour on Friday, one on Monday morning
    request = _open(agent, work_order, part, depot, at("2026-11-06 17:00"))
    # then
    assert request.contract_id == diamond_contract.pk
    assert (request.target_minutes, request.calendar_id) == (120, office_calendar.pk)
    assert request.due_at == at("2026-11-09 10:00")


def test_the_company_default_applies_to_cases_without_the_contracts_own_target(
    agent, work_order, depot, part
):
    services.delivery_target_set(kind="regular", minutes=240)
    request = _open(agent, work_order, part, depot, at("2026-11-02 10:00"))
    assert request.due_at == at("2026-11-02 14:00")


def test_opening_reserves_available_stock_or_waits_as_requested(agent, work_order, depot, part):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=2)
    reserved = _open(agent, work_order, part, depot, at("2026-11-02 10:00"), quantity=2)
    waiting = _open(agent, work_order, part, depot, at("2026-11-02 10:00"), quantity=1)
    assert (reserved.status, waiting.status) == ("reserved", "requested")
    assert stock_of(depot, part) == (2, 2, 0)
    assert StockMovement.objects.get(kind="reservation").parts_request_id == reserved.pk


def test_a_request_goes_requested_reserved_dispatched_delivered_and_meets_its_clock(
    agent, work_order, depot, part
):
    # given a request opened before the stock arrived
    request = _open(agent, work_order, part, depot, at("2026-11-02 10:00"), quantity=2)
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    # when
    services.parts_request_reserve(actor=agent, request_id=request.pk, now=at("2026-11-02 10:10"))
    services.parts_request_dispatch(actor=agent, request_id=request.pk, now=at("2026-11-02 10:20"))
    delivered = services.parts_request_deliver(
        actor=agent, request_id=request.pk, now=at("2026-11-02 11:30")
    ).request
    # then
    assert (delivered.status, delivered.dispatched_at, delivered.delivered_at) == (
        "delivered",
        at("2026-11-02 10:20"),
        at("2026-11-02 11:30"),
    )
    assert delivered.is_breached is False
    assert delivered.delivery_state(at("2026-11-03 00:00")) == DeliveryState.MET
    assert stock_of(depot, part) == (3, 0, 0)
    kinds = list(
        StockMovement.objects.filter(parts_request=request)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["reservation", "issue"]


@pytest.mark.parametrize(
    ("status_actions", "action"),
    [
        ([], "dispatch"),
        ([], "deliver"),
        (["deliver"], "cancel"),
        (["deliver"], "deliver"),
        (["cancel"], "reserve"),
    ],
)
def test_a_forbidden_transition_is_a_conflict_and_changes_nothing(
    agent, work_order, depot, part, status_actions, action
):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    request = _open(agent, work_order, part, depot, at("2026-11-02 10:00"), reserve=False)
    if status_actions:
        services.parts_request_reserve(
            actor=agent, request_id=request.pk, now=at("2026-11-02 10:01")
        )
    for done in status_actions:
        getattr(services, f"parts_request_{done}")(
            actor=agent, request_id=request.pk, now=at("2026-11-02 10:02")
        )
    before = PartsRequest.objects.get(pk=request.pk)
    movements = StockMovement.objects.count()
    with pytest.raises(Conflict) as refused:
        getattr(services, f"parts_request_{action}")(
            actor=agent, request_id=request.pk, now=at("2026-11-02 10:03")
        )
    assert refused.value.code == "invalid_transition"
    after = PartsRequest.objects.get(pk=request.pk)
    assert (after.status, after.version) == (before.status, before.version)
    assert StockMovement.objects.count() == movements


def test_cancelling_a_reserved_request_releases_its_reservation(agent, work_order, depot, part):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    request = _open(agent, work_order, part, depot, at("2026-11-02 10:00"), quantity=3)
    cancelled = services.parts_request_cancel(
        actor=agent, request_id=request.pk, reason="客户自备", now=at("2026-11-02 10:30")
    ).request
    assert (cancelled.status, cancelled.is_open) == ("cancelled", False)
    assert stock_of(depot, part) == (5, 0, 0)
    assert services.ledger_balance_check() == []


def test_the_sweep_records_a_late_request_as_breached_exactly_once_and_notifies(
    agent, manager, work_order, depot, part
):
    # given a regular-part request due at 12:00 and one due at 18:00
    late = _open(agent, work_order, part, depot, at("2026-11-02 10:00"))
    _open(agent, work_order, part, depot, at("2026-11-02 16:00"))
    # when the sweep runs before, after, and again after the first due time
    assert services.parts_delivery_sweep(now=at("2026-11-02 11:59")) == 0
    assert services.parts_delivery_sweep(now=at("2026-11-02 12:01")) == 1
    assert services.parts_delivery_sweep(now=at("2026-11-02 12:30")) == 0
    # then
    late.refresh_from_db()
    assert (late.is_breached, late.breach_recorded_at) == (True, at("2026-11-02 12:01"))
    assert sorted(OutboxMessage.objects.values_list("recipient", flat=True)) == [
        "agent@example.invalid",
        "manager@example.invalid",
    ]
    assert outbox_deliver() == 2
    assert "备件超时" in mail.outbox[0].subject
    # and delivering it late keeps it breached for the reports
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=1)
    services.parts_request_reserve(actor=agent, request_id=late.pk, now=at("2026-11-02 12:40"))
    delivered = services.parts_request_deliver(
        actor=agent, request_id=late.pk, now=at("2026-11-02 13:00")
    ).request
    assert delivered.delivery_state(at("2026-11-02 13:00")) == DeliveryState.BREACHED


def test_a_request_delivered_late_before_any_sweep_is_breached_and_never_swept(
    agent, work_order, depot, part
):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=1)
    request = _open(agent, work_order, part, depot, at("2026-11-02 10:00"))
    delivered = services.parts_request_deliver(
        actor=agent, request_id=request.pk, now=at("2026-11-02 12:30")
    ).request
    assert delivered.is_breached is True
    assert services.parts_delivery_sweep(now=at("2026-11-02 13:00")) == 0
    assert not OutboxMessage.objects.exists()


def test_the_report_counts_met_and_breached_by_kind(agent, work_order, depot, part):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=3)
    met = _open(agent, work_order, part, depot, at("2026-11-02 10:00"))
    late = _open(agent, work_order, part, depot, at("2026-11-02 10:00"))
    _open(agent, work_order, part, depot, at("2026-11-02 10:00"))
    services.parts_request_deliver(actor=agent, request_id=met.pk, now=at("2026-11-02 11:00"))
    services.parts_request_deliver(actor=agent, request_id=late.pk, now=at("2026-11-02 13:00"))
    report = parts_delivery_report(
        start=at("2026-11-01 00:00"), end=at("2026-11-03 00:00"), now=at("2026-11-02 14:00")
    )
    assert report == {"regular": {"met": 1, "breached": 1, "overdue": 1}}
    assert dt.timedelta(hours=2) == dt.timedelta(minutes=met.target_minutes)


def test_cancelling_the_work_order_cancels_its_requests_and_releases_what_was_reserved(
    agent, work_order, part, depot, other_depot
):
    from aftersales.workorders.services import work_order_cancel

    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    services.stock_receive(actor=agent, depot=other_depot, part=part, quantity=5)
    request = _open(agent, work_order, part, depot, at("2026-11-02 10:00"), quantity=2)
    services.stock_reserve(actor=agent, depot=other_depot, part=part, quantity=1, work_order=work_order)
    assert services.stock_available(depot=depot, part=part) == 3
    work_order_cancel(actor=agent, work_order_id=work_order.pk, reason="业主已自行修复", now=at("2026-11-02 10:30"))
    request.refresh_from_db()
    assert request.status == "cancelled"
    assert services.stock_available(depot=depot, part=part) == 5
    assert services.stock_available(depot=other_depot, part=part) == 5
    assert services.ledger_balance_check() == []
