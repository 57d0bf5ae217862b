from __future__ import annotations

import pytest

from aftersales.core.errors import Conflict, NotFound
from aftersales.parts import services
from aftersales.parts.models import PurchaseSuggestion, StockMovement
from aftersales.parts.tests.factories import make_part, stock_of

pytestmark = pytest.mark.django_db


def test_a_retry_with_the_same_key_returns_the_first_result_and_moves_nothing(
    agent, depot, part, work_order
):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=10)
    # when the same issue is sent twice with one key
    first = services.stock_issue(
        actor=agent,
        depot=depot,
        part=part,
        quantity=3,
        work_order=work_order,
        idempotency_key="k-1",
        fingerprint="f",
    )
    retry = services.stock_issue(
        actor=agent,
        depot=depot,
        part=part,
        quantity=3,
        work_order=work_order,
        idempotency_key="k-1",
        fingerprint="f",
    )
    # then
    assert (first.created, retry.created) == (True, False)
    assert retry.movements[0].pk == first.movements[0].pk
    assert stock_of(depot, part) == (7, 0, 0)
    assert StockMovement.objects.filter(kind="issue").count() == 1


def test_a_retried_transfer_replays_both_entries(agent, depot, other_depot, part):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=10)
    first = services.stock_transfer(
        actor=agent,
        from_depot=depot,
        to_depot=other_depot,
        part=part,
        quantity=4,
        idempotency_key="t-1",
        fingerprint="f",
    )
    retry = services.stock_transfer(
        actor=agent,
        from_depot=depot,
        to_depot=other_depot,
        part=part,
        quantity=4,
        idempotency_key="t-1",
        fingerprint="f",
    )
    assert [m.pk for m in retry.movements] == [m.pk for m in first.movements]
    assert (stock_of(depot, part), stock_of(other_depot, part)) == ((6, 0, 0), (4, 0, 0))


def test_a_key_reused_for_another_request_is_a_conflict(agent, depot, part):
    services.stock_receive(
        actor=agent, depot=depot, part=part, quantity=1, idempotency_key="k", fingerprint="a"
    )
    with pytest.raises(Conflict) as refused:
        services.stock_receive(
            actor=agent, depot=depot, part=part, quantity=2, idempotency_key="k", fingerprint="b"
        )
    assert refused.value.code == "idempotency_key_reused"
    assert stock_of(depot, part) == (1, 0, 0)


def test_a_refused_request_does_not_use_up_its_key(agent, depot, part, work_order):
    with pytest.raises(Conflict):
        services.stock_issue(
            actor=agent,
            depot=depot,
            part=part,
            quantity=1,
            work_order=work_order,
            idempotency_key="k",
            fingerprint="f",
        )
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=1)
    change = services.stock_issue(
        actor=agent,
        depot=depot,
        part=part,
        quantity=1,
        work_order=work_order,
        idempotency_key="k",
        fingerprint="f",
    )
    assert change.created is True
    assert stock_of(depot, part) == (0, 0, 0)


def test_falling_to_the_reorder_point_opens_one_suggestion_only(agent, acme, depot, work_order):
    # given a part reordered at 3 available, 10 at a time
    part = make_part(
        code="FUSE-10A", kind="consumable", name="保险丝", reorder_point=3, reorder_quantity=10
    )
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=6)
    # when stock falls to 4 (above the point): nothing
    services.stock_issue(actor=agent, depot=depot, part=part, quantity=2, work_order=work_order)
    assert not PurchaseSuggestion.objects.exists()
    # when it falls to 3, then 1 (reservation), then 0
    services.stock_issue(actor=agent, depot=depot, part=part, quantity=1, work_order=work_order)
    services.stock_reserve(actor=agent, depot=depot, part=part, quantity=2, work_order=work_order)
    services.stock_issue(actor=agent, depot=depot, part=part, quantity=3, work_order=work_order)
    # then one open suggestion, made at the first crossing: back up to 3 + 10
    [suggestion] = PurchaseSuggestion.objects.all()
    assert (
        suggestion.status,
        suggestion.available_at_suggestion,
        suggestion.suggested_quantity,
    ) == ("open", 3, 10)


def test_a_new_suggestion_opens_after_the_last_one_was_decided(manager, agent, depot, work_order):
    part = make_part(
        code="FUSE-10A", kind="consumable", name="保险丝", reorder_point=2, reorder_quantity=5
    )
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=3)
    services.stock_issue(actor=agent, depot=depot, part=part, quantity=1, work_order=work_order)
    first = PurchaseSuggestion.objects.get()
    services.purchase_suggestion_decide(actor=manager, suggestion_id=first.pk, status="ordered")
    with pytest.raises(Conflict):
        services.purchase_suggestion_decide(
            actor=manager, suggestion_id=first.pk, status="dismissed"
        )
    services.stock_issue(actor=agent, depot=depot, part=part, quantity=1, work_order=work_order)
    assert sorted(PurchaseSuggestion.objects.values_list("status", "suggested_quantity")) == [
        ("open", 6),
        ("ordered", 5),
    ]
    with pytest.raises(NotFound):
        services.purchase_suggestion_decide(actor=manager, suggestion_id="nope", status="ordered")


def test_a_part_without_a_reorder_quantity_is_never_suggested(agent, depot, part, work_order):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=1)
    services.stock_issue(actor=agent, depot=depot, part=part, quantity=1, work_order=work_order)
    assert services.reorder_check(depot=depot, part=part) is None
    assert not PurchaseSuggestion.objects.exists()
