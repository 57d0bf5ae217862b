"""The spare-parts pages (备件): depots and their stock, the stock changes posted through the
services, the ledger, parts requests with their delivery clocks, purchase suggestions."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import time_machine

from aftersales.accounts.models import Role
from aftersales.core.tests.helpers import field_block
from aftersales.parts import services
from aftersales.parts.models import PartKind, PartsRequest, PurchaseSuggestion, StockMovement
from aftersales.parts.tests.factories import at, make_depot, make_part, make_work_order, stock_of

pytestmark = pytest.mark.django_db

NOW = "2026-11-04 10:00"
DEPOTS = "/console/parts/"
LEDGER = "/console/parts/ledger/"
REQUESTS = "/console/parts/requests/"
SUGGESTIONS = "/console/parts/suggestions/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(NOW), tick=False):
        yield


@pytest.fixture
def depot(db):
    return make_depot()


@pytest.fixture
def other_depot(db):
    return make_depot(code="sh-1", name="上海备件库", region="华东")


@pytest.fixture
def part(db):
    return make_part()


@pytest.fixture
def cable(db):
    return make_part(code="CBL-09", kind=PartKind.CONSUMABLE, name="网线", reorder_point=5, reorder_quantity=20)


@pytest.fixture
def work_order(agent, acme, diamond_contract):
    return make_work_order(agent, acme)


def _depot_url(depot) -> str:
    return f"/console/parts/depots/{depot.pk}/"


def _receive(depot, part, quantity, actor=None):
    return services.stock_receive(actor=actor, depot=depot, part=part, quantity=quantity)


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "depots", "office"), [
    (Role.ADMIN, 200, 200), (Role.MANAGER, 200, 200), (Role.DISPATCHER, 200, 200),
    (Role.ENGINEER, 200, 404), (Role.AGENT, 404, 404), (Role.EXPERT, 404, 404),
])
def test_each_parts_page_opens_for_its_roles_only(make_user, depot, role, depots, office, client_for):
    client = client_for(make_user("someone", role))
    for url in (DEPOTS, _depot_url(depot)):
        assert client.get(url).status_code == depots, url
    for url in (LEDGER, REQUESTS, SUGGESTIONS):
        assert client.get(url).status_code == office, url


def test_the_menu_shows_parts_to_the_roles_that_use_them(agent, bob, manager, client_for):
    assert 'href="/console/parts/"' not in client_for(agent).get("/console/").content.decode()
    engineer_page = client_for(bob).get(DEPOTS).content.decode()
    assert 'href="/console/parts/" aria-current="page">备件</a>' in engineer_page
    assert f'href="{LEDGER}"' not in engineer_page
    assert f'href="{LEDGER}"' in client_for(manager).get(DEPOTS).content.decode()


def test_a_customer_user_gets_404_on_every_parts_page(alice, depot, part, client_for):
    client = client_for(alice)
    for url in (DEPOTS, _depot_url(depot), LEDGER, REQUESTS, SUGGESTIONS):
        assert client.get(url).status_code == 404, url
    response = client.post(f"{_depot_url(depot)}movements/receive", {"part": part.pk, "quantity": 5})
    assert response.status_code == 404
    assert not StockMovement.objects.exists()


def test_an_unknown_depot_or_action_is_404(manager, depot, client_for):
    client = client_for(manager)
    assert client.get(f"/console/parts/depots/{uuid.uuid4()}/").status_code == 404
    assert client.post(f"{_depot_url(depot)}movements/steal", {}).status_code == 404


# --- a depot's stock ------------------------------------------------------------------------


def test_the_depot_page_lists_stock_and_filters_it(bob, depot, part, cable, client_for):
    # given
    _receive(depot, part, 8)
    _receive(depot, cable, 3)  # at or below its reorder point of 5
    client = client_for(bob)
    url = _depot_url(depot)
    # when
    everything = client.get(url).content.decode()
    by_text = client.get(url, {"q": "网线"}).content.decode()
    by_kind = client.get(url, {"kind": "regular"}).content.decode()
    by_part = client.get(url, {"part": str(part.pk)}).content.decode()
    low = client.get(url, {"below": "on"}).content.decode()
    # then
    assert 'data-part="RSU-ANT-01"' in everything
    assert 'data-part="CBL-09"' in everything
    for page, shown, hidden in ((by_text, "CBL-09", "RSU-ANT-01"), (by_kind, "RSU-ANT-01", "CBL-09"),
                                (by_part, "RSU-ANT-01", "CBL-09"), (low, "CBL-09", "RSU-ANT-01")):
        assert f'data-part="{shown}"' in page
        assert f'data-part="{hidden}"' not in page


def test_an_engineer_is_offered_the_field_changes_and_a_manager_also_the_adjustment(bob, manager, depot, client_for):
    engineer_page = client_for(bob).get(_depot_url(depot)).content.decode()
    manager_page = client_for(manager).get(_depot_url(depot)).content.decode()
    for action in ("receive", "issue", "transfer", "return"):
        assert f'data-action="{action}"' in engineer_page
    assert 'data-action="adjust"' not in engineer_page
    assert 'data-action="adjust"' in manager_page


def test_receiving_adds_stock_and_writes_the_ledger(bob, depot, part, client_for):
    response = client_for(bob).post(f"{_depot_url(depot)}movements/receive",
                                 {"part": part.pk, "quantity": 6, "reason": "采购单 PO-1"})
    assert response.status_code == 302
    assert response["Location"] == _depot_url(depot)
    assert stock_of(depot, part) == (6, 0, 0)
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.quantity, movement.actor, movement.reason) == ("receipt", 6, bob, "采购单 PO-1")


def test_a_second_submit_of_the_same_form_moves_nothing(bob, depot, part, client_for):
    client = client_for(bob)
    key = str(uuid.uuid4())
    form = {"part": part.pk, "quantity": 6, "idempotency_key": key}
    client.post(f"{_depot_url(depot)}movements/receive", form)
    again = client.post(f"{_depot_url(depot)}movements/receive", form, follow=True)
    assert "该操作已提交过，未重复执行。" in again.content.decode()
    assert stock_of(depot, part) == (6, 0, 0)
    assert StockMovement.objects.count() == 1


def test_issuing_to_a_work_order_by_number_or_by_id(bob, depot, part, work_order, client_for):
    # given
    _receive(depot, part, 5)
    client = client_for(bob)
    # when
    by_number = client.post(f"{_depot_url(depot)}movements/issue",
                            {"part": part.pk, "quantity": 2, "work_order": work_order.number.lower()})
    by_id = client.post(f"{_depot_url(depot)}movements/issue",
                        {"part": part.pk, "quantity": 1, "work_order": str(work_order.pk)})
    # then
    assert (by_number.status_code, by_id.status_code) == (302, 302)
    assert stock_of(depot, part) == (2, 0, 0)
    assert list(StockMovement.objects.filter(kind="issue").values_list("quantity", "work_order")) == [
        (1, work_order.pk), (2, work_order.pk)]


def test_an_unknown_work_order_is_named_next_to_its_field(bob, depot, part, client_for):
    _receive(depot, part, 5)
    response = client_for(bob).post(f"{_depot_url(depot)}movements/issue",
                                 {"part": part.pk, "quantity": 1, "work_order": "WO-NOPE"})
    assert response.status_code == 422
    page = response.content.decode()
    assert '<details class="action" open data-action="issue">' in page
    block = field_block(page, "issue-work_order")
    assert "派工单（单号或 ID）" in block
    assert "没有这个派工单" in block
    assert stock_of(depot, part) == (5, 0, 0)
    assert 'name="idempotency_key" value="' in page[page.index('data-action="issue"'):]


def test_issuing_more_than_is_available_is_refused_next_to_the_quantity(bob, depot, part, work_order, client_for):
    _receive(depot, part, 2)
    response = client_for(bob).post(f"{_depot_url(depot)}movements/issue",
                                 {"part": part.pk, "quantity": 3, "work_order": work_order.number})
    assert response.status_code == 409
    assert "可用数量为 2，不足 3" in field_block(response.content.decode(), "issue-quantity")
    assert stock_of(depot, part) == (2, 0, 0)
    assert StockMovement.objects.count() == 1


def test_transferring_moves_stock_to_the_other_depot(dispatcher, depot, other_depot, part, client_for):
    _receive(depot, part, 5)
    response = client_for(dispatcher).post(f"{_depot_url(depot)}movements/transfer",
                                        {"part": part.pk, "quantity": 2, "to_depot": other_depot.pk})
    assert response.status_code == 302
    assert (stock_of(depot, part), stock_of(other_depot, part)) == ((3, 0, 0), (2, 0, 0))


def test_a_transfer_needs_a_target_depot(dispatcher, depot, part, client_for):
    _receive(depot, part, 5)
    response = client_for(dispatcher).post(f"{_depot_url(depot)}movements/transfer", {"part": part.pk, "quantity": 2})
    assert response.status_code == 422
    assert 'role="alert"' in field_block(response.content.decode(), "transfer-to_depot")
    assert stock_of(depot, part) == (5, 0, 0)


def test_a_faulty_part_comes_back_as_faulty_not_available(bob, depot, part, work_order, client_for):
    response = client_for(bob).post(f"{_depot_url(depot)}movements/return",
                                 {"part": part.pk, "quantity": 1, "work_order": work_order.number,
                                  "reason": "天线板烧毁"})
    assert response.status_code == 302
    assert stock_of(depot, part) == (0, 0, 1)
    assert StockMovement.objects.get().work_order == work_order


def test_a_manager_adjusts_with_a_reason(manager, depot, part, client_for):
    _receive(depot, part, 5)
    response = client_for(manager).post(f"{_depot_url(depot)}movements/adjust",
                                     {"part": part.pk, "delta": -2, "reason": "盘点短少"})
    assert response.status_code == 302
    assert stock_of(depot, part) == (3, 0, 0)
    assert StockMovement.objects.filter(kind="adjustment").get().reason == "盘点短少"


def test_an_adjustment_without_a_reason_is_refused_next_to_the_reason(manager, depot, part, client_for):
    _receive(depot, part, 5)
    response = client_for(manager).post(f"{_depot_url(depot)}movements/adjust", {"part": part.pk, "delta": -2})
    assert response.status_code == 422
    block = field_block(response.content.decode(), "adjust-reason")
    assert "调整原因" in block
    assert 'role="alert"' in block
    assert stock_of(depot, part) == (5, 0, 0)


def test_an_engineer_cannot_adjust(bob, depot, part, client_for):
    _receive(depot, part, 5)
    response = client_for(bob).post(f"{_depot_url(depot)}movements/adjust",
                                 {"part": part.pk, "delta": -2, "reason": "盘点短少"})
    assert response.status_code == 403
    assert stock_of(depot, part) == (5, 0, 0)
    assert StockMovement.objects.count() == 1


# --- the ledger -----------------------------------------------------------------------------


def test_the_ledger_is_newest_first_and_paginated(manager, depot, other_depot, part, client_for):
    # given
    for quantity in range(1, 53):
        _receive(depot, part, quantity)
    _receive(other_depot, part, 99)
    client = client_for(manager)
    # when
    first = client.get(LEDGER).content.decode()
    second = client.get(LEDGER, {"offset": 50}).content.decode()
    only_bj = client.get(LEDGER, {"depot": str(depot.pk), "offset": 50}).content.decode()
    # then
    ids = list(StockMovement.objects.order_by("-id").values_list("pk", flat=True))
    assert first.count("data-movement=") == 50
    assert first.index(f'data-movement="{ids[0]}"') < first.index(f'data-movement="{ids[1]}"')
    assert 'href="?offset=50"' in first
    assert second.count("data-movement=") == 3
    assert f'data-movement="{ids[-1]}"' in second
    assert only_bj.count("data-movement=") == 2
    assert f"depot={depot.pk}&amp;offset=0" in only_bj


# --- parts requests -------------------------------------------------------------------------


def _request(work_order, part, depot, *, opened: str, quantity: int = 1):
    return services.parts_request_open(actor=None, work_order=work_order, part=part, depot=depot,
                                       quantity=quantity, now=at(opened)).request


def test_the_requests_page_shows_each_delivery_clock_state(dispatcher, depot, part, work_order, client_for):
    # given: regular parts are due within 2 hours
    _receive(depot, part, 10)
    running = _request(work_order, part, depot, opened="2026-11-04 09:30")
    overdue = _request(work_order, part, depot, opened="2026-11-04 07:00")
    met = _request(work_order, part, depot, opened="2026-11-04 08:30")
    services.parts_request_deliver(actor=None, request_id=met.pk, now=at("2026-11-04 09:00"))
    late = _request(work_order, part, depot, opened="2026-11-04 06:00")
    services.parts_request_deliver(actor=None, request_id=late.pk, now=at("2026-11-04 09:00"))
    # when
    page = client_for(dispatcher).get(REQUESTS).content.decode()
    # then
    def row(request):
        start = page.index(f'data-request="{request.pk}"')
        return page[start:page.index("</tr>", start)]

    assert 'data-state="running"' in row(running)
    assert "剩余 1小时30分" in row(running)
    assert 'data-state="overdue"' in row(overdue)
    assert "已超时 1小时0分" in row(overdue)
    assert 'data-state="met"' in row(met)
    assert 'data-state="breached"' in row(late)
    assert 'data-action="dispatch"' in row(running)
    assert 'data-action="deliver"' in row(running)
    assert 'data-action="cancel"' in row(running)
    assert 'data-action=' not in row(met)


def test_dispatch_deliver_and_cancel_change_the_request_through_the_services(dispatcher, depot, part,
                                                                             work_order, client_for):
    # given
    _receive(depot, part, 10)
    sent = _request(work_order, part, depot, opened="2026-11-04 09:30", quantity=2)
    dropped = _request(work_order, part, depot, opened="2026-11-04 09:30", quantity=3)
    client = client_for(dispatcher)
    # when
    dispatched = client.post(f"{REQUESTS}{sent.pk}/actions/dispatch")
    delivered = client.post(f"{REQUESTS}{sent.pk}/actions/deliver")
    cancelled = client.post(f"{REQUESTS}{dropped.pk}/actions/cancel", {"reason": "客户自备"})
    # then
    assert [r.status_code for r in (dispatched, delivered, cancelled)] == [302, 302, 302]
    sent.refresh_from_db()
    dropped.refresh_from_db()
    assert (sent.status, sent.delivered_at, sent.is_breached) == ("delivered", at(NOW), False)
    assert dropped.status == "cancelled"
    assert stock_of(depot, part) == (8, 0, 0)


def test_an_action_the_status_does_not_allow_says_why_and_changes_nothing(dispatcher, depot, part, work_order, client_for):
    _receive(depot, part, 10)
    request = _request(work_order, part, depot, opened="2026-11-04 09:30")
    services.parts_request_deliver(actor=None, request_id=request.pk)
    response = client_for(dispatcher).post(f"{REQUESTS}{request.pk}/actions/cancel")
    assert response.status_code == 409
    assert "不能执行该操作" in response.content.decode()
    assert PartsRequest.objects.get(pk=request.pk).status == "delivered"
    assert client_for(dispatcher).post(f"{REQUESTS}{uuid.uuid4()}/actions/cancel").status_code == 404


def test_an_engineer_cannot_act_on_requests(bob, depot, part, work_order, client_for):
    _receive(depot, part, 10)
    request = _request(work_order, part, depot, opened="2026-11-04 09:30")
    assert client_for(bob).post(f"{REQUESTS}{request.pk}/actions/cancel").status_code == 404
    assert PartsRequest.objects.get(pk=request.pk).status == "reserved"


def test_the_requests_filter_by_status(dispatcher, depot, part, work_order, client_for):
    _receive(depot, part, 10)
    open_one = _request(work_order, part, depot, opened="2026-11-04 09:30")
    done = _request(work_order, part, depot, opened="2026-11-04 09:30")
    services.parts_request_deliver(actor=None, request_id=done.pk)
    page = client_for(dispatcher).get(REQUESTS, {"status": "delivered"}).content.decode()
    assert f'data-request="{done.pk}"' in page
    assert f'data-request="{open_one.pk}"' not in page


# --- purchase suggestions -------------------------------------------------------------------


@pytest.fixture
def suggestion(depot, cable, work_order):
    _receive(depot, cable, 8)
    services.stock_issue(actor=None, depot=depot, part=cable, quantity=4, work_order=work_order)
    return PurchaseSuggestion.objects.get()


def test_the_suggestions_page_lists_open_suggestions_and_decides_them(manager, suggestion, client_for):
    # given
    client = client_for(manager)
    page = client.get(SUGGESTIONS).content.decode()
    assert f'data-suggestion="{suggestion.pk}"' in page
    assert "CBL-09" in page
    assert ">21 件<" in page  # back to reorder point 5 + reorder quantity 20 from 4 available
    # when
    response = client.post(f"{SUGGESTIONS}{suggestion.pk}/decision", {"status": "ordered"})
    # then
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == ("ordered", manager)
    assert f'data-suggestion="{suggestion.pk}"' not in client.get(SUGGESTIONS).content.decode()
    decided = client.get(SUGGESTIONS, {"status": "ordered"}).content.decode()
    assert f'data-suggestion="{suggestion.pk}"' in decided


def test_a_decided_suggestion_cannot_be_decided_again(dispatcher, suggestion, client_for):
    client = client_for(dispatcher)
    client.post(f"{SUGGESTIONS}{suggestion.pk}/decision", {"status": "dismissed"})
    response = client.post(f"{SUGGESTIONS}{suggestion.pk}/decision", {"status": "ordered"})
    assert response.status_code == 409
    assert "该采购建议已已忽略" in response.content.decode()
    assert PurchaseSuggestion.objects.get().status == "dismissed"


def test_a_decision_must_be_ordered_or_dismissed(dispatcher, suggestion, client_for):
    response = client_for(dispatcher).post(f"{SUGGESTIONS}{suggestion.pk}/decision", {"status": "open"})
    assert response.status_code == 422
    assert PurchaseSuggestion.objects.get().status == "open"


def test_user_text_is_escaped(manager, depot, client_for):
    make_part(code="X-1", name='<script>alert("x")</script>', unit_cost=Decimal("1"))
    page = client_for(manager).get(_depot_url(depot)).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page

