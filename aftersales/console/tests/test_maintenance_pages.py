"""Maintenance logs in the console (维修保养记录): the list, a new log, the technician's and the
owner's signatures on the pad, sealing, the owner's one-time link, corrections, the log book
exports and the chain check."""

from __future__ import annotations

import base64

import pytest

from aftersales.accounts.models import Role
from aftersales.maintenance.models import LogStatus, MaintenanceLog
from aftersales.maintenance.tests.factories import draft, sealed, technician_signed
from aftersales.notifications.models import OutboxMessage
from aftersales.workorders.tests.factories import signature_png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def engineer(make_user):
    return make_user("wang", Role.ENGINEER)


def _signature(*, blank: bool = False) -> str:
    return "data:image/png;base64," + base64.b64encode(signature_png(blank=blank)).decode()


def _new_log(client, site, asset=None, key="k1", **changes):
    data = {
        "site": str(site.pk), "asset": str(asset.pk) if asset else "", "period_kind": "monthly",
        "performed_at": "2026-11-02T10:30", "problem": "ETC 天线信号弱", "symptom": "交易失败率升高",
        "diagnosis": "天线板卡老化", "treatment": "更换天线板卡并复测", "state_after": "交易正常",
        "parts_used": "天线板 RSU-ANT-01 ×1", "time_spent_minutes": "45", "idempotency_key": key,
    }
    data.update(changes)
    return client.post("/console/maintenance/new", data)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.ENGINEER, Role.AGENT, Role.EXPERT])
