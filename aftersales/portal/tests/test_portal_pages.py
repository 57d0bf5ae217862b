from __future__ import annotations

import pytest
from django.test import Client

from aftersales.cases import services
from aftersales.cases.models import Case, ClosureConsent

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _resolved(agent, customer) -> Case:
    case, _created = services.case_open(actor=agent, customer_id=customer.pk, channel="phone", category="fault",
                                        title="车道控制机频繁死机", impact="degraded")
    services.case_acknowledge(actor=agent, case_id=case.pk)
    services.case_resolve(actor=agent, case_id=case.pk, resolution="更换电源模块")
    return case


def test_a_customer_sees_its_own_cases_and_confirms_closure(agent, alice, acme):
    case = _resolved(agent, acme)
    client = _client(alice)
    assert case.number in client.get("/portal/").content.decode()
    page = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "同意关闭" in page
    assert "更换电源模块" in page
    assert client.post(f"/portal/cases/{case.pk}/confirm-closure").status_code == 302
    assert Case.objects.get(pk=case.pk).status == "closed"
    assert ClosureConsent.objects.get(case=case).recorded_by == alice


def test_another_customer_gets_404_and_sees_nothing(agent, alice, charlie, acme):
    case = _resolved(agent, acme)
    client = _client(charlie)
    assert client.get(f"/portal/cases/{case.pk}/").status_code == 404
    assert client.post(f"/portal/cases/{case.pk}/confirm-closure").status_code == 404
    assert client.post(f"/portal/cases/{case.pk}/reopen", {"reason": "x"}).status_code == 404
    assert case.number not in client.get("/portal/").content.decode()
    assert Case.objects.get(pk=case.pk).status == "resolved"


def test_a_customer_reopens_with_a_reason(agent, alice, acme):
    case = _resolved(agent, acme)
    client = _client(alice)
    assert client.post(f"/portal/cases/{case.pk}/reopen", {"reason": ""}).status_code == 422
    assert client.post(f"/portal/cases/{case.pk}/reopen", {"reason": "又死机了"}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_the_service_request_form_files_one_case_even_when_sent_twice(alice, acme, acme_contact):
    client = _client(alice)
    form = {"title": "ETC车道无法交易", "reporter": "马建国", "contact": str(acme_contact.pk),
            "description": "早上8点起所有ETC车道无法交易", "noticed_at": "2026-11-24T08:00", "impact": "outage",
            "idempotency_key": "f7a0d3c2-0000-4000-8000-000000000001"}
    first = client.post("/portal/request/", form)
    second = client.post("/portal/request/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    case = Case.objects.get()
    assert (case.channel, case.severity, case.contact) == ("web", "P1", acme_contact)
    assert "报修人：马建国" in case.description


def test_the_form_offers_only_the_customers_own_sites_and_names_bad_fields(alice, acme, globex):
    from aftersales.customers.services import site_create

    foreign = site_create(customer=globex, name="外单位站点")
    client = _client(alice)
    assert "外单位站点" not in client.get("/portal/request/").content.decode()
    response = client.post("/portal/request/", {"title": "", "site": str(foreign.pk), "impact": "outage"})
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_staff_do_not_use_the_portal(agent):
    assert _client(agent).get("/portal/").status_code == 404


def test_a_customer_replies_and_never_sees_internal_notes(agent, alice, acme):
    case, _created = services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                        title="隧道摄像机黑屏", impact="degraded")
    services.case_acknowledge(actor=agent, case_id=case.pk)
    services.case_wait_on_customer(actor=agent, case_id=case.pk, reason="请提供设备照片")
    services.case_note(actor=agent, case_id=case.pk, text="内部：怀疑是电源批次问题")
    client = _client(alice)
    page = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert "怀疑是电源批次问题" not in page
    assert client.post(f"/portal/cases/{case.pk}/reply", {"message": "照片已上传"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert "照片已上传" in client.get(f"/portal/cases/{case.pk}/").content.decode()
    console = Client()
    console.force_login(agent)
    staff_page = console.get(f"/console/cases/{case.pk}/").content.decode()
    assert "怀疑是电源批次问题" in staff_page
    assert "照片已上传" in staff_page
