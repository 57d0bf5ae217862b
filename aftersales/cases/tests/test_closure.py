from __future__ import annotations

import pytest

from aftersales.cases.models import Case, ClosureConsent
from aftersales.cases.tests.helpers import new_case_payload

pytestmark = pytest.mark.django_db


def _resolved_case(api, agent, acme):
    client = api(agent)
    case_id = client.post("/api/v1/cases", new_case_payload(acme)).json()["id"]
    client.post(f"/api/v1/cases/{case_id}/actions/acknowledge")
    client.post(f"/api/v1/cases/{case_id}/actions/resolve", {"resolution": "更换光模块"})
    return case_id


def test_the_customer_closes_its_own_resolved_case(api, agent, alice, acme):
    case_id = _resolved_case(api, agent, acme)
    response = api(alice).post(f"/api/v1/cases/{case_id}/actions/confirm_closure")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    consent = ClosureConsent.objects.get(case_id=case_id)
    assert (consent.method, consent.recorded_by) == ("portal", alice)


def test_staff_cannot_close_without_recording_the_customers_consent(api, agent, acme):
    case_id = _resolved_case(api, agent, acme)
    response = api(agent).post(f"/api/v1/cases/{case_id}/actions/confirm_closure")
    assert response.status_code == 422
    assert response.json()["field"] == "note"
    assert Case.objects.get(pk=case_id).status == "resolved"
    assert not ClosureConsent.objects.exists()


def test_an_agent_records_a_consent_given_by_phone(api, agent, acme, acme_contact):
    case_id = _resolved_case(api, agent, acme)
    response = api(agent).post(f"/api/v1/cases/{case_id}/actions/confirm_closure",
                               {"note": "11月2日15:10 马建国电话同意关闭", "contact_id": str(acme_contact.pk)})
    assert response.status_code == 200
    consent = ClosureConsent.objects.get(case_id=case_id)
    assert (consent.method, consent.contact, consent.note) == ("phone", acme_contact, "11月2日15:10 马建国电话同意关闭")
    assert response.json()["events"][-1]["kind"] == "closure_consented"


def test_another_customers_user_cannot_close_the_case(api, agent, charlie, acme):
    case_id = _resolved_case(api, agent, acme)
    response = api(charlie).post(f"/api/v1/cases/{case_id}/actions/confirm_closure")
    assert response.status_code == 404
    assert Case.objects.get(pk=case_id).status == "resolved"


def test_an_unresolved_case_cannot_be_closed(api, agent, alice, acme):
    case_id = api(agent).post("/api/v1/cases", new_case_payload(acme)).json()["id"]
    response = api(alice).post(f"/api/v1/cases/{case_id}/actions/confirm_closure")
    assert response.status_code == 409
    assert not ClosureConsent.objects.exists()


def test_the_customer_may_reopen_but_not_work_the_case(api, agent, alice, acme):
    case_id = _resolved_case(api, agent, acme)
    customer = api(alice)
    assert customer.post(f"/api/v1/cases/{case_id}/actions/reopen", {"reason": "又坏了"}).status_code == 200
    refused = customer.post(f"/api/v1/cases/{case_id}/actions/resolve", {"resolution": "自己修好"})
    assert refused.status_code == 403
    assert Case.objects.get(pk=case_id).status == "in_progress"
