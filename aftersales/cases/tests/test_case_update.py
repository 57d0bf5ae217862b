from __future__ import annotations

import pytest

from aftersales.cases.models import Case, CaseEvent
from aftersales.cases.tests.helpers import new_case_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(api, agent, acme):
    return api(agent).post("/api/v1/cases", new_case_payload(acme)).json()


def test_an_edit_with_the_current_etag_applies_and_records_an_event(api, agent, case):
    response = api(agent).patch(f"/api/v1/cases/{case['id']}", {"title": "3号车道RSU故障"},
                                headers={"If-Match": '"1"'})
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert response.json()["title"] == "3号车道RSU故障"
    assert response.json()["events"][-1]["data"] == {"before": {"title": "收费车道无法交易"},
                                                     "after": {"title": "3号车道RSU故障"}}


def test_a_stale_etag_answers_412_and_changes_nothing(api, agent, case):
    client = api(agent)
    client.post(f"/api/v1/cases/{case['id']}/actions/acknowledge")
    response = client.patch(f"/api/v1/cases/{case['id']}", {"title": "覆盖"}, headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert response.json()["code"] == "stale_version"
    stored = Case.objects.get(pk=case["id"])
    assert (stored.title, stored.version) == ("收费车道无法交易", 2)


def test_an_edit_without_if_match_is_refused(api, agent, case):
    response = api(agent).patch(f"/api/v1/cases/{case['id']}", {"title": "x"})
    assert response.status_code == 422
    assert response.json()["field"] == "If-Match"


def test_a_customer_user_cannot_override_the_severity(api, alice, case):
    response = api(alice).patch(f"/api/v1/cases/{case['id']}", {"severity": "P1"}, headers={"If-Match": '"1"'})
    assert response.status_code == 403
    assert response.json()["field"] == "severity"
    assert Case.objects.get(pk=case["id"]).version == 1


def test_a_customer_user_may_correct_the_description(api, alice, case):
    response = api(alice).patch(f"/api/v1/cases/{case['id']}", {"description": "补充：3号车道"},
                                headers={"If-Match": '"1"'})
    assert response.status_code == 200


def test_an_edit_that_changes_nothing_records_nothing(api, agent, case):
    api(agent).patch(f"/api/v1/cases/{case['id']}", {"title": case["title"]}, headers={"If-Match": '"1"'})
    assert CaseEvent.objects.filter(case_id=case["id"]).count() == 1


def test_an_agent_cannot_change_the_policy_but_a_dispatcher_can(api, agent, make_user, case):
    refused = api(agent).patch(f"/api/v1/cases/{case['id']}", {"policy": "gold"}, headers={"If-Match": '"1"'})
    dispatcher = make_user("disp", "dispatcher")
    allowed = api(dispatcher).patch(f"/api/v1/cases/{case['id']}", {"policy": "gold"}, headers={"If-Match": '"1"'})
    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert allowed.json()["policy"] == "gold"
