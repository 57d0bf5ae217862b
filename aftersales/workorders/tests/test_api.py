from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.workorders.models import WorkOrder, WorkOrderStatus
from aftersales.workorders.tests.factories import open_case, work_order_in

pytestmark = pytest.mark.django_db


def _create(client, case, **overrides):
    payload = {"case_id": str(case.pk), "kind": "repair", "summary": "更换天线", **overrides}
    return client.post("/api/v1/work-orders", payload, headers=overrides.pop("headers", None))


def test_dispatch_walk_through(api, agent, bob, case):
    # given
    staff = api(agent)
    technician = api(bob)
    # when
    created = staff.post("/api/v1/work-orders", {
        "case_id": str(case.pk), "kind": "repair", "technician_id": bob.pk,
        "scheduled_for": "2026-11-02T13:00:00+08:00", "summary": "更换天线"})
    assert created.status_code == 201, created.content
    work_order_id = created.json()["id"]
    url = f"/api/v1/work-orders/{work_order_id}/actions"
    for action, payload in [
        ("start_travel", {}), ("check_in", {"note": "到达北收费站"}),
        ("record", {"diagnosis": "天线板卡损坏", "work_performed": "更换板卡", "result": "fixed",
                    "time_spent_minutes": 40}),
        ("complete", {}),
    ]:
        response = technician.post(f"{url}/{action}", payload)
        assert response.status_code == 200, (action, response.content)
    # then
    body = response.json()
    assert body["status"] == "work_done"
    assert (body["diagnosis"], body["result"], body["time_spent_minutes"]) == ("天线板卡损坏", "fixed", 40)
    assert body["scheduled_for"] == "2026-11-02T13:00:00+08:00"
    assert body["case_number"] == case.number
    assert [e["kind"] for e in body["events"]] == [
        "created", "assigned", "travel_started", "checked_in", "recorded", "completed"]
    assert response["ETag"] == f'"{body["version"]}"'


def test_a_retried_post_with_the_same_idempotency_key_creates_one(api, agent, case):
    client = api(agent)
    payload = {"case_id": str(case.pk), "kind": "repair"}
    first = client.post("/api/v1/work-orders", payload, headers={"Idempotency-Key": "retry-1"})
    second = client.post("/api/v1/work-orders", payload, headers={"Idempotency-Key": "retry-1"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert WorkOrder.objects.count() == 1
    reused = client.post("/api/v1/work-orders", {**payload, "kind": "inspection"},
                         headers={"Idempotency-Key": "retry-1"})
    assert (reused.status_code, reused.json()["code"]) == (409, "idempotency_key_reused")


@pytest.mark.parametrize(("payload", "field"), [
    ({"kind": "painting"}, "kind"),
    ({"scheduled_for": "tomorrow"}, "scheduled_for"),
    ({"case_id": "not-a-uuid"}, "case_id"),
    ({"technician_id": 999999}, "technician_id"),
    ({"summary": "x" * 5001}, "summary"),
])
def test_create_validation_names_the_field(api, agent, case, payload, field):
    body = {"case_id": str(case.pk), "kind": "repair", **payload}
    response = api(agent).post("/api/v1/work-orders", body)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize(("action", "payload", "field", "status"), [
    ("record", {"result": "magic"}, "result", 422),
    ("record", {"time_spent_minutes": -5}, "time_spent_minutes", 422),
    ("record", {}, "diagnosis", 422),
    ("complete", {}, "diagnosis", 422),
    ("cancel", {"reason": ""}, "reason", 422),
    ("assign", {}, "technician_id", 422),
])
def test_action_validation_names_the_field(api, agent, bob, case, action, payload, field, status):
    work_order = work_order_in(WorkOrderStatus.TRAVELLING, actor=agent, case=case, technician=bob)
    client = api(agent)
    if action in ("record", "complete"):
        client.post(f"/api/v1/work-orders/{work_order.pk}/actions/check_in", {})
    before = WorkOrder.objects.get(pk=work_order.pk)
    response = client.post(f"/api/v1/work-orders/{work_order.pk}/actions/{action}", payload)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    after = WorkOrder.objects.get(pk=work_order.pk)
    assert (after.status, after.version) == (before.status, before.version)


def test_a_forbidden_transition_answers_409_naming_state_and_action(api, agent, bob, case):
    work_order = work_order_in(WorkOrderStatus.SCHEDULED, actor=agent, case=case, technician=bob)
    response = api(agent).post(f"/api/v1/work-orders/{work_order.pk}/actions/complete", {})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_transition"
    assert body["detail"] == "派工单当前为“已派工”，不能执行“完工”；仅在以下状态可以：已到场"


def test_an_unknown_action_is_a_validation_error(api, agent, bob, case):
    work_order = work_order_in(WorkOrderStatus.SCHEDULED, actor=agent, case=case, technician=bob)
    response = api(agent).post(f"/api/v1/work-orders/{work_order.pk}/actions/teleport", {})
    assert response.status_code == 422
    assert response.json()["field"] == "action"


def test_the_list_filters_by_case_technician_status_and_mine(api, agent, bob, manager, acme, case):
    other_case = open_case(agent, acme)
    bobs = work_order_in(WorkOrderStatus.TRAVELLING, actor=agent, case=case, technician=bob)
    managers = work_order_in(WorkOrderStatus.SCHEDULED, actor=agent, case=other_case, technician=manager)
    client = api(bob)

    def ids(query):
        response = client.get(f"/api/v1/work-orders{query}")
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert set(ids("")) == {str(bobs.pk), str(managers.pk)}
    assert ids("?mine=true") == [str(bobs.pk)]
    assert ids(f"?technician={manager.pk}") == [str(managers.pk)]
    assert ids(f"?case={case.pk}") == [str(bobs.pk)]
    assert ids("?status=scheduled") == [str(managers.pk)]
    page = client.get("/api/v1/work-orders?limit=1").json()
    assert (len(page["items"]), page["next_offset"]) == (1, 1)
    assert client.get("/api/v1/work-orders?status=lost").json()["field"] == "status"


def test_the_list_reads_a_fixed_number_of_queries(api, agent, bob, acme, case):
    for _ in range(5):
        work_order_in(WorkOrderStatus.SCHEDULED, actor=agent, case=case, technician=bob)
    client = api(agent)
    client.get("/api/v1/work-orders")  # warm the token cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/work-orders")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 5
    list_queries = [q for q in queries.captured_queries if "workorders_workorder" in q["sql"]]
    assert len(list_queries) == 1
    assert len(queries.captured_queries) <= 4
