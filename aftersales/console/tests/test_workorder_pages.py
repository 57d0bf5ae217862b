"""Work orders in the console: dispatching from the case page, the engineer's page (travel,
check-in, findings, parts used, photos, signature), "my work orders", the emergency board and
intake of an emergency fault class."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from aftersales.accounts.models import Role
from aftersales.cases.models import Case, CaseClock, CaseEvent, EventKind
from aftersales.emergencies.services import emergency_level_save, fault_class_create
from aftersales.parts import services as parts_services
from aftersales.workorders.models import WorkOrder, WorkOrderStatus
from aftersales.workorders.tests.factories import open_case, photo_bytes, signature_png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def engineer(make_user):
    return make_user("wang", Role.ENGINEER)


def _new_work_order(client, case, engineer, key="k1"):
    return client.post(f"/console/cases/{case.pk}/work-orders", {
        "kind": "repair", "technician_id": engineer.pk, "scheduled_for": "2026-11-02T11:00",
        "summary": "更换 ETC 天线", "idempotency_key": key,
    })


def test_the_dispatcher_creates_a_work_order_from_the_case_page_once(dispatcher, engineer, agent, acme,
                                                                     diamond_contract, client_for):
    case = open_case(agent, acme)
    client = client_for(dispatcher)
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "新建派工单" in page
    assert "尚未派工" in page
    form = client.get(f"/console/cases/{case.pk}/work-orders").content.decode()
    assert 'name="technician_id"' in form
    first = _new_work_order(client, case, engineer)
    again = _new_work_order(client, case, engineer)  # a double submit of the same form
    assert first.status_code == 302
    assert again.status_code == 302
    work_order = WorkOrder.objects.get(case=case)
    assert first["Location"] == f"/console/work-orders/{work_order.pk}/"
    assert work_order.technician == engineer
    assert work_order.number in client.get(f"/console/cases/{case.pk}/").content.decode()


def test_a_refused_work_order_shows_the_reason_at_the_field(dispatcher, agent, acme, diamond_contract, client_for):
    case = open_case(agent, acme)
    response = client_for(dispatcher).post(f"/console/cases/{case.pk}/work-orders",
                                        {"kind": "nonsense", "idempotency_key": "k"})
    assert response.status_code == 422
    assert "invalid" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_the_engineer_works_the_order_from_travel_to_signature(dispatcher, engineer, agent, acme, acme_asset,
                                                                diamond_contract, client_for):
    case = open_case(agent, acme, asset_id=acme_asset.pk)
    _new_work_order(client_for(dispatcher), case, engineer)
    work_order = WorkOrder.objects.get(case=case)
    depot = parts_services.depot_create(code="urumqi", name="乌鲁木齐备件库")
    part = parts_services.part_create(code="ANT-1", name="ETC 天线板卡", kind="regular")
    parts_services.stock_receive(actor=dispatcher, depot=depot, part=part, quantity=3)
    client = client_for(engineer)
    mine = client.get("/console/work-orders/").content.decode()
    assert work_order.number in mine
    base = f"/console/work-orders/{work_order.pk}"
    assert client.post(f"{base}/actions/start_travel").status_code == 302
    assert client.post(f"{base}/actions/check_in", {"note": "已到收费站"}).status_code == 302
    # checking in stopped the case's on-site clock
    assert CaseClock.objects.get(case=case, target="on_site").met_at is not None
    assert client.post(f"{base}/actions/record", {
        "diagnosis": "天线板卡损坏", "work_performed": "更换板卡", "result": "fixed", "time_spent_minutes": "40",
    }).status_code == 302
    used = client.post(f"{base}/parts", {"depot": str(depot.pk), "part": str(part.pk), "quantity": "1",
                                         "idempotency_key": "p1"})
    assert used.status_code == 302
    client.post(f"{base}/parts", {"depot": str(depot.pk), "part": str(part.pk), "quantity": "1",
                                  "idempotency_key": "p1"})  # the same form sent twice
    assert parts_services.stock_available(depot=depot, part=part) == 2
    photo = client.post(f"{base}/photos", {"file": _upload("site.jpg", photo_bytes()), "caption": "更换后"})
    assert photo.status_code == 302
    assert client.post(f"{base}/actions/complete").status_code == 302
    signature = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    assert client.post(f"{base}/actions/sign", {"signer_name": "马建国", "signature": signature}).status_code == 302
    page = client.get(f"{base}/").content.decode()
    for text in ("ANT-1", "更换板卡", "客户已签字", "现场服务报告（PDF）"):
        assert text in page
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.SIGNED
    report = client.get(f"/api/v1/work-orders/{work_order.pk}/report.pdf")
    assert report.status_code == 200
    assert report["Content-Type"] == "application/pdf"


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_a_blank_signature_is_refused_at_the_signature(dispatcher, engineer, agent, acme, diamond_contract, client_for):
    case = open_case(agent, acme)
    _new_work_order(client_for(dispatcher), case, engineer)
    work_order = WorkOrder.objects.get(case=case)
    client = client_for(engineer)
    base = f"/console/work-orders/{work_order.pk}"
    for action, data in (("start_travel", {}), ("check_in", {}), ("record", {"diagnosis": "x", "result": "fixed"}),
                         ("complete", {})):
        assert client.post(f"{base}/actions/{action}", data).status_code == 302
    blank = "data:image/png;base64," + base64.b64encode(signature_png(blank=True)).decode()
    refused = client.post(f"{base}/actions/sign", {"signer_name": "马建国", "signature": blank})
    assert refused.status_code == 422
    assert "签名" in refused.content.decode()
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.WORK_DONE


def test_a_forbidden_step_answers_409_with_the_reason(dispatcher, engineer, agent, acme, diamond_contract, client_for):
    case = open_case(agent, acme)
    _new_work_order(client_for(dispatcher), case, engineer)
    work_order = WorkOrder.objects.get(case=case)
    refused = client_for(engineer).post(f"/console/work-orders/{work_order.pk}/actions/complete")
    assert refused.status_code == 409


def test_customer_users_never_see_work_order_pages(dispatcher, engineer, agent, alice, acme, diamond_contract, client_for):
    case = open_case(agent, acme)
    _new_work_order(client_for(dispatcher), case, engineer)
    work_order = WorkOrder.objects.get(case=case)
    client = client_for(alice)
    assert client.get(f"/console/work-orders/{work_order.pk}/").status_code == 404
    assert client.get("/console/work-orders/").status_code == 404
    assert client.get("/console/emergencies/").status_code == 404


@pytest.fixture
def lane_down(db):
    emergency_level_save(level=1, name="一级（重大）", severity="P1", targets={"on_site": 60},
                         required_actions=["通知业主值班室"])
    return fault_class_create(code="lane-down", name="收费车道中断", level=1)


def test_the_agent_files_an_emergency_fault_class_at_intake(agent, acme, diamond_contract, lane_down, client_for):
    client = client_for(agent)
    form = client.get(f"/console/intake/?customer={acme.pk}").content.decode()
    assert "收费车道中断（1 级响应）" in form
    filed = client.post("/console/intake/", {
        "customer": str(acme.pk), "idempotency_key": "i1", "title": "3 号车道无法交易", "impact": "degraded",
        "fault_class": "lane-down", "category": "fault", "channel": "phone",
    })
    assert filed.status_code == 302
    case = Case.objects.get()
    assert case.severity == "P1"
    assert case.fault_class == lane_down
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "通知业主值班室" in page
    assert "1 级响应" in page


def test_the_emergency_board_shows_level_one_cases_with_the_people_committed(dispatcher, engineer, agent, acme,
                                                                             diamond_contract, lane_down, client_for):
    emergency = open_case(agent, acme, fault_class="lane-down")
    ordinary = open_case(agent, acme)
    _new_work_order(client_for(dispatcher), emergency, engineer)
    board = client_for(dispatcher).get("/console/emergencies/").content.decode()
    assert emergency.number in board
    assert ordinary.number not in board
    assert "wang" in board


def test_the_case_page_takes_the_written_reason_for_a_missed_target(agent, acme, diamond_contract, lane_down, client_for):
    from aftersales.cases.sweep import sla_sweep
    from aftersales.cases.tests.helpers import at

    case = open_case(agent, acme, fault_class="lane-down", when=at("2026-11-02 10:00"))
    sla_sweep(now=at("2026-11-02 11:30"))
    client = client_for(agent)
    assert "说明超时原因" in client.get(f"/console/cases/{case.pk}/").content.decode()
    done = client.post(f"/console/cases/{case.pk}/actions/explain_breach",
                       {"target": "on_site", "reason": "暴雪封路"})
    assert done.status_code == 302
    assert CaseEvent.objects.filter(case=case, kind=EventKind.BREACH_EXPLAINED).count() == 1


def test_the_dispatcher_assigns_from_the_ranked_list(dispatcher, engineer, make_user, agent, acme, acme_asset,
                                                     diamond_contract, client_for):
    from aftersales.roster.services import technician_create

    other = make_user("li", Role.ENGINEER)
    technician = technician_create(user_id=engineer.pk, product_ids=[acme_asset.product_id])
    technician_create(user_id=other.pk)
    case = open_case(agent, acme, asset_id=acme_asset.pk)
    client = client_for(dispatcher)
    page = client.get(f"/console/cases/{case.pk}/dispatch/").content.decode()
    # the engineer skilled for the asset's product ranks first
    assert page.index('data-technician="wang"') < page.index('data-technician="li"')
    assigned = client.post(f"/console/cases/{case.pk}/dispatch/assign",
                           {"technician": str(technician.pk), "idempotency_key": "d1"})
    assert assigned.status_code == 302
    work_order = WorkOrder.objects.get(case=case)
    assert work_order.technician == engineer
    refused = client.post(f"/console/cases/{case.pk}/dispatch/assign", {"technician": "nobody"})
    assert refused.status_code == 422
    assert client_for(alice_like(make_user, acme)).get(f"/console/cases/{case.pk}/dispatch/").status_code == 404


def alice_like(make_user, customer):
    return make_user("acme-user", Role.CUSTOMER, customer)


def test_the_engineer_requests_parts_with_a_delivery_clock(dispatcher, engineer, agent, acme, diamond_contract, client_for):
    from aftersales.parts.models import PartsRequest

    case = open_case(agent, acme)
    _new_work_order(client_for(dispatcher), case, engineer)
    work_order = WorkOrder.objects.get(case=case)
    depot = parts_services.depot_create(code="kashi", name="喀什备件库")
    part = parts_services.part_create(code="OTN-LC", name="OTN 线路板", kind="non_regular")
    client = client_for(engineer)
    form = {"request-depot": str(depot.pk), "request-part": str(part.pk), "request-quantity": "1",
            "request-idempotency_key": "r1"}
    assert client.post(f"/console/work-orders/{work_order.pk}/parts-requests", form).status_code == 302
    assert client.post(f"/console/work-orders/{work_order.pk}/parts-requests", form).status_code == 302
    parts_request = PartsRequest.objects.get()
    assert parts_request.due_at - parts_request.requested_at == dt.timedelta(hours=48)
    page = client.get(f"/console/work-orders/{work_order.pk}/").content.decode()
    assert "OTN-LC" in page
    bad = client.post(f"/console/work-orders/{work_order.pk}/parts-requests", {**form, "request-quantity": "0",
                                                                                "request-idempotency_key": "r2"})
    assert bad.status_code == 422
