"""The return pages (退换货): the list, a request with the policy's answer, and its steps
(decide, receive, complete) and filing from an asset — all posted through the returns services."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine

from aftersales.accounts.models import Role
from aftersales.assets.services import asset_create, product_create
from aftersales.core.tests.helpers import field_block
from aftersales.parts.models import StockMovement
from aftersales.parts.services import depot_create, part_create
from aftersales.returns import services
from aftersales.returns.models import ReturnRequest

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY_7 = dt.datetime(2026, 3, 8, 20, 0, tzinfo=SHANGHAI)
RETURNS = "/console/returns/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(DAY_7, tick=False):
        yield


@pytest.fixture
def obu(acme, acme_site):
    """Bought on 2026-03-01: today (day 7) is the last day of the 7-day window."""
    product = product_create(model="OBU-1", name="车载单元", has_acceptance=False)
    return asset_create(product=product, serial_number="OBU-0001", customer=acme, site=acme_site,
                        purchased_on=dt.date(2026, 3, 1))


@pytest.fixture
def depot(db):
    return depot_create(code="bj-1", name="北京备件库", region="华北")


@pytest.fixture
def part(db):
    return part_create(code="OBU-1-UNIT", name="车载单元整机")


@pytest.fixture
def filed(alice, obu):
    row, _created = services.return_request_open(actor=alice, asset_id=obu.pk, kind="return", reason="不想要了")
    return row


def _page(row) -> str:
    return f"{RETURNS}{row.pk}/"


def _new(asset) -> str:
    return f"/console/assets/{asset.pk}/returns/new"


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status", "decides"), [
    (Role.ADMIN, 200, True), (Role.MANAGER, 200, True), (Role.DISPATCHER, 200, True), (Role.AGENT, 200, True),
    (Role.ENGINEER, 200, False), (Role.EXPERT, 404, False),
])
def test_each_return_page_opens_for_its_roles(make_user, obu, filed, role, status, decides, client_for):
    client = client_for(make_user("someone", role))
    for url in (RETURNS, _page(filed), _new(obu)):
        assert client.get(url).status_code == status, url
    if status == 200:
        assert ('data-step="decide"' in client.get(_page(filed)).content.decode()) is decides


def test_a_customer_user_gets_404_on_every_return_page_and_step(alice, obu, filed, client_for):
    client = client_for(alice)
    for url in (RETURNS, _page(filed), _new(obu)):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{_page(filed)}decide", {}).status_code == 404
    assert client.post(_new(obu), {"kind": "return", "reason": "x", "idempotency_key": "k"}).status_code == 404
    filed.refresh_from_db()
    assert filed.status == "requested"
    assert ReturnRequest.objects.count() == 1


def test_unknown_requests_steps_and_assets_are_404(manager, filed, client_for):
    client = client_for(manager)
    assert client.get(f"{RETURNS}{uuid.uuid4()}/").status_code == 404
    assert client.post(f"{_page(filed)}steal", {}).status_code == 404
    assert client.get(f"/console/assets/{uuid.uuid4()}/returns/new").status_code == 404


def test_the_engineer_may_not_decide(bob, filed, client_for):
    assert client_for(bob).post(f"{_page(filed)}decide", {}).status_code == 403
    filed.refresh_from_db()
    assert filed.status == "requested"


# --- the list and the page ------------------------------------------------------------------


def test_the_list_filters_by_status(agent, alice, obu, filed, client_for):
    other, _ = services.return_request_open(actor=alice, asset_id=obu.pk, kind="exchange", reason="颜色不对")
    services.return_decide(actor=agent, request_id=other.pk)
    client = client_for(agent)
    everything = client.get(RETURNS).content.decode()
    requested = client.get(RETURNS, {"status": "requested"}).content.decode()
    assert f'data-return="{filed.pk}"' in everything
    assert f'data-return="{other.pk}" data-status="approved"' in everything
    assert f'data-return="{other.pk}"' not in requested
    assert f'data-return="{filed.pk}"' in requested


def test_the_request_page_shows_the_policy_check(agent, filed, client_for):
    page = client_for(agent).get(_page(filed)).content.decode()
    assert 'data-eligible="yes"' in page
    assert "在购买后 7 天内" in page
    assert "符合政策（免费）" in page


# --- filing from the asset page -------------------------------------------------------------


def test_an_agent_files_a_request_once_and_sees_the_policys_answer(agent, obu, client_for):
    client = client_for(agent)
    form = client.get(_new(obu)).content.decode()
    assert 'name="idempotency_key"' in form
    data = {"kind": "return", "reason": "车载单元不识别", "is_quality_fault": "on", "idempotency_key": "r-1"}
    first = client.post(_new(obu), data)
    again = client.post(_new(obu), data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    row = ReturnRequest.objects.get()
    assert (row.kind, row.is_quality_fault, row.is_policy_eligible, row.requested_by) == ("return", True, True, agent)
    page = client.get(first["Location"]).content.decode()
    assert "在购买后 7 天内" in page
    assert "卖方" in page  # a quality fault within the window: the seller pays return shipping


def test_filing_without_a_reason_is_refused_at_the_reason(agent, obu, client_for):
    response = client_for(agent).post(_new(obu), {"kind": "return", "reason": "", "idempotency_key": "r-2"})
    assert response.status_code == 422
    assert 'class="error"' in field_block(response.content.decode(), "id_reason")
    assert not ReturnRequest.objects.exists()


# --- decide ---------------------------------------------------------------------------------


def test_the_agent_decides_as_the_policy_says_once(agent, filed, client_for):
    client = client_for(agent)
    assert client.post(f"{_page(filed)}decide", {}).status_code == 302
    again = client.post(f"{_page(filed)}decide", {})
    assert again.status_code == 409
    assert "不能批准" in again.content.decode()
    filed.refresh_from_db()
    assert (filed.status, filed.is_override, filed.decided_by) == ("approved", False, agent)


def test_an_agent_overriding_the_policy_is_refused_at_the_decision(agent, filed, client_for):
    response = client_for(agent).post(f"{_page(filed)}decide", {"decision": "reject", "reason": "不同意"})
    assert response.status_code == 403
    assert "与退换货政策不同的决定须由服务经理作出" in field_block(response.content.decode(), "id_decision")
    filed.refresh_from_db()
    assert (filed.status, filed.decision) == ("requested", "")


def test_a_manager_overrides_only_with_a_written_reason(manager, filed, client_for):
    client = client_for(manager)
    unexplained = client.post(f"{_page(filed)}decide", {"decision": "reject"})
    assert unexplained.status_code == 422
    assert "与政策不同的决定须写明理由" in field_block(unexplained.content.decode(), "id_reason")
    filed.refresh_from_db()
    assert filed.status == "requested"
    assert client.post(f"{_page(filed)}decide", {"decision": "reject", "reason": "设备有人为损坏"}).status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.is_override, filed.decision_reason) == ("rejected", True, "设备有人为损坏")
    assert "经理特批（与政策不同）" in client.get(_page(filed)).content.decode()


# --- receive and complete -------------------------------------------------------------------


def test_receiving_moves_stock_once_and_completing_records_the_solution(agent, bob, filed, depot, part, client_for):
    services.return_decide(actor=agent, request_id=filed.pk)
    client = client_for(bob)
    page = client.get(_page(filed)).content.decode()
    assert 'data-step="receive"' in page
    missing = client.post(f"{_page(filed)}receive", {"part": str(part.pk), "quantity": "1"})
    assert missing.status_code == 422
    assert 'class="error"' in field_block(missing.content.decode(), "id_depot")
    data = {"depot": str(depot.pk), "part": str(part.pk), "quantity": "1", "faulty": "", "note": "包装完好"}
    assert client.post(f"{_page(filed)}receive", data).status_code == 302
    assert client.post(f"{_page(filed)}receive", data).status_code == 409
    assert StockMovement.objects.filter(depot=depot, part=part).count() == 1
    blank = client.post(f"{_page(filed)}complete", {"solution": ""})
    assert blank.status_code == 422
    assert 'class="error"' in field_block(blank.content.decode(), "id_solution")
    assert client.post(f"{_page(filed)}complete", {"solution": "已退款"}).status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.solution, filed.received_depot) == ("completed", "已退款", depot)
    assert "已退款" in client.get(_page(filed)).content.decode()


def test_the_menu_shows_returns_to_the_roles_that_use_them(bob, make_user, client_for):
    assert f'href="{RETURNS}"' in client_for(bob).get("/console/").content.decode()
    assert f'href="{RETURNS}"' not in client_for(make_user("expert", Role.EXPERT)).get("/console/").content.decode()
