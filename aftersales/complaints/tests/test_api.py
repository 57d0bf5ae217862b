from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from aftersales.accounts.models import User
from aftersales.complaints.models import Complaint, CorrectiveAction

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints"
FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()  # noqa: DTZ011 - a date in the future


def test_a_customer_files_a_complaint_and_reads_only_its_own(
        api: Callable[..., Any], acme: Any, globex: Any, alice: User, charlie: User) -> None:
    # when
    response = api(alice).post(URL, {"customer_id": str(acme.pk), "title": "维修后又坏了"},
                               headers={"Idempotency-Key": "a1"})
    again = api(alice).post(URL, {"customer_id": str(acme.pk), "title": "维修后又坏了"},
                            headers={"Idempotency-Key": "a1"})
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["severity"], body["case_status"], body["actions"]) == ("general", "new", [])
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert api(alice).get(f"{URL}/{body['id']}").status_code == 200
    assert api(charlie).get(f"{URL}/{body['id']}").status_code == 404
    assert api(charlie).get(URL).json()["items"] == []
    assert [c["id"] for c in api(alice).get(URL).json()["items"]] == [body["id"]]
    other = api(charlie).post(URL, {"customer_id": str(acme.pk), "title": "x"})
    assert other.status_code == 404
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("bob", 403), ("agent", 200), ("manager", 200)])
def test_root_cause_is_staffs(api: Callable[..., Any], acme: Any, agent: User, request: Any, who: str,
                              status: int) -> None:
    complaint = api(agent).post(URL, {"customer_id": str(acme.pk), "title": "响应慢"}).json()
    response = api(request.getfixturevalue(who)).put(f"{URL}/{complaint['id']}/root-cause",
                                                     {"category": "response_delay", "text": "夜间无人值守"})
    assert response.status_code == status, response.content
    saved = Complaint.objects.get(pk=complaint["id"])
    assert saved.root_cause_category == ("response_delay" if status == 200 else "")


def test_actions_are_added_completed_and_verified_through_the_api(
        api: Callable[..., Any], acme: Any, agent: User, bob: User, manager: User, alice: User) -> None:
    complaint = api(agent).post(URL, {"customer_id": str(acme.pk), "title": "响应慢"}).json()
    added = api(agent).post(f"{URL}/{complaint['id']}/actions", {
        "kind": "preventive", "description": "增加夜班", "owner_id": str(bob.pk), "due_on": FUTURE})
    assert added.status_code == 201, added.content
    action_id = added.json()["id"]
    assert api(alice).post(f"{URL}/actions/{action_id}/complete", {}).status_code == 404
    assert api(bob).post(f"{URL}/actions/{action_id}/verify", {}).status_code == 403
    assert api(bob).post(f"{URL}/actions/{action_id}/complete", {"note": "已排班"}).json()["status"] == "done"
    verified = api(manager).post(f"{URL}/actions/{action_id}/verify", {"accepted": True})
    assert verified.json()["status"] == "verified"
    assert api(manager).post(f"{URL}/actions/{action_id}/verify", {}).status_code == 409
    detail = api(alice).get(f"{URL}/{complaint['id']}").json()
    assert [a["status"] for a in detail["actions"]] == ["verified"]
    assert CorrectiveAction.objects.get().verified_by == manager


def test_trend_counts_and_evaluations_are_for_staff(api: Callable[..., Any], acme: Any, agent: User,
                                                      alice: User) -> None:
    api(agent).post(URL, {"customer_id": str(acme.pk), "title": "响应慢"})
    api(agent).post(URL, {"customer_id": str(acme.pk), "title": "又响应慢"})
    today = dt.date.today()  # noqa: DTZ011
    period = f"start={(today - dt.timedelta(days=40)).isoformat()}&end={(today + dt.timedelta(days=2)).isoformat()}"
    trend = api(agent).get(f"{URL}/trend?{period}")
    assert trend.status_code == 200
    assert trend.json()["total"] == 2
    assert trend.json()["repeat_customers"][0]["count"] == 2
    counts = api(agent).get(f"{URL}/counts?{period}").json()
    assert (counts["filed"], counts["open"], counts["closed"], counts["by_root_cause"]) == (2, 2, 0, {"": 2})
    assert api(agent).get(f"{URL}/evaluations").status_code == 200
    assert api(agent).get(f"{URL}/evaluations/compute?{period}").status_code == 200
    for path in ("trend", "counts", "evaluations", "evaluations/compute"):
        assert api(alice).get(f"{URL}/{path}?{period}").status_code == 403
    assert api(agent).get(f"{URL}/trend?start=2026-03-01&end=2026-02-01").status_code == 422
