from __future__ import annotations

import pytest

from aftersales.cases.models import Case
from aftersales.cases.tests.helpers import new_case_payload

pytestmark = pytest.mark.django_db


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def test_the_queue_lists_open_cases_by_next_due_and_drops_resolved_ones_until_reopened(api, agent, acme):
    client = api(agent)
    p3 = client.post("/api/v1/cases", new_case_payload(acme, impact="limited")).json()  # due later
    p1 = client.post("/api/v1/cases", new_case_payload(acme, impact="outage")).json()  # due first
    assert _numbers(client.get("/api/v1/cases")) == [p1["number"], p3["number"]]

    client.post(f"/api/v1/cases/{p1['id']}/actions/acknowledge")
    client.post(f"/api/v1/cases/{p1['id']}/actions/resolve", {"resolution": "重启恢复"})
    assert Case.objects.get(pk=p1["id"]).in_queue is False
    assert _numbers(client.get("/api/v1/cases")) == [p3["number"]]
    assert _numbers(client.get("/api/v1/cases?status=resolved")) == [p1["number"]]

    client.post(f"/api/v1/cases/{p1['id']}/actions/reopen", {"reason": "故障复现"})
    assert Case.objects.get(pk=p1["id"]).in_queue is True
    assert set(_numbers(client.get("/api/v1/cases"))) == {p1["number"], p3["number"]}


def test_in_queue_follows_the_status_also_when_only_the_status_is_saved(api, agent, acme):
    case = Case.objects.get(pk=api(agent).post("/api/v1/cases", new_case_payload(acme)).json()["id"])
    case.status = "closed"
    case.save(update_fields=["status"])
    assert Case.objects.get(pk=case.pk).in_queue is False


def test_the_queue_api_writes_exactly_what_its_schema_would(api, agent, acme, bob):
    from aftersales.cases import services
    from aftersales.cases.api import _case_fields
    from aftersales.cases.schemas import CasePageOut
    from aftersales.cases.selectors import QueueFilters, case_queue

    client = api(agent)
    first = client.post("/api/v1/cases", new_case_payload(acme, impact="outage")).json()
    client.post("/api/v1/cases", new_case_payload(acme, impact="limited", assignee_id=bob.pk))
    services.case_acknowledge(actor=agent, case_id=first["id"])
    services.case_wait_on_customer(actor=agent, case_id=first["id"], reason="等资料")
    response = client.get("/api/v1/cases")
    assert response["Content-Type"].startswith("application/json")
    rows = case_queue(agent, QueueFilters(), limit=50, offset=0)
    expected = CasePageOut.model_validate({
        "items": [_case_fields(c, list(c.clocks.all())) for c in rows], "limit": 50, "offset": 0,
        "next_offset": None,
    }).model_dump(mode="json")
    assert response.json() == expected
    assert response.json()["items"][0]["clocks"][0]["started_at"].endswith("+08:00")