def test_the_pages_render_for_staff_and_only_acting_roles_see_the_menu_and_new_log(role, make_user, acme_site,
                                                                                 client_for):
    user = make_user(f"user-{role}", role)
    log = draft(make_user("tech", Role.ENGINEER), acme_site)
    client = client_for(user)
    page = client.get("/console/maintenance/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"/console/maintenance/{log.pk}/" in text
    acts = role in (Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.ENGINEER)
    assert ('href="/console/maintenance/"' in text) is acts  # the menu entry 维修保养记录
    assert ("/console/maintenance/new" in text) is acts
    assert client.get(f"/console/maintenance/{log.pk}/").status_code == 200
    assert client.get("/console/maintenance/new").status_code == (200 if acts else 403)
    assert client.get("/console/maintenance/verify/").status_code == 200


def test_readers_cannot_act(agent, engineer, acme_site, client_for):
    log = draft(engineer, acme_site)
    client = client_for(agent)
    assert "修改草稿" not in client.get(f"/console/maintenance/{log.pk}/").content.decode()
    response = client.post(f"/console/maintenance/{log.pk}/actions/edit", {"problem": "x"})
    assert response.status_code == 403


def test_customer_users_get_404(alice, engineer, acme_site, client_for):
    log = draft(engineer, acme_site)
    client = client_for(alice)
    for url in ("/console/maintenance/", "/console/maintenance/new", f"/console/maintenance/{log.pk}/",
                "/console/maintenance/logbook/", "/console/maintenance/verify/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/console/maintenance/{log.pk}/actions/edit", {}).status_code == 404


def test_create_sign_by_technician_and_owner_on_the_device_seals_the_log(engineer, acme_site, acme_asset,
                                                                         client_for):
    client = client_for(engineer)
    form = client.get("/console/maintenance/new").content.decode()
    assert 'name="idempotency_key"' in form
    first = _new_log(client, acme_site, acme_asset)
    again = _new_log(client, acme_site, acme_asset)  # the same form sent twice
    assert first.status_code == 302
    log = MaintenanceLog.objects.get()
    assert first["Location"] == again["Location"] == f"/console/maintenance/{log.pk}/"
    assert (log.technician, log.asset, log.status) == (engineer, acme_asset, LogStatus.DRAFT)

    base = f"/console/maintenance/{log.pk}"
    page = client.get(f"{base}/").content.decode()
    for text in ("更换天线板卡并复测", "修改草稿", "维护人员签字", "data-signature-pad"):
        assert text in page
    assert "<script>" not in page

    edited = client.post(f"{base}/actions/edit", {
        "period_kind": "monthly", "performed_at": "2026-11-02T10:30", "problem": "ETC 天线信号弱",
        "treatment": "更换天线板卡，复测交易成功", "time_spent_minutes": "50"})
    assert edited.status_code == 302
    log.refresh_from_db()
    assert (log.treatment, log.time_spent_minutes) == ("更换天线板卡，复测交易成功", 50)

    signed = client.post(f"{base}/actions/technician-sign", {"signer_name": "王工", "signature": _signature()})
    assert signed.status_code == 302
    log.refresh_from_db()
    assert (log.status, log.technician_name) == (LogStatus.AWAITING_OWNER, "王工")
    page = client.get(f"{base}/").content.decode()
    assert "业主在本设备上签字" in page
    assert "发送一次性签字链接" in page
    assert "修改草稿" not in page

    owner = client.post(f"{base}/actions/owner-sign", {"signer_name": "马建国", "signature": _signature()})
    assert owner.status_code == 302
    log.refresh_from_db()
    assert log.status == LogStatus.SEALED
    assert log.chain_index == 1
    page = client.get(f"{base}/").content.decode()
    for text in (log.content_hash, "马建国", "王工", "已封存", "更正此记录"):
        assert text in page

    verified = client.get("/console/maintenance/verify/", {"site": str(acme_site.pk)})
    assert verified.status_code == 200
    assert "记录链完整" in verified.content.decode()


def test_a_blank_signature_is_refused_at_the_signature(engineer, acme_site, client_for):
    log = draft(engineer, acme_site)
    client = client_for(engineer)
    for signature in (_signature(blank=True), ""):
        refused = client.post(f"/console/maintenance/{log.pk}/actions/technician-sign",
                              {"signer_name": "王工", "signature": signature})
        assert refused.status_code == 422
        text = refused.content.decode()
        assert "签名" in text
        assert 'class="field invalid"' in text
    log.refresh_from_db()
    assert log.status == LogStatus.DRAFT


def test_an_invalid_new_log_is_refused_at_the_field(engineer, acme_site, client_for):
    response = _new_log(client_for(engineer), acme_site, time_spent_minutes="-3")
    assert response.status_code == 422
    assert not MaintenanceLog.objects.exists()


def test_editing_a_sealed_log_is_refused_and_a_correction_opens_a_new_draft(engineer, acme_site, client_for):
    log = sealed(engineer, acme_site)
    client = client_for(engineer)
    base = f"/console/maintenance/{log.pk}"
    refused = client.post(f"{base}/actions/edit", {"period_kind": "monthly", "performed_at": "2026-11-02T10:30",
                                                  "treatment": "改", "time_spent_minutes": "1"})
    assert refused.status_code == 409
    assert "已封存" in refused.content.decode()
    first = client.post(f"{base}/actions/correct", {"idempotency_key": "c1"})
    again = client.post(f"{base}/actions/correct", {"idempotency_key": "c1"})
    correction = MaintenanceLog.objects.get(corrects=log)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == f"/console/maintenance/{correction.pk}/" == again["Location"]
    assert correction.status == LogStatus.DRAFT
    assert "修改草稿" in client.get(first["Location"]).content.decode()


def test_send_link_puts_an_email_in_the_outbox(engineer, acme_site, client_for):
    log = technician_signed(engineer, acme_site)
    client = client_for(engineer)
    bad = client.post(f"/console/maintenance/{log.pk}/actions/owner-link", {"email": "nope"})
    assert bad.status_code == 422
    sent = client.post(f"/console/maintenance/{log.pk}/actions/owner-link", {"email": "ma@acme.invalid"})
    assert sent.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.recipient == "ma@acme.invalid"
    assert "/portal/maintenance/sign/" in message.body
    assert "ma@acme.invalid" in client.get(f"/console/maintenance/{log.pk}/").content.decode()


def test_the_log_book_links_to_the_pdf_and_excel_exports(engineer, acme_site, client_for):
    sealed(engineer, acme_site)
    client = client_for(engineer)
    assert 'action="/console/maintenance/logbook/"' in client.get("/console/maintenance/").content.decode()
    page = client.get("/console/maintenance/logbook/", {"site": str(acme_site.pk), "period_kind": "",
                                                        "start": "2026-01-01", "end": "2026-12-31"})
    assert page.status_code == 200
    text = page.content.decode()
    query = f"site={acme_site.pk}&amp;start=2026-01-01&amp;end=2026-12-31&amp;period_kind="
    assert f"/api/v1/maintenance/logbook.pdf?{query}" in text
    assert f"/api/v1/maintenance/logbook.xlsx?{query}" in text
    pdf = client.get(f"/api/v1/maintenance/logbook.pdf?{query.replace('&amp;', '&')}")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    reversed_range = client.get("/console/maintenance/logbook/", {"site": str(acme_site.pk),
                                                                  "start": "2026-12-31", "end": "2026-01-01"})
    assert reversed_range.status_code == 422


def test_a_sealed_log_downloads_as_its_own_pdf_and_a_draft_does_not(engineer, acme_site, client_for):
    from aftersales.workorders.tests.pdf_text import pdf_text

    log = sealed(engineer, acme_site)
    client = client_for(engineer)
    assert f"/api/v1/maintenance/{log.pk}/log.pdf" in client.get(f"/console/maintenance/{log.pk}/").content.decode()
    answer = client.get(f"/api/v1/maintenance/{log.pk}/log.pdf")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    text = pdf_text(answer.content)
    assert log.treatment in text
    assert log.content_hash in text
    refused = client.get(f"/api/v1/maintenance/{draft(engineer, acme_site).pk}/log.pdf")
    assert refused.status_code == 409


def test_a_log_opened_from_a_work_order_is_filled_from_it_and_linked(engineer, manager, agent, acme, acme_site,
                                                                      acme_asset, diamond_contract, client_for):
    from aftersales.workorders import services as work_orders
    from aftersales.workorders.tests.factories import open_case

    case = open_case(agent, acme, asset_id=acme_asset.pk)
    work_order, _created = work_orders.work_order_create(actor=agent, case_id=case.pk, kind="repair")
    client = client_for(engineer)
    form = client.get(f"/console/maintenance/new?work_order={work_order.pk}").context["form"]
    assert form.initial["work_order"] == work_order.pk
    assert form.initial["site"] == acme_site.pk
    assert form.initial["asset"] == acme_asset.pk
    assert form.initial["problem"] == case.title
    made = _new_log(client, acme_site, acme_asset, key="from-wo", work_order=str(work_order.pk))
    assert made.status_code == 302
    assert MaintenanceLog.objects.get().work_order_id == work_order.pk
    # another customer's work order, or none at all, opens nothing
    assert client.get("/console/maintenance/new?work_order=not-a-uuid").status_code == 200
    import uuid

    assert client.get(f"/console/maintenance/new?work_order={uuid.uuid4()}").status_code == 404
