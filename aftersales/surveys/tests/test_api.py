"""The surveys API: the link without authentication, staff reads, customers scoped (404 for
another organisation's), questionnaires and return visits by role."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.cases.models import Case
from aftersales.notifications.models import OutboxMessage
from aftersales.surveys.models import ReturnVisit, Survey, SurveyTemplate
from aftersales.surveys.tests.factories import ALL_FIVE, closed_case, link_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(agent, acme, acme_contact):
    closed_case(agent, acme, contact=acme_contact, title="收费车道无法交易")
    return Survey.objects.get()


def _token(survey):
    return link_token(OutboxMessage.objects.get(key=f"survey-link:{survey.pk}").body)


def test_the_link_shows_the_case_number_and_title_only_without_authentication(api, survey):
    response = api(None).get(f"/api/v1/surveys/link/{_token(survey)}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["case_number"], body["case_title"]) == (survey.case.number, "收费车道无法交易")
    assert set(body) == {"case_number", "case_title", "expires_at", "intro", "questions"}
    assert [q["code"] for q in body["questions"]] == [
        "response_speed", "professionalism", "result", "attitude", "comments"]


def test_the_link_answers_once_409_then_and_404_for_a_wrong_token(api, survey):
    anonymous = api(None)
    token = _token(survey)
    first = anonymous.post(f"/api/v1/surveys/link/{token}/answers", {"answers": {**ALL_FIVE, "attitude": 1}})
    assert first.status_code == 201, first.content
    assert first.json()["is_low_score"] is True
    again = anonymous.post(f"/api/v1/surveys/link/{token}/answers", {"answers": ALL_FIVE})
    assert again.status_code == 409
    assert again.json()["code"] == "survey_answered"
    assert anonymous.get(f"/api/v1/surveys/link/{token}").status_code == 409
    assert anonymous.get(f"/api/v1/surveys/link/{'A' * 43}").status_code == 404
    assert Case.objects.filter(category="consultation").count() == 1


def test_an_expired_link_answers_410(api, survey):
    Survey.objects.filter(pk=survey.pk).update(expires_at=survey.sent_at - dt.timedelta(seconds=1))
    response = api(None).post(f"/api/v1/surveys/link/{_token(survey)}/answers", {"answers": ALL_FIVE})
    assert response.status_code == 410
    assert response.json()["code"] == "survey_link_expired"


def test_a_bad_rating_names_its_question(api, survey):
    response = api(None).post(f"/api/v1/surveys/link/{_token(survey)}/answers",
                              {"answers": {**ALL_FIVE, "result": 9}})
    assert response.status_code == 422
    assert response.json()["field"] == "answers.result"
    assert Survey.objects.get().answered_at is None


def test_staff_read_results_and_customers_only_their_own(api, survey, agent, alice, charlie):
    api(None).post(f"/api/v1/surveys/link/{_token(survey)}/answers", {"answers": ALL_FIVE})
    staff = api(agent).get(f"/api/v1/surveys/{survey.pk}")
    assert staff.status_code == 200
    assert [a["rating"] for a in staff.json()["answers"][:4]] == [5, 5, 5, 5]
    assert api(alice).get(f"/api/v1/surveys/{survey.pk}").status_code == 200
    assert api(charlie).get(f"/api/v1/surveys/{survey.pk}").status_code == 404
    assert api(charlie).get("/api/v1/surveys").json()["items"] == []
    assert [s["id"] for s in api(alice).get("/api/v1/surveys").json()["items"]] == [str(survey.pk)]
    assert api(None).get("/api/v1/surveys").status_code == 401


def test_the_summary_is_for_staff(api, survey, agent, alice, acme):
    today = dt.date.today()  # noqa: DTZ011 - a window around now
    query = f"customer_id={acme.pk}&start={today - dt.timedelta(days=1)}&end={today + dt.timedelta(days=1)}"
    response = api(agent).get(f"/api/v1/surveys/summary?{query}")
    assert response.status_code == 200
    assert (response.json()["sent"], response.json()["answered"]) == (1, 0)
    assert api(alice).get(f"/api/v1/surveys/summary?{query}").status_code == 403


def test_the_customer_answers_in_the_portal_api_and_another_organisation_gets_404(api, survey, alice, charlie):
    assert api(charlie).post(f"/api/v1/surveys/{survey.pk}/answers", {"answers": ALL_FIVE}).status_code == 404
    response = api(alice).post(f"/api/v1/surveys/{survey.pk}/answers", {"answers": ALL_FIVE})
    assert response.status_code == 201
    assert api(alice).post(f"/api/v1/surveys/{survey.pk}/answers", {"answers": ALL_FIVE}).status_code == 409


QUESTIONS = [{"code": "speed", "label": "响应速度", "kind": "rating"},
             {"code": "again", "label": "是否愿意再次选择我们", "kind": "yes_no"}]


def test_managers_configure_questionnaires_and_assign_them(api, manager, agent, diamond_contract):
    refused = api(agent).post("/api/v1/surveys/templates", {"code": "vip", "name": "VIP 问卷", "questions": QUESTIONS})
    assert refused.status_code == 403
    created = api(manager).post("/api/v1/surveys/templates", {"code": "vip", "name": "VIP 问卷", "questions": QUESTIONS,
                                                             "low_score_threshold": 3})
    assert created.status_code == 201, created.content
    assert [q["kind"] for q in created.json()["questions"]] == ["rating", "yes_no"]
    assigned = api(manager).post("/api/v1/surveys/templates/vip/assignments", {"tier": "diamond"})
    assert assigned.status_code == 201
    assert assigned.json()["tier"] == "diamond"
    both = api(manager).post("/api/v1/surveys/templates/vip/assignments",
                             {"tier": "gold", "contract_id": str(diamond_contract.pk)})
    assert both.status_code == 422
    assert [t["code"] for t in api(agent).get("/api/v1/surveys/templates").json()] == ["default", "vip"]
    default_off = api(manager).patch("/api/v1/surveys/templates/default", {"is_active": False})
    assert default_off.status_code == 409
    assert api(manager).post("/api/v1/surveys/templates/vip/default").json()["is_default"] is True
    assert SurveyTemplate.objects.get(is_default=True).code == "vip"


def test_a_contracts_tier_questionnaire_is_used_for_its_cases(api, manager, agent, acme, acme_contact, diamond_contract):
    api(manager).post("/api/v1/surveys/templates", {"code": "vip", "name": "VIP 问卷", "questions": QUESTIONS})
    api(manager).post("/api/v1/surveys/templates/vip/assignments", {"tier": "diamond"})
    closed_case(agent, acme, contact=acme_contact)
    assert Survey.objects.get().template.code == "vip"


def test_a_used_questionnaires_questions_cannot_change(api, manager, survey):
    response = api(manager).patch("/api/v1/surveys/templates/default", {"questions": QUESTIONS})
    assert response.status_code == 409
    assert response.json()["code"] == "template_in_use"
    assert SurveyTemplate.objects.get(code="default").questions.count() == 5


def test_return_visit_plans_and_visits_by_role(api, manager, agent, alice, acme, diamond_contract):
    payload = {"customer_id": str(acme.pk), "contract_id": str(diamond_contract.pk), "assignee_id": str(agent.pk),
               "starts_on": str(dt.date.today())}  # noqa: DTZ011 - today's period
    assert api(agent).post("/api/v1/surveys/return-visit-plans", payload).status_code == 403
    created = api(manager).post("/api/v1/surveys/return-visit-plans", payload)
    assert created.status_code == 201, created.content
    assert created.json()["frequency"] == "quarterly"
    plan_id = created.json()["id"]
    visits = api(agent).get("/api/v1/surveys/return-visits?mine=true&state=open").json()["items"]
    assert len(visits) == 1
    visit_id = visits[0]["id"]
    assert api(alice).get(f"/api/v1/surveys/return-visits/{visit_id}").status_code == 404
    assert api(alice).get(f"/api/v1/surveys/return-visit-plans/{plan_id}").status_code == 404
    assert api(alice).get("/api/v1/surveys/return-visits").json()["items"] == []
    assert api(alice).post(f"/api/v1/surveys/return-visits/{visit_id}/outcome",
                           {"is_reached": True}).status_code == 404
    recorded = api(agent).post(f"/api/v1/surveys/return-visits/{visit_id}/outcome",
                               {"is_reached": True, "satisfaction": 5, "notes": "满意"})
    assert recorded.status_code == 200
    assert (recorded.json()["status"], recorded.json()["satisfaction"]) == ("done", 5)
    again = api(agent).post(f"/api/v1/surveys/return-visits/{visit_id}/outcome", {"is_reached": True})
    assert again.status_code == 409
    stopped = api(manager).patch(f"/api/v1/surveys/return-visit-plans/{plan_id}", {"is_active": False})
    assert stopped.json()["is_active"] is False
    assert ReturnVisit.objects.get().status == "done"


def test_the_survey_list_reads_a_fixed_number_of_queries(api, agent, acme, acme_contact, django_assert_num_queries):
    for number in range(5):
        closed_case(agent, acme, contact=acme_contact, title=f"故障 {number}")
    client = api(agent)
    client.get("/api/v1/surveys")  # warm the token cache
    # the token's user is remembered: one query for the page (case, template, follow-up joined)
    with django_assert_num_queries(1):
        response = client.get("/api/v1/surveys?limit=50")
    assert len(response.json()["items"]) == 5


def test_the_return_visit_list_reads_a_fixed_number_of_queries(api, manager, agent, acme,
                                                               django_assert_num_queries):
    api(manager).post("/api/v1/surveys/return-visit-plans", {
        "customer_id": str(acme.pk), "frequency": "monthly", "assignee_id": agent.pk, "starts_on": "2026-01-01"})
    client = api(agent)
    client.get("/api/v1/surveys/return-visits")
    with django_assert_num_queries(1):
        response = client.get("/api/v1/surveys/return-visits?limit=50")
    assert len(response.json()["items"]) >= 10
