"""/api/v1/dispatch: the ranked list and the assignment over HTTP, roles and scoping."""

from __future__ import annotations

import uuid

import pytest

from aftersales.dispatch.tests.factories import make_technician
from aftersales.notifications.models import OutboxMessage
from aftersales.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def near(rsu):
    return make_technician("near", first_name="近工", km_north=10, product_ids=[rsu.pk])


@pytest.fixture
def far(rsu):
    return make_technician("far", first_name="远工", km_north=200, product_categories=["路侧单元"])


def _candidates(case):
    return f"/api/v1/dispatch/cases/{case.pk}/candidates"


def _assign(case):
    return f"/api/v1/dispatch/cases/{case.pk}/assign"


def test_the_candidates_come_with_score_parts_reasons_and_arrival(api, dispatcher, case, near, far):
    # when
    response = api(dispatcher).get(_candidates(case))
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["case_id"], body["case_number"], body["site"], body["region"], body["product"],
            body["product_category"], body["candidates_total"]) == (
        str(case.pk), case.number, "北京北收费站", "北京", "RSU-9 ETC 路侧单元", "路侧单元", 2)
    assert body["on_site_due_at"] == "2026-11-02T14:00:00+08:00"
    first = body["items"][0]
    assert {key: first[key] for key in (
        "rank", "technician_id", "user_id", "username", "name", "skill_match", "proximity",
        "distance_km", "is_on_duty", "open_work_orders", "capacity", "is_at_capacity",
        "travel_minutes", "score", "score_parts")} == {
        "rank": 1, "technician_id": str(near.pk), "user_id": near.user_id, "username": "near",
        "name": "近工", "skill_match": "product", "proximity": "measured", "distance_km": 10.0,
        "is_on_duty": False, "open_work_orders": 0, "capacity": 5, "is_at_capacity": False,
        "travel_minutes": 30, "score": 79.0,
        "score_parts": {"skill": 40.0, "distance": 29.0, "on_duty": 0.0, "load": 10.0},
    }
    assert first["reasons"][0] == "擅长该产品（+40）"
    assert [item["username"] for item in body["items"]] == ["near", "far"]


def test_the_limit_is_honoured(api, dispatcher, case, near, far):
    body = api(dispatcher).get(_candidates(case) + "?limit=1").json()
    assert ([item["username"] for item in body["items"]], body["candidates_total"]) == (["near"], 2)


@pytest.mark.parametrize("limit", ["0", "101", "many"])
def test_a_bad_limit_is_422_naming_the_field(api, dispatcher, case, limit):
    response = api(dispatcher).get(_candidates(case) + f"?limit={limit}")
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


@pytest.mark.parametrize(("role_user", "status"), [
    ("admin", 200), ("manager", 200), ("dispatcher", 200), ("agent", 200),
    ("bob", 403), ("alice", 403), ("charlie", 404),
])
def test_who_may_read_the_candidates(request, api, case, near, role_user, status):
    response = api(request.getfixturevalue(role_user)).get(_candidates(case))
    assert response.status_code == status
    if status == 404:
        assert response.json()["code"] == "case_not_found"


def test_reading_needs_authentication(api, case):
    assert api(None).get(_candidates(case)).status_code == 401


def test_an_unknown_case_is_404(api, dispatcher):
    response = api(dispatcher).get(f"/api/v1/dispatch/cases/{uuid.uuid4()}/candidates")
    assert (response.status_code, response.json()["code"]) == (404, "case_not_found")


def test_assigning_creates_the_work_order_and_notifies_the_technician(api, dispatcher, case, near):
    # when
    response = api(dispatcher).post(_assign(case), {
        "technician_id": str(near.pk), "kind": "repair",
        "scheduled_for": "2026-11-02T11:00:00+08:00", "summary": "更换天线"})
    # then
    assert response.status_code == 201
    body = response.json()
    work_order = WorkOrder.objects.get()
    assert body == {
        "work_order_id": str(work_order.pk), "number": work_order.number, "case_id": str(case.pk),
        "kind": "repair", "status": "scheduled", "technician_id": str(near.pk),
        "technician_user_id": near.user_id, "technician": "近工",
        "scheduled_for": "2026-11-02T11:00:00+08:00", "created": True,
    }
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == ["near@example.invalid"]


def test_the_idempotency_key_makes_a_retry_return_the_first_work_order(api, dispatcher, case, near):
    client = api(dispatcher)
    payload = {"technician_id": str(near.pk)}
    first = client.post(_assign(case), payload, headers={"Idempotency-Key": "assign-1"})
    again = client.post(_assign(case), payload, headers={"Idempotency-Key": "assign-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["work_order_id"] == first.json()["work_order_id"]
    assert again.json()["created"] is False
    assert (WorkOrder.objects.count(), OutboxMessage.objects.count()) == (1, 1)


NEAR = "<near>"  # stands for the near technician's id, unknown when parameters are made


@pytest.mark.parametrize(("payload", "headers", "field"), [
    ({}, {}, "technician_id"),
    ({"technician_id": "not-a-uuid"}, {}, "technician_id"),
    ({"technician_id": "00000000-0000-0000-0000-000000000000"}, {}, "technician_id"),
    ({"technician_id": NEAR, "kind": "visit"}, {}, "kind"),
    ({"technician_id": NEAR, "scheduled_for": "2026-11-02T11:00:00"}, {}, "scheduled_for"),
    ({"technician_id": NEAR, "scheduled_for": "tomorrow"}, {}, "scheduled_for"),
    ({"technician_id": NEAR}, {"Idempotency-Key": "k" * 201}, "Idempotency-Key"),
])
def test_invalid_assignments_are_422_naming_the_field(api, dispatcher, case, near, payload,
                                                     headers, field):
    body = {key: str(near.pk) if value == NEAR else value for key, value in payload.items()}
    response = api(dispatcher).post(_assign(case), body, headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize(("role_user", "status"), [
    ("admin", 201), ("manager", 201), ("dispatcher", 201),
    ("agent", 403), ("bob", 403), ("alice", 403), ("charlie", 404),
])
def test_who_may_assign(request, api, case, near, role_user, status):
    response = api(request.getfixturevalue(role_user)).post(
        _assign(case), {"technician_id": str(near.pk)})
    assert response.status_code == status
    assert WorkOrder.objects.count() == (1 if status == 201 else 0)
    assert OutboxMessage.objects.count() == (1 if status == 201 else 0)
