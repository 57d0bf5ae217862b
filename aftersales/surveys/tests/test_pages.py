"""Console and portal pages of surveys and return visits (Django's test client)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.cases.models import Case
from aftersales.notifications.models import OutboxMessage
from aftersales.surveys import services
from aftersales.surveys.models import ReturnVisit, ReturnVisitPlan, Survey, SurveyTemplate
from aftersales.surveys.tests.factories import ALL_FIVE, closed_case, link_token

pytestmark = pytest.mark.django_db

LOW = {"response_speed": "2", "professionalism": "4", "result": "4", "attitude": "5", "comments": "响应太慢"}


@pytest.fixture
def survey(agent, acme, acme_contact):
    closed_case(agent, acme, contact=acme_contact, title="收费车道无法交易")
    return Survey.objects.get()


def _link(survey):
    return f"/portal/surveys/{link_token(OutboxMessage.objects.get(key=f'survey-link:{survey.pk}').body)}/"


def test_the_link_page_needs_no_sign_in_and_shows_the_case_only(client, survey):
    response = client.get(_link(survey))
    assert response.status_code == 200
    page = response.content.decode()
    assert survey.case.number in page
    assert "收费车道无法交易" in page
    assert "马建国" not in page
    assert "ma@acme.invalid" not in page
    assert "您对我们的响应速度是否满意？" in page


def test_the_link_page_takes_the_answers_then_refuses_reuse_with_409(client, survey):
    link = _link(survey)
    response = client.post(link, LOW)
    assert response.status_code == 200
    assert "感谢您的反馈" in response.content.decode()
    assert Survey.objects.get().follow_up_case is not None
    again = client.get(link)
    assert again.status_code == 409
    assert "只能使用一次" in again.content.decode()
    assert client.post(link, LOW).status_code == 409
    assert Case.objects.filter(category="consultation").count() == 1


def test_the_link_page_refuses_an_expired_link_with_410(client, survey):
    link = _link(survey)
    Survey.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(link)
    assert response.status_code == 410
    assert "已过期" in response.content.decode()
    assert client.post(link, LOW).status_code == 410


def test_an_unknown_link_is_404(client, survey):
    assert client.get("/portal/surveys/" + "x" * 43 + "/").status_code == 404


def test_a_missing_rating_is_shown_at_its_question(client, survey):
    response = client.post(_link(survey), {**LOW, "result": ""})
    assert response.status_code == 422
    assert Survey.objects.get().answered_at is None


def test_the_portal_prompts_and_answers_for_the_organisation(client_for, survey, alice, charlie):
    page = client_for(alice).get("/portal/surveys/")
    assert page.status_code == 200
    assert survey.case.number in page.content.decode()
    assert survey.case.number not in client_for(charlie).get("/portal/surveys/").content.decode()
    assert client_for(charlie).get(f"/portal/surveys/{survey.pk}/answer/").status_code == 404
    answered = client_for(alice).post(f"/portal/surveys/{survey.pk}/answer/", {k: str(v) for k, v in ALL_FIVE.items()})
    assert answered.status_code == 302
    assert Survey.objects.get().answered_by == alice
    assert client_for(alice).get(f"/portal/surveys/{survey.pk}/answer/").status_code == 409


def test_console_results_show_the_summary_and_customers_get_404(client_for, survey, agent, alice):
    services.survey_answer_with_token(token=_link(survey).split("/")[-2], answers={**ALL_FIVE, "attitude": 1})
    page = client_for(agent).get("/console/surveys/")
    assert page.status_code == 200
    body = page.content.decode()
    assert survey.case.number in body
    assert "低分" in body
    detail = client_for(agent).get(f"/console/surveys/{survey.pk}/")
    assert detail.status_code == 200
    assert Survey.objects.get().follow_up_case.number in detail.content.decode()
    for path in ("/console/surveys/", f"/console/surveys/{survey.pk}/", "/console/surveys/templates/",
                 "/console/surveys/return-visits/", "/console/surveys/return-visit-plans/"):
        assert client_for(alice).get(path).status_code == 404


def test_a_manager_creates_a_questionnaire_and_assigns_it(client_for, manager, agent):
    form = {"idempotency_key": "k1", "code": "vip", "name": "VIP 问卷", "intro": "", "low_score_threshold": "2",
            "questions-TOTAL_FORMS": "2", "questions-INITIAL_FORMS": "0", "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "30",
            "questions-0-code": "speed", "questions-0-label": "响应速度", "questions-0-kind": "rating",
            "questions-0-is_required": "on",
            "questions-1-code": "", "questions-1-label": "", "questions-1-kind": "rating"}
    assert client_for(agent).post("/console/surveys/templates/new/", form).status_code == 403
    client = client_for(manager)
    assert client.post("/console/surveys/templates/new/", form).status_code == 302
    assert client.post("/console/surveys/templates/new/", form).status_code == 302  # a double submit
    assert SurveyTemplate.objects.filter(code="vip").count() == 1
    assert client.post("/console/surveys/templates/assign", {"template": "vip", "tier": "gold"}).status_code == 302
    page = client.get("/console/surveys/templates/")
    assert "VIP 问卷" in page.content.decode()
    refused = client.post("/console/surveys/templates/assign", {"template": "vip"})
    assert refused.status_code == 422


def test_a_manager_plans_visits_and_the_agent_records_one(client_for, manager, agent, acme, diamond_contract):
    client = client_for(manager)
    response = client.post("/console/surveys/return-visit-plans/new/", {
        "idempotency_key": "p1", "customer": str(acme.pk), "contract": str(diamond_contract.pk), "frequency": "",
        "assignee": str(agent.pk), "starts_on": timezone.localdate().isoformat()})
    assert response.status_code == 302, response.content.decode()
    plan = ReturnVisitPlan.objects.get()
    assert plan.frequency == "quarterly"
    assert client.get(f"/console/surveys/return-visit-plans/{plan.pk}/").status_code == 200
    assert client.get("/console/surveys/return-visit-plans/").status_code == 200
    mine = client_for(agent).get("/console/surveys/return-visits/")
    visit = ReturnVisit.objects.get()
    assert str(visit.pk) in mine.content.decode()
    refused = client_for(agent).post(f"/console/surveys/return-visits/{visit.pk}/", {
        "version": "1", "is_reached": "no", "satisfaction": "3"})
    assert refused.status_code == 422
    done = client_for(agent).post(f"/console/surveys/return-visits/{visit.pk}/", {
        "version": "1", "is_reached": "yes", "satisfaction": "3", "notes": "希望增加培训",
        "is_follow_up_needed": "on"})
    assert done.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.satisfaction, visit.follow_up_case.category) == ("done", 3, "consultation")
    stopped = client.post(f"/console/surveys/return-visit-plans/{plan.pk}/deactivate", {"version": str(plan.version)})
    assert stopped.status_code == 302
    assert ReturnVisitPlan.objects.get().is_active is False


def test_the_prompt_tag_counts_the_organisations_open_surveys(rf, survey, alice, charlie, agent):
    from django.template import Context, Template

    tag = Template("{% load survey_prompt %}{% open_survey_prompt %}")
    for user, shown in ((alice, True), (charlie, False), (agent, False)):
        request = rf.get("/portal/")
        request.user = user
        html = tag.render(Context({"request": request}))
        assert ("有 1 项已关闭的服务请求等待您的评价" in html) is shown
