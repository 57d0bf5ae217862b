from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.parts import services
from aftersales.parts.models import MovementKind, Stock, StockMovement
from aftersales.parts.tests.factories import make_work_order, stock_of

pytestmark = pytest.mark.django_db


def test_receiving_creates_the_stock_row_and_one_ledger_entry(agent, depot, part):
    # when
    change = services.stock_receive(
        actor=agent, depot=depot, part=part, quantity=10, reason="采购入库"
    )
    # then
    assert stock_of(depot, part) == (10, 0, 0)
    [movement] = change.movements
    assert (movement.kind, movement.quantity, movement.on_hand_delta, movement.on_hand_after) == (
        MovementKind.RECEIPT,
        10,
        10,
        10,
    )
    assert services.stock_available(depot=depot, part=part) == 10
    assert services.ledger_balance_check() == []


def test_a_quantity_must_be_positive(agent, depot, part):
    with pytest.raises(ValidationFailed) as refused:
        services.stock_receive(actor=agent, depot=depot, part=part, quantity=0)
    assert refused.value.field == "quantity"
    assert not StockMovement.objects.exists()


def test_reserving_sets_units_aside_and_they_are_no_longer_available(
    agent, depot, part, work_order
):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    services.stock_reserve(actor=agent, depot=depot, part=part, quantity=3, work_order=work_order)
    assert stock_of(depot, part) == (5, 3, 0)
    assert services.stock_available(depot=depot, part=part) == 2


def test_reserving_more_than_available_is_a_conflict_naming_part_depot_and_available(
    agent, depot, part, work_order
):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    services.stock_reserve(actor=agent, depot=depot, part=part, quantity=4, work_order=work_order)
    with pytest.raises(Conflict) as refused:
        services.stock_reserve(
            actor=agent, depot=depot, part=part, quantity=2, work_order=work_order
        )
    assert refused.value.status == 409
    assert refused.value.code == "insufficient_stock"
    assert "RSU-ANT-01" in refused.value.detail
    assert "bj-1" in refused.value.detail
    assert "可用数量为 1" in refused.value.detail
    assert stock_of(depot, part) == (5, 4, 0)
    assert StockMovement.objects.count() == 2


def test_issuing_from_a_depot_that_never_had_the_part_is_refused_and_writes_nothing(
    agent, depot, part, work_order
):
    with pytest.raises(Conflict) as refused:
        services.stock_issue(actor=agent, depot=depot, part=part, quantity=1, work_order=work_order)
    assert "可用数量为 0" in refused.value.detail
    assert not Stock.objects.exists()
    assert not StockMovement.objects.exists()


def test_releasing_gives_back_only_what_the_work_order_reserved(
    agent, acme, depot, part, work_order
):
    other = make_work_order(agent, acme)
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=10)
    services.stock_reserve(actor=agent, depot=depot, part=part, quantity=3, work_order=work_order)
    services.stock_reserve(actor=agent, depot=depot, part=part, quantity=2, work_order=other)
    # releasing more than this work order holds is refused
    with pytest.raises(Conflict) as refused:
        services.stock_release(
            actor=agent, depot=depot, part=part, work_order=work_order, quantity=4
        )
    assert refused.value.code == "not_reserved"
    # releasing all of it (no quantity) gives back its 3
    change = services.stock_release(actor=agent, depot=depot, part=part, work_order=work_order)
    assert change.movements[0].quantity == 3
    assert stock_of(depot, part) == (10, 2, 0)
    with pytest.raises(Conflict):
        services.stock_release(actor=agent, depot=depot, part=part, work_order=work_order)


def test_an_issue_consumes_the_work_orders_reservation_first_then_available_stock(
    agent, acme, depot, part, work_order
):
    # given 10 on hand, 3 reserved for this work order and 5 for another
    other = make_work_order(agent, acme)
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=10)
    services.stock_reserve(actor=agent, depot=depot, part=part, quantity=3, work_order=work_order)
    services.stock_reserve(actor=agent, depot=depot, part=part, quantity=5, work_order=other)
    # when 4 are issued: 3 from the reservation, 1 of the 2 available
    change = services.stock_issue(
        actor=agent, depot=depot, part=part, quantity=4, work_order=work_order
    )
    # then
    [movement] = change.movements
    assert (movement.on_hand_delta, movement.reserved_delta) == (-4, -3)
    assert stock_of(depot, part) == (6, 5, 0)
    # and the other work order's reservation cannot be taken: only 1 is available
    with pytest.raises(Conflict):
        services.stock_issue(actor=agent, depot=depot, part=part, quantity=2, work_order=work_order)
    assert stock_of(depot, part) == (6, 5, 0)
    assert services.ledger_balance_check() == []


