from __future__ import annotations

import logging

import pytest
import time_machine

from aftersales.cases.models import Case, CaseClock, CaseEvent
from aftersales.cases.tests.helpers import at, clock, new_case_payload

pytestmark = pytest.mark.django_db


def test_a_p1_on_a_diamond_contract_filed_before_midnight_is_due_for_response_after_midnight(
    api, agent, acme, diamond_contract
):
    # given
    client = api(agent)
    # when
    with time_machine.travel(at("2026-09-30 23:50"), tick=False):
        response = client.post("/api/v1/cases", new_case_payload(acme))
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["severity"] == "P1"
    assert body["policy"] == "diamond"
    assert clock(body, "first_response")["due_at"] == "2026-10-01T00:20:00+08:00"
    assert clock(body, "on_site")["due_at"] == "2026-10-01T03:50:00+08:00"
    assert clock(body, "resolution")["due_at"] == "2026-10-01T23:50:00+08:00"
    assert clock(body, "restoration")["due_at"] == "2026-10-02T23:50:00+08:00"
    assert clock(body, "first_response")["warn_at"] == "2026-10-01T00:14:00+08:00"
    assert body["next_due_at"] == "2026-10-01T00:20:00+08:00"
    assert [e["kind"] for e in body["events"]] == ["opened"]
    assert response["ETag"] == '"1"'


def test_without_a_contract_the_default_policy_applies(api, agent, acme):
    # given
    client = api(agent)
    # when
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        body = client.post("/api/v1/cases", new_case_payload(acme, impact="limited")).json()
    # then
    assert body["policy"] == "standard"
    assert body["severity"] == "P3"
    assert clock(body, "first_response")["due_at"] == "2026-03-03T10:00:00+08:00"


def test_an_office_hours_contract_counts_only_working_time(api, manager, agent, acme):
    # given: a silver contract (Mon-Fri 09-12, 13-18, CN holidays): P1 response 2 working hours
    api(manager).post("/api/v1/contracts", {
        "number": "HT-S", "customer_id": str(acme.pk), "tier": "silver",
        "starts_on": "2026-01-01", "ends_on": "2026-12-31"})
    # when: filed Friday 2026-09-18 17:30
    with time_machine.travel(at("2026-09-18 17:30"), tick=False):
        body = api(agent).post("/api/v1/cases", new_case_payload(acme)).json()
    # then: 30 min on Friday, 90 min on the adjusted working Sunday 2026-09-20
    assert body["policy"] == "silver"
    assert clock(body, "first_response")["due_at"] == "2026-09-20T10:30:00+08:00"


def test_a_category_with_a_registered_policy_runs_it_unless_staff_choose_one(
        api, manager, agent, acme, diamond_contract, monkeypatch):
    # given: training cases keep the gold policy's promises (registered as an app above would)
    from aftersales.cases import services

    monkeypatch.setattr(services, "_category_policies", {})
    services.register_category_policy("training", "gold")
    # when
    training = api(agent).post("/api/v1/cases", new_case_payload(acme, category="training")).json()
    fault = api(agent).post("/api/v1/cases", new_case_payload(acme)).json()
    chosen = api(manager).post("/api/v1/cases", new_case_payload(acme, category="training", policy="silver")).json()
    # then: the contract stays on each; the policy follows the category, or the manager
    assert (training["policy"], training["contract_id"]) == ("gold", str(diamond_contract.pk))
    assert fault["policy"] == "diamond"
    assert chosen["policy"] == "silver"


def test_non_fault_categories_have_no_on_site_or_restoration_clock(api, agent, acme):
    body = api(agent).post("/api/v1/cases", new_case_payload(acme, category="consultation")).json()
    assert [c["target"] for c in body["clocks"]] == ["first_response", "resolution"]


