from __future__ import annotations

import pytest
import time_machine

from aftersales.cases import services
from aftersales.cases.models import Case, CaseEvent, Status
from aftersales.cases.tests.helpers import at, new_case_payload
from aftersales.cases.transitions import TRANSITIONS

pytestmark = pytest.mark.django_db

ACTION_PAYLOADS = {
    "acknowledge": {}, "respond": {"message": "收到"}, "assign": None, "escalate": {"reason": "难"},
    "wait_on_customer": {"reason": "等资料"}, "resume": {}, "check_in": {"note": "到场"},
    "resolve": {"resolution": "更换板卡"}, "restore": {"note": "已恢复"},
    "agree_deadline": {"target": "resolution", "due_at": "2026-12-30T12:00:00+08:00", "reason": "返厂"},
    "confirm_closure": {"note": "客户电话同意关闭"}, "reopen": {"reason": "复发"},
    "note": {"note": "已联系厂家"}, "customer_reply": {"message": "资料已发送"},
}

# How to bring a fresh case into each status, as a list of (action, payload).
PATHS = {
    Status.NEW: [],
    Status.ACKNOWLEDGED: [("acknowledge", {})],
    Status.IN_PROGRESS: [("acknowledge", {}), ("check_in", {})],
    Status.WAITING_ON_CUSTOMER: [("acknowledge", {}), ("wait_on_customer", {"reason": "x"})],
    Status.RESOLVED: [("acknowledge", {}), ("resolve", {"resolution": "ok"})],
    Status.CLOSED: [("acknowledge", {}), ("resolve", {"resolution": "ok"}),
                    ("confirm_closure", {"note": "电话同意"})],
}


def _case_in(client, acme, status):
    case_id = client.post("/api/v1/cases", new_case_payload(acme)).json()["id"]
    for action, payload in PATHS[status]:
        response = client.post(f"/api/v1/cases/{case_id}/actions/{action}", payload)
        assert response.status_code == 200, response.content
    return case_id


@pytest.mark.parametrize("status", list(PATHS))
# explain_breach needs a missed target first: aftersales/emergencies/tests covers it.
@pytest.mark.parametrize("action", [a for a in TRANSITIONS if a != "explain_breach"])
def test_every_action_follows_the_transition_table_in_every_status(api, agent, acme, status, action):
    # given
    client = api(agent)
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        case_id = _case_in(client, acme, status)
        payload = ACTION_PAYLOADS[action] or {"assignee_id": agent.pk}
        events_before = CaseEvent.objects.filter(case_id=case_id).count()
        # when
        response = client.post(f"/api/v1/cases/{case_id}/actions/{action}", payload)
    # then
    case = Case.objects.get(pk=case_id)
    if status in TRANSITIONS[action]:
        assert response.status_code == 200, response.content
        assert case.status == TRANSITIONS[action][status]
        # A customer's reply to a case waiting on them also records the resumption.
        added = 2 if (action, status) == ("customer_reply", "waiting_on_customer") else 1
        assert CaseEvent.objects.filter(case_id=case_id).count() == events_before + added
    else:
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "invalid_transition"
        assert str(Status(status).label) in response.json()["detail"]
        assert case.status == status
        assert CaseEvent.objects.filter(case_id=case_id).count() == events_before


def test_escalation_goes_level_by_level_and_stops_at_the_experts(api, agent, acme):
    client = api(agent)
    case_id = client.post("/api/v1/cases", new_case_payload(acme)).json()["id"]
    levels = [client.post(f"/api/v1/cases/{case_id}/actions/escalate", {"reason": "难题"}).json()["escalation_level"]
              for _ in range(2)]
    refused = client.post(f"/api/v1/cases/{case_id}/actions/escalate", {"reason": "再升"})
    assert levels == [2, 3]
    assert refused.status_code == 409
    assert refused.json()["code"] == "max_escalation"


@pytest.mark.parametrize(
    ("action", "payload", "field"),
    [("resolve", {}, "resolution"), ("escalate", {}, "reason"), ("reopen", {}, "reason"),
     ("assign", {}, "assignee_id"), ("agree_deadline", {"target": "resolution", "reason": "x"}, "due_at"),
     ("agree_deadline", {"target": "resolution", "due_at": "2026-12-01T00:00:00+08:00"}, "reason")],
)
def test_actions_missing_their_input_are_refused_naming_the_field(api, agent, acme, action, payload, field):
    client = api(agent)
    case_id = client.post("/api/v1/cases", new_case_payload(acme)).json()["id"]
    client.post(f"/api/v1/cases/{case_id}/actions/acknowledge")
    before = Case.objects.get(pk=case_id).version
    response = client.post(f"/api/v1/cases/{case_id}/actions/{action}", payload)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert Case.objects.get(pk=case_id).version == before


def test_an_unknown_action_is_refused(api, agent, acme):
    client = api(agent)
    case_id = client.post("/api/v1/cases", new_case_payload(acme)).json()["id"]
    assert client.post(f"/api/v1/cases/{case_id}/actions/explode").status_code == 422


def test_the_transition_table_only_names_real_statuses():
    for table in TRANSITIONS.values():
        assert set(table) <= set(Status.values)
        assert set(table.values()) <= set(Status.values)
    assert services.CUSTOMER_ACTIONS <= set(TRANSITIONS)


def test_a_customer_reply_to_a_case_waiting_on_them_restarts_the_clocks(api, agent, alice, acme):
    client = api(agent)
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        case_id = _case_in(client, acme, "waiting_on_customer")
    with time_machine.travel(at("2026-11-02 12:00"), tick=False):
        response = api(alice).post(f"/api/v1/cases/{case_id}/actions/customer_reply", {"message": "照片见附件"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_progress"
    assert [e["kind"] for e in body["events"][-2:]] == ["customer_replied", "resumed"]
    assert all(c["state"] != "paused" for c in body["clocks"])


def test_internal_notes_are_for_staff_only_and_empty_ones_are_refused(api, agent, alice, acme):
    case_id = api(agent).post("/api/v1/cases", new_case_payload(acme)).json()["id"]
    assert api(alice).post(f"/api/v1/cases/{case_id}/actions/note", {"note": "x"}).status_code == 403
    response = api(agent).post(f"/api/v1/cases/{case_id}/actions/note", {"note": "  "})
    assert (response.status_code, response.json()["field"]) == (422, "note")
    assert api(agent).post(f"/api/v1/cases/{case_id}/actions/note", {"note": "厂家说周三到货"}).status_code == 200


def test_an_assignment_mails_the_assignee_unless_they_took_the_case_themselves(agent, manager, acme, make_user):
    from aftersales.cases import services
    from aftersales.notifications.models import OutboxMessage

    engineer = make_user("engineer-mail", "engineer")
    for user, address in ((agent, "agent@example.invalid"), (engineer, "engineer@example.invalid")):
        user.email = address
        user.save(update_fields=["email"])
    case, _created = services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                        title="断电")
    # when: the agent takes it, then the manager hands it to the engineer
    services.case_assign(actor=agent, case_id=case.pk, assignee_id=agent.pk)
    services.case_assign(actor=manager, case_id=case.pk, assignee_id=engineer.pk)
    # then: one mail, to the engineer
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == ["engineer@example.invalid"]
