from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.parts import services
from aftersales.parts.models import Stock, StockMovement
from aftersales.parts.tests.factories import make_part, stock_of

pytestmark = pytest.mark.django_db
BASE = "/api/v1/parts"


def _issue(depot, part, work_order, quantity=1):
    return {
        "depot_id": str(depot.pk),
        "part_id": str(part.pk),
        "work_order_id": str(work_order.pk),
        "quantity": quantity,
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/depots"),
        ("get", "/parts"),
        ("get", "/movements"),
        ("get", "/requests"),
        ("get", "/suggestions"),
    ],
)
def test_customer_users_never_see_stock(api, alice, method, path):
    response = getattr(api(alice), method)(BASE + path)
    assert response.status_code == 403
    assert response.json()["code"] == "role_forbidden"


def test_a_customer_user_cannot_issue_parts_and_nothing_moves(
    api, alice, agent, depot, part, work_order
):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=3)
    response = api(alice).post(BASE + "/movements/issue", _issue(depot, part, work_order))
    assert response.status_code == 403
    assert stock_of(depot, part) == (3, 0, 0)


def test_staff_create_depots_and_parts_and_list_them(api, manager):
    client = api(manager)
    depot = client.post(
        BASE + "/depots",
        {
            "code": "gz-1",
            "name": "广州备件库",
            "region": "华南",
            "latitude": "23.129110",
            "longitude": "113.264385",
        },
    )
    assert depot.status_code == 201, depot.json()
    part = client.post(
        BASE + "/parts",
        {
            "code": "PSU-48V",
            "name": "48V 电源模块",
            "kind": "non_regular",
            "unit_cost": "300.00",
            "sale_price": "520.00",
            "reorder_point": 2,
            "reorder_quantity": 4,
        },
    )
    assert part.status_code == 201, part.json()
    assert client.get(BASE + "/depots").json()["items"][0]["code"] == "gz-1"
    listed = client.get(BASE + "/parts?q=电源&kind=non_regular").json()
    assert [p["code"] for p in listed["items"]] == ["PSU-48V"]
    assert listed["next_offset"] is None
    assert client.post(BASE + "/parts", {"code": "PSU-48V", "name": "重复"}).status_code == 409


def test_an_engineer_may_not_define_parts(api, bob):
    assert api(bob).post(BASE + "/parts", {"code": "X-1", "name": "某备件"}).status_code == 403