def test_the_same_idempotency_key_gives_back_the_first_case(api, agent, acme):
    # given
    client = api(agent)
    payload = new_case_payload(acme)
    first = client.post("/api/v1/cases", payload, headers={"Idempotency-Key": "k-1"})
    # when
    second = client.post("/api/v1/cases", payload, headers={"Idempotency-Key": "k-1"})
    # then
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Case.objects.count() == 1
    assert CaseEvent.objects.count() == 1


def test_an_idempotency_key_reused_for_another_request_answers_409(api, agent, acme):
    client = api(agent)
    client.post("/api/v1/cases", new_case_payload(acme), headers={"Idempotency-Key": "k-2"})
    response = client.post("/api/v1/cases", new_case_payload(acme, title="另一个问题"),
                           headers={"Idempotency-Key": "k-2"})
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("override", "status", "field"),
    [
        ({"title": ""}, 422, "title"),
        ({"channel": "pigeon"}, 422, "channel"),
        ({"category": "party"}, 422, "category"),
        ({"impact": "huge"}, 422, "impact"),
        ({"customer_id": "00000000-0000-0000-0000-000000000000"}, 404, None),
        ({"customer_id": "not-a-uuid"}, 422, "customer_id"),
        ({"asset_id": "00000000-0000-0000-0000-000000000000"}, 422, "asset_id"),
        ({"policy": "nope"}, 422, "policy"),
        ({"assignee_id": 999999}, 422, "assignee_id"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_creates_nothing(api, manager, acme, override, status, field):
    response = api(manager).post("/api/v1/cases", new_case_payload(acme, **override))
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert Case.objects.count() == 0
    assert CaseClock.objects.count() == 0


def test_an_asset_of_another_customer_is_refused(api, agent, acme, globex, acme_asset):
    response = api(agent).post("/api/v1/cases", new_case_payload(globex, asset_id=str(acme_asset.pk)))
    assert response.status_code == 422
    assert response.json()["field"] == "asset_id"


def test_a_customer_user_files_for_its_own_organisation(api, alice, acme, acme_asset):
    response = api(alice).post("/api/v1/cases", new_case_payload(acme, channel="web", asset_id=str(acme_asset.pk)))
    assert response.status_code == 201
    assert response.json()["site_id"] == str(acme_asset.site_id)


def test_a_customer_user_cannot_file_for_another_customer(api, charlie, acme):
    response = api(charlie).post("/api/v1/cases", new_case_payload(acme))
    assert response.status_code == 404
    assert Case.objects.count() == 0


@pytest.mark.parametrize(("field", "value"), [("severity", "P1"), ("policy", "diamond"), ("assignee_id", 1)])
def test_a_customer_user_cannot_set_what_staff_decide(api, alice, acme, field, value):
    response = api(alice).post("/api/v1/cases", new_case_payload(acme, **{field: value}))
    assert response.status_code == 403
    assert response.json()["field"] == field
    assert Case.objects.count() == 0


def test_without_a_token_the_api_answers_401(api, acme):
    response = api(None).post("/api/v1/cases", new_case_payload(acme))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_case_numbers_are_unique_and_readable(api, agent, acme):
    client = api(agent)
    with time_machine.travel(at("2026-11-24 09:00"), tick=False):
        numbers = [client.post("/api/v1/cases", new_case_payload(acme)).json()["number"] for _ in range(3)]
    assert len(set(numbers)) == 3
    assert all(n.startswith("AS261124-") for n in numbers)


def test_personal_data_never_reaches_the_logs(api, agent, acme, acme_contact, caplog):
    # given
    caplog.set_level(logging.DEBUG)
    logging.getLogger("aftersales.test").warning("contact %s at %s", acme_contact.phone, acme_contact.email)
    api(agent).post("/api/v1/cases", new_case_payload(acme, contact_id=str(acme_contact.pk)))
    # then
    from aftersales.core.logging import PersonalDataFilter

    handler_filter = PersonalDataFilter()
    for record in caplog.records:
        handler_filter.filter(record)
        assert "13899100001" not in record.getMessage()
        assert "ma@acme.invalid" not in record.getMessage()
