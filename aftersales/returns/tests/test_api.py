from __future__ import annotations

import pytest
import time_machine

from aftersales.returns.models import ReturnRequest
from aftersales.returns.tests.conftest import at

pytestmark = pytest.mark.django_db

BASE = "/api/v1/returns"


def _file(client, asset, **kw):
    body = {"asset_id": str(asset.pk), "kind": "return", "reason": "不想要了", **kw}
    return client.post(BASE, body)


def test_a_customer_files_and_lists_its_own_requests(api, alice, charlie, obu):
    created = api(alice).post(BASE, {"asset_id": str(obu.pk), "kind": "exchange", "reason": "屏幕坏点",
                                     "is_quality_fault": True}, headers={"Idempotency-Key": "r-1"})
    again = api(alice).post(BASE, {"asset_id": str(obu.pk), "kind": "exchange", "reason": "屏幕坏点",
                                   "is_quality_fault": True}, headers={"Idempotency-Key": "r-1"})
    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json()["id"] == again.json()["id"]
    assert ReturnRequest.objects.count() == 1
    assert [i["id"] for i in api(alice).get(BASE).json()["items"]] == [created.json()["id"]]
    assert api(charlie).get(BASE).json()["items"] == []


def test_another_organisations_asset_and_request_answer_404(api, alice, charlie, obu):
    assert _file(api(charlie), obu).status_code == 404
    request_id = _file(api(alice), obu).json()["id"]
    assert api(charlie).get(f"{BASE}/{request_id}").status_code == 404
    assert api(charlie).post(f"{BASE}/{request_id}/decision", {}).status_code == 404
    assert api(charlie).get(f"{BASE}/policy-check?asset_id={obu.pk}&kind=return").status_code == 404
    assert ReturnRequest.objects.get().status == "requested"


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "refund"}, "kind"),
    ({"reason": ""}, "reason"),
])
def test_invalid_requests_name_the_field(api, alice, obu, body, field):
    response = _file(api(alice), obu, **body)
    assert response.status_code == 422
    assert response.json()["field"] == field


@time_machine.travel(at("2026-03-08 10:00"), tick=False)
def test_the_whole_flow_over_the_api(api, agent, alice, obu, depot, part):
    request_id = _file(api(alice), obu, is_quality_fault=True).json()["id"]
    staff = api(agent)
    decided = staff.post(f"{BASE}/{request_id}/decision", {})
    assert (decided.status_code, decided.json()["decision"]) == (200, "approved")
    received = staff.post(f"{BASE}/{request_id}/receive", {"depot_id": str(depot.pk), "part_id": str(part.pk)})
    assert (received.status_code, received.json()["status"]) == (200, "received")
    assert received.json()["stock_movement_id"] is not None
    done = staff.post(f"{BASE}/{request_id}/complete", {"solution": "已退款"})
    assert (done.status_code, done.json()["status"]) == (200, "completed")
    again = staff.post(f"{BASE}/{request_id}/complete", {"solution": "已退款"})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


def test_a_customer_may_not_decide_its_own_request(api, alice, obu):
    request_id = _file(api(alice), obu).json()["id"]
    assert api(alice).post(f"{BASE}/{request_id}/decision", {}).status_code == 403
    assert ReturnRequest.objects.get().status == "requested"


def test_receiving_into_an_unknown_depot_names_the_field(api, agent, alice, obu, part):
    request_id = _file(api(alice), obu).json()["id"]
    response = api(agent).post(f"{BASE}/{request_id}/receive",
                               {"depot_id": "00000000-0000-4000-8000-000000000000", "part_id": str(part.pk)})
    assert (response.status_code, response.json()["field"]) == (422, "depot_id")


def test_the_policy_check_endpoint_explains_the_answer(api, alice, obu):
    response = api(alice).get(f"{BASE}/policy-check?asset_id={obu.pk}&kind=return&on=2026-03-09")
    assert response.status_code == 200
    assert (response.json()["eligible"], response.json()["reasons"]) == (False, ["window_passed", "not_quality_fault"])


def test_only_managers_set_the_policy(api, agent, manager):
    assert api(agent).post(f"{BASE}/policies", {"window_days": 10}).status_code == 403
    response = api(manager).post(f"{BASE}/policies", {"window_days": 10})
    assert (response.status_code, response.json()["window_days"]) == (200, 10)


def test_the_list_pins_its_queries(api, alice, obu, django_assert_max_num_queries):
    for _ in range(3):
        _file(api(alice), obu)
    client = api(alice)
    with django_assert_max_num_queries(6):
        response = client.get(BASE)
    assert len(response.json()["items"]) == 3