def test_nothing_is_issued_to_a_closed_work_order(agent, depot, part, work_order):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=10)
    type(work_order).objects.filter(pk=work_order.pk).update(status="closed")
    work_order.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        services.stock_issue(actor=agent, depot=depot, part=part, quantity=1, work_order=work_order)
    assert refused.value.code == "work_order_not_open"
    assert stock_of(depot, part) == (10, 0, 0)


def test_a_transfer_writes_two_linked_entries_in_one_transaction(agent, depot, other_depot, part):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=8)
    change = services.stock_transfer(
        actor=agent,
        from_depot=depot,
        to_depot=other_depot,
        part=part,
        quantity=5,
        reason="支援上海",
    )
    out, into = change.movements
    assert (out.kind, out.on_hand_delta, into.kind, into.on_hand_delta) == (
        "transfer_out",
        -5,
        "transfer_in",
        5,
    )
    assert out.transfer_id == into.transfer_id is not None
    assert stock_of(depot, part) == (3, 0, 0)
    assert stock_of(other_depot, part) == (5, 0, 0)
    assert services.ledger_balance_check() == []


def test_a_transfer_of_more_than_available_moves_nothing(
    agent, depot, other_depot, part, work_order
):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=8)
    services.stock_reserve(actor=agent, depot=depot, part=part, quantity=6, work_order=work_order)
    with pytest.raises(Conflict) as refused:
        services.stock_transfer(
            actor=agent, from_depot=depot, to_depot=other_depot, part=part, quantity=3
        )
    assert "可用数量为 2" in refused.value.detail
    assert stock_of(depot, part) == (8, 6, 0)
    assert StockMovement.objects.filter(kind__startswith="transfer").count() == 0


def test_a_transfer_to_the_same_depot_is_invalid(agent, depot, part):
    with pytest.raises(ValidationFailed) as refused:
        services.stock_transfer(
            actor=agent, from_depot=depot, to_depot=depot, part=part, quantity=1
        )
    assert refused.value.field == "to_depot_id"


def test_a_faulty_return_is_counted_as_faulty_never_as_available(agent, depot, part, work_order):
    services.stock_return_faulty(
        actor=agent, depot=depot, part=part, quantity=2, work_order=work_order, reason="天线板烧毁"
    )
    assert stock_of(depot, part) == (0, 0, 2)
    assert services.stock_available(depot=depot, part=part) == 0
    assert services.ledger_balance_check() == []


def test_an_adjustment_needs_a_reason_and_never_goes_below_what_is_reserved(
    agent, depot, part, work_order
):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    services.stock_reserve(actor=agent, depot=depot, part=part, quantity=4, work_order=work_order)
    with pytest.raises(ValidationFailed) as no_reason:
        services.stock_adjust(actor=agent, depot=depot, part=part, delta=-1, reason="  ")
    assert no_reason.value.field == "reason"
    with pytest.raises(Conflict):
        services.stock_adjust(actor=agent, depot=depot, part=part, delta=-2, reason="盘亏")
    services.stock_adjust(actor=agent, depot=depot, part=part, delta=-1, reason="盘亏 1 件")
    assert stock_of(depot, part) == (4, 4, 0)
    services.stock_adjust(actor=agent, depot=depot, part=part, delta=3, reason="盘盈")
    assert stock_of(depot, part) == (7, 4, 0)
    assert services.ledger_balance_check() == []


def test_the_ledger_is_append_only(agent, depot, part):
    [movement] = services.stock_receive(actor=agent, depot=depot, part=part, quantity=1).movements
    movement.quantity = 100
    with pytest.raises(ValueError, match="append-only"):
        movement.save()
    with pytest.raises(ValueError, match="append-only"):
        movement.delete()
    with pytest.raises(ValueError, match="append-only"):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=100)
    with pytest.raises(ValueError, match="append-only"):
        StockMovement.objects.all().delete()
    assert StockMovement.objects.get().quantity == 1


def test_the_database_refuses_negative_stock_even_past_the_services(depot, part):
    Stock.objects.create(depot=depot, part=part, on_hand=1)
    for changes in ({"on_hand": -1}, {"reserved": 2}, {"faulty": -1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Stock.objects.filter(depot=depot, part=part).update(**changes)
    assert stock_of(depot, part) == (1, 0, 0)


def test_the_balance_check_finds_a_stock_row_that_differs_from_its_ledger(agent, depot, part):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=4)
    Stock.objects.filter(depot=depot, part=part).update(on_hand=5)
    [mismatch] = services.ledger_balance_check()
    assert (mismatch.depot_id, mismatch.part_id, mismatch.stock, mismatch.ledger) == (
        depot.pk,
        part.pk,
        (5, 0, 0),
        (4, 0, 0),
    )