def test_a_validation_error_names_the_field(api, agent, depot, part, work_order):
    response = api(agent).post(
        BASE + "/movements/issue", _issue(depot, part, work_order, quantity=0)
    )
    assert response.status_code == 422
    assert response.json()["field"] == "quantity"
    response = api(agent).post(
        BASE + "/movements/issue",
        {**_issue(depot, part, work_order), "depot_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert (response.status_code, response.json()["field"]) == (422, "depot_id")


def test_insufficient_stock_is_a_409_naming_part_depot_and_available(
    api, agent, depot, part, work_order
):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=2)
    response = api(agent).post(
        BASE + "/movements/issue", _issue(depot, part, work_order, quantity=3)
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert body["detail"] == "备件 RSU-ANT-01 在备件库 bj-1 的可用数量为 2，不足 3"
    assert stock_of(depot, part) == (2, 0, 0)


def test_an_issue_retried_with_its_idempotency_key_returns_the_first_result(
    api, agent, depot, part, work_order
):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    client = api(agent)
    headers = {"Idempotency-Key": "issue-7f3a"}
    first = client.post(
        BASE + "/movements/issue", _issue(depot, part, work_order, 2), headers=headers
    )
    retry = client.post(
        BASE + "/movements/issue", _issue(depot, part, work_order, 2), headers=headers
    )
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["movements"] == first.json()["movements"]
    assert retry.json()["replayed"] is True
    assert stock_of(depot, part) == (3, 0, 0)
    other = client.post(
        BASE + "/movements/issue", _issue(depot, part, work_order, 1), headers=headers
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"


def test_every_movement_over_http_keeps_the_ledger_balanced(
    api, manager, depot, other_depot, part, work_order
):
    client = api(manager)
    ids = {"depot_id": str(depot.pk), "part_id": str(part.pk)}
    assert client.post(BASE + "/movements/receive", {**ids, "quantity": 10}).status_code == 201
    assert (
        client.post(
            BASE + "/movements/reserve", {**ids, "quantity": 3, "work_order_id": str(work_order.pk)}
        ).status_code
        == 201
    )
    assert (
        client.post(
            BASE + "/movements/release", {**ids, "quantity": 1, "work_order_id": str(work_order.pk)}
        ).status_code
        == 201
    )
    assert (
        client.post(BASE + "/movements/issue", _issue(depot, part, work_order, 2)).status_code
        == 201
    )
    transfer = client.post(
        BASE + "/movements/transfer",
        {
            "from_depot_id": str(depot.pk),
            "to_depot_id": str(other_depot.pk),
            "part_id": str(part.pk),
            "quantity": 4,
        },
    )
    assert transfer.status_code == 201
    assert [m["kind"] for m in transfer.json()["movements"]] == ["transfer_out", "transfer_in"]
    assert (
        client.post(
            BASE + "/movements/return", {**ids, "quantity": 1, "reason": "损坏"}
        ).status_code
        == 201
    )
    no_reason = client.post(BASE + "/movements/adjust", {**ids, "delta": -1, "reason": ""})
    assert (no_reason.status_code, no_reason.json()["field"]) == (422, "reason")
    assert (
        client.post(BASE + "/movements/adjust", {**ids, "delta": -1, "reason": "盘亏"}).status_code
        == 201
    )
    assert stock_of(depot, part) == (3, 0, 1)
    assert client.get(BASE + "/ledger-check").json() == []
    ledger = client.get(BASE + f"/movements?depot_id={depot.pk}&limit=3").json()
    assert [m["kind"] for m in ledger["items"]] == ["adjustment", "faulty_return", "transfer_out"]
    assert ledger["next_offset"] == 3


def test_an_engineer_cannot_adjust_stock(api, bob, depot, part):
    response = api(bob).post(
        BASE + "/movements/adjust",
        {"depot_id": str(depot.pk), "part_id": str(part.pk), "delta": 5, "reason": "盘盈"},
    )
    assert response.status_code == 403
    assert not StockMovement.objects.exists()


def test_depot_stock_is_paginated_filtered_and_its_query_count_pinned(
    api, agent, depot, work_order
):
    for index in range(5):
        part = make_part(code=f"P-{index}", name=f"备件{index}", reorder_point=3)
        services.stock_receive(actor=agent, depot=depot, part=part, quantity=index + 1)
    client = api(agent)
    client.get(BASE + f"/depots/{depot.pk}/stock")  # the token is remembered after one use
    with CaptureQueriesContext(connection) as queries:
        page = client.get(BASE + f"/depots/{depot.pk}/stock?limit=2").json()
    assert [row["part_code"] for row in page["items"]] == ["P-0", "P-1"]
    assert page["next_offset"] == 2
    assert len(queries) <= 4
    low = client.get(BASE + f"/depots/{depot.pk}/stock?below_reorder_point=true").json()
    assert [row["part_code"] for row in low["items"]] == ["P-0", "P-1", "P-2"]
    assert (
        client.get(BASE + "/depots/00000000-0000-0000-0000-000000000000/stock").status_code == 404
    )
    assert Stock.objects.count() == 5


def test_parts_requests_over_http_with_their_clock_state(api, agent, depot, part, work_order):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=1)
    client = api(agent)
    payload = {
        "work_order_id": str(work_order.pk),
        "part_id": str(part.pk),
        "depot_id": str(depot.pk),
        "quantity": 1,
    }
    opened = client.post(BASE + "/requests", payload, headers={"Idempotency-Key": "req-1"})
    assert opened.status_code == 201, opened.json()
    body = opened.json()
    assert (body["status"], body["target_minutes"], body["clock_state"]) == (
        "reserved",
        120,
        "running",
    )
    again = client.post(BASE + "/requests", payload, headers={"Idempotency-Key": "req-1"})
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    delivered = client.post(BASE + f"/requests/{body['id']}/deliver")
    assert (delivered.status_code, delivered.json()["clock_state"]) == (200, "met")
    refused = client.post(BASE + f"/requests/{body['id']}/cancel")
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_transition")
    listed = client.get(BASE + "/requests?status=delivered").json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
    assert client.get(BASE + "/requests/00000000-0000-0000-0000-000000000000").status_code == 404


def test_purchase_suggestions_are_listed_and_decided(api, manager, agent, depot, work_order):
    part = make_part(
        code="FUSE-10A", kind="consumable", name="保险丝", reorder_point=1, reorder_quantity=20
    )
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=2)
    services.stock_issue(actor=agent, depot=depot, part=part, quantity=1, work_order=work_order)
    client = api(manager)
    [suggestion] = client.get(BASE + "/suggestions?status=open").json()["items"]
    assert (suggestion["part_code"], suggestion["suggested_quantity"]) == ("FUSE-10A", 20)
    decided = client.post(BASE + f"/suggestions/{suggestion['id']}/decision", {"status": "ordered"})
    assert decided.json()["status"] == "ordered"
    assert client.get(BASE + "/suggestions?status=open").json()["items"] == []


def test_managers_set_a_contracts_delivery_target(api, manager, diamond_contract):
    response = api(manager).post(
        BASE + "/delivery-targets",
        {"kind": "non_regular", "minutes": 1440, "contract_id": str(diamond_contract.pk)},
    )
    assert response.status_code == 201
    assert services.delivery_target(contract_id=diamond_contract.pk, kind="non_regular") == (
        1440,
        None,
    )
    unknown = api(manager).post(
        BASE + "/delivery-targets", {"kind": "regular", "minutes": 60, "calendar": "nope"}
    )
    assert (unknown.status_code, unknown.json()["field"]) == (422, "calendar")
