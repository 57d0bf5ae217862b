"""The portal's field-service parts: a case's work orders with their report and the substitute
unit on loan, and the organisation's return requests (退换货申请) with the policy's answer."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from aftersales.accounts.models import Role
from aftersales.assets.services import asset_create, product_create
from aftersales.core.tests.helpers import field_block
from aftersales.loans import services as loan_services
from aftersales.loans.tests.factories import make_case, make_depot, make_unit
from aftersales.returns import services as return_services
from aftersales.returns.models import ReturnRequest
from aftersales.workorders import services as work_order_services

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 3, 12, 0, tzinfo=SHANGHAI)
RETURNS = "/portal/returns/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def obu(acme, acme_site):
    """Bought five days ago: inside the 7-day window."""
    product = product_create(model="OBU-1", name="车载单元", has_acceptance=False)
    return asset_create(product=product, serial_number="OBU-0001", customer=acme, site=acme_site,
                        purchased_on=dt.date(2026, 10, 29))


@pytest.fixture
def globex_asset(globex):
    product = product_create(model="CAM-9", name="摄像机", has_acceptance=False)
    return asset_create(product=product, serial_number="CAM-0009", customer=globex)


# --- the case page --------------------------------------------------------------------------


def test_the_case_page_shows_work_orders_with_their_report_and_the_unit_on_loan(make_user, agent, alice, charlie,
                                                                                acme, acme_asset, diamond_contract, client_for):
    # given a case with a work order for an engineer, and a substitute unit lent for it
    engineer = make_user("wang", Role.ENGINEER)
    dispatcher = make_user("dispatcher", Role.DISPATCHER)
    case = make_case(agent, acme, acme_asset)
    work_order, _ = work_order_services.work_order_create(
        actor=dispatcher, case_id=case.pk, kind="repair", technician_id=engineer.pk,
        scheduled_for=dt.datetime(2026, 11, 4, 9, 0, tzinfo=SHANGHAI))
    unit = make_unit(acme_asset.product, make_depot(), "SUB-001")
    loan_services.loan_out(actor=dispatcher, case_id=case.pk, unit_id=unit.pk, condition_out="好",
                           due_back_at=dt.datetime(2026, 11, 10, 18, 0, tzinfo=SHANGHAI))
    client = client_for(alice)
    # when
    page = client.get(f"/portal/cases/{case.pk}/").content.decode()
    # then
    assert f'data-work-order="{work_order.number}"' in page
    assert "wang" in page
    assert "2026-11-04 09:00" in page
    assert f'href="/api/v1/work-orders/{work_order.pk}/report.pdf"' in page
    assert "SUB-001" in page
    assert "2026-11-10 18:00" in page
    assert client.get(f"/api/v1/work-orders/{work_order.pk}/report.pdf").status_code == 200
    # another organisation sees neither the case nor its report
    assert client_for(charlie).get(f"/portal/cases/{case.pk}/").status_code == 404
    assert client_for(charlie).get(f"/api/v1/work-orders/{work_order.pk}/report.pdf").status_code == 404


# --- return requests ------------------------------------------------------------------------


def test_the_menu_has_the_return_requests_entry(alice, client_for):
    page = client_for(alice).get(RETURNS).content.decode()
    assert f'href="{RETURNS}" aria-current="page">退换货申请</a>' in page


def test_a_customer_files_a_return_once_and_sees_the_policys_answer(alice, obu, client_for):
    client = client_for(alice)
    form = client.get(RETURNS).content.decode()
    assert "OBU-0001" in form
    data = {"asset": str(obu.pk), "kind": "return", "reason": "不识别卡片", "is_quality_fault": "on",
            "idempotency_key": "c-1"}
    first = client.post(RETURNS, data)
    again = client.post(RETURNS, data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    row = ReturnRequest.objects.get()
    assert (row.customer, row.requested_by, row.is_policy_eligible) == (obu.customer, alice, True)
    page = client.get(first["Location"]).content.decode()
    assert 'data-eligible="yes"' in page
    assert "在购买后 7 天内" in page
    assert f'data-return="{row.pk}"' in client.get(RETURNS).content.decode()


def test_filing_without_a_reason_is_refused_at_the_reason(alice, obu, client_for):
    response = client_for(alice).post(RETURNS, {"asset": str(obu.pk), "kind": "return", "reason": "",
                                             "idempotency_key": "c-2"})
    assert response.status_code == 422
    assert 'class="error"' in field_block(response.content.decode(), "id_reason")
    assert not ReturnRequest.objects.exists()


def test_another_organisations_asset_cannot_be_chosen(alice, obu, globex_asset, client_for):
    client = client_for(alice)
    assert "CAM-0009" not in client.get(RETURNS).content.decode()
    response = client.post(RETURNS, {"asset": str(globex_asset.pk), "kind": "return", "reason": "x",
                                     "idempotency_key": "c-3"})
    assert response.status_code == 422
    assert 'class="error"' in field_block(response.content.decode(), "id_asset")
    assert not ReturnRequest.objects.exists()


def test_another_organisation_gets_404_for_a_request_and_does_not_list_it(alice, charlie, obu, client_for):
    row, _ = return_services.return_request_open(actor=alice, asset_id=obu.pk, kind="exchange", reason="颜色不对")
    client = client_for(charlie)
    assert client.get(f"{RETURNS}{row.pk}/").status_code == 404
    assert f'data-return="{row.pk}"' not in client.get(RETURNS).content.decode()


def test_the_decision_shows_on_the_customers_page(agent, alice, obu, client_for):
    row, _ = return_services.return_request_open(actor=alice, asset_id=obu.pk, kind="return", reason="<b>坏了</b>")
    return_services.return_decide(actor=agent, request_id=row.pk)
    page = client_for(alice).get(f"{RETURNS}{row.pk}/").content.decode()
    assert "已批准" in page
    assert "&lt;b&gt;坏了&lt;/b&gt;" in page


def test_staff_do_not_use_the_portals_return_pages(agent, alice, obu, client_for):
    row, _ = return_services.return_request_open(actor=alice, asset_id=obu.pk, kind="return", reason="x")
    client = client_for(agent)
    assert client.get(RETURNS).status_code == 404
    assert client.get(f"{RETURNS}{row.pk}/").status_code == 404
