from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.notifications.models import OutboxMessage
from aftersales.roster.models import Shift
from aftersales.special_periods.models import SpecialPeriod, SpecialPeriodDuty, StandbyResource
from aftersales.special_periods.tests.factories import make_depot, make_part, make_period

pytestmark = pytest.mark.django_db

BASE = "/api/v1/special-periods"
BODY = {"name": "2030 年春节保障", "kind": "holiday", "starts_at": "2030-02-02T00:00:00+08:00",
        "ends_at": "2030-02-09T00:00:00+08:00", "team_codes": ["field-north"]}


def test_a_manager_creates_a_period_once_per_key_and_reads_it(api, manager, team, acme, acme_site):
    client = api(manager)
    body = {**BODY, "customer_id": str(acme.pk), "site_ids": [str(acme_site.pk)]}
    first = client.post(BASE, body, headers={"Idempotency-Key": "p-1"})
    again = client.post(BASE, body, headers={"Idempotency-Key": "p-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    created = first.json()
    assert (created["status"], created["kind_label"], created["version"]) == ("draft", "节假日", 1)
    assert created["sites"] == [{"id": str(acme_site.pk), "name": "北收费站"}]
    assert created["teams"] == [{"code": "field-north", "name": "北区现场组"}]
    assert created["starts_at"] == "2030-02-02T00:00:00+08:00"
    assert SpecialPeriod.objects.count() == 1
    assert client.get(f"{BASE}/{created['id']}").json()["name"] == "2030 年春节保障"
    listed = client.get(f"{BASE}?status=draft").json()
    assert ([p["id"] for p in listed["items"]], listed["next_offset"]) == ([created["id"]], None)


def test_invalid_input_names_the_field(api, manager):
    response = api(manager).post(BASE, {**BODY, "ends_at": "2030-02-01T00:00:00+08:00"})
    assert response.status_code == 422
    assert response.json()["field"] == "ends_at"
    assert SpecialPeriod.objects.count() == 0


def test_update_with_a_stale_version_is_refused(api, manager, period):
    client = api(manager)
    ok = client.patch(f"{BASE}/{period.pk}", {"expected_version": 1, "note": "提前两天到岗"})
    assert (ok.status_code, ok.json()["note"], ok.json()["version"]) == (200, "提前两天到岗", 2)
    stale = client.patch(f"{BASE}/{period.pk}", {"expected_version": 1, "note": "旧"})
    assert stale.status_code == 412
    assert SpecialPeriod.objects.get().note == "提前两天到岗"


def test_transitions_follow_the_table(api, manager, period):
    client = api(manager)
    assert client.post(f"{BASE}/{period.pk}/close").status_code == 409
    activated = client.post(f"{BASE}/{period.pk}/activate")
    assert (activated.status_code, activated.json()["status"]) == (200, "active")
    assert client.post(f"{BASE}/{period.pk}/activate").json()["code"] == "invalid_transition"
    assert client.post(f"{BASE}/{period.pk}/cancel", {"reason": ""}).json()["field"] == "reason"
    cancelled = client.post(f"{BASE}/{period.pk}/cancel", {"reason": "天气转好"})
    assert cancelled.json()["status"] == "cancelled"
    events = client.get(f"{BASE}/{period.pk}/events").json()
    assert [e["action"] for e in events] == ["created", "activated", "cancelled"]


def test_extra_duty_is_added_listed_and_removed_and_an_overlap_is_409(api, manager, bob, period):
    client = api(manager)
    duty = {"team_code": "field-north", "user_id": bob.pk, "starts_at": "2030-02-02T08:00:00+08:00",
            "ends_at": "2030-02-02T20:00:00+08:00"}
    created = client.post(f"{BASE}/{period.pk}/duty", duty, headers={"Idempotency-Key": "d-1"})
    assert created.status_code == 201
    assert client.post(f"{BASE}/{period.pk}/duty", duty, headers={"Idempotency-Key": "d-1"}).status_code == 200
    clash = client.post(f"{BASE}/{period.pk}/duty", {**duty, "starts_at": "2030-02-02T18:00:00+08:00",
                                                    "ends_at": "2030-02-03T06:00:00+08:00"})
    assert (clash.status_code, clash.json()["code"]) == (409, "shift_overlap")
    listed = client.get(f"{BASE}/{period.pk}/duty").json()
    assert [(d["username"], d["team_code"]) for d in listed] == [("bob", "field-north")]
    assert client._call("delete", f"{BASE}/{period.pk}/duty/{created.json()['id']}").status_code == 204
    assert (Shift.objects.count(), SpecialPeriodDuty.objects.count()) == (0, 0)


def test_activating_over_the_api_notifies_the_duty_once(api, manager, bob, period):
    client = api(manager)
    client.post(f"{BASE}/{period.pk}/duty", {"team_code": "field-north", "user_id": bob.pk,
                                             "starts_at": "2030-02-02T08:00:00+08:00",
                                             "ends_at": "2030-02-02T20:00:00+08:00"})
    client.post(f"{BASE}/{period.pk}/activate")
    client.post(f"{BASE}/{period.pk}/activate")
    assert OutboxMessage.objects.filter(recipient="bob@example.invalid").count() == 1


def test_plans_resources_and_readiness(api, manager, period, acme_site):
    client = api(manager)
    plan = client.post(f"{BASE}/{period.pk}/plans", {"team_code": "field-north", "site_id": str(acme_site.pk),
                                                     "starts_on": "2030-01-30", "ends_on": "2030-02-01"})
    assert plan.status_code == 201
    assert (plan.json()["kind"], plan.json()["checklist_code"]) == ("holiday", "spring")
    depot = make_depot()
    part = make_part(depot=depot, stock=1)
    resource = client.post(f"{BASE}/{period.pk}/resources", {"kind": "spare_part", "part_id": str(part.pk),
                                                             "depot_id": str(depot.pk), "quantity": 3})
    assert resource.status_code == 201
    assert (resource.json()["part_code"], resource.json()["quantity"]) == ("RSU-ANT-01", 3)
    ready = client.get(f"{BASE}/{period.pk}/readiness").json()
    assert ready["is_ready"] is False
    assert ready["parts"]["lines"] == [{"part_code": "RSU-ANT-01", "part_name": "RSU 天线板卡", "depot_code": "bj-1",
                                        "required": 3, "available": 1, "shortage": 2}]
    assert ready["duty"]["state"] == "warning"
    assert ready["inspections"]["plan_count"] == 1
    assert client._call("delete", f"{BASE}/{period.pk}/resources/{resource.json()['id']}").status_code == 204
    assert StandbyResource.objects.count() == 0


def test_the_checklist_is_made_over_the_api(api, manager, period):
    response = api(manager).post(f"{BASE}/{period.pk}/checklist", {"name": "台风保障检查表",
                                                                   "items": [{"label": "排水泵可用"}]})
    assert response.status_code == 201
    period.refresh_from_db()
    assert period.checklist.name == "台风保障检查表"


def test_an_unknown_period_is_404(api, manager):
    response = api(manager).get(f"{BASE}/00000000-0000-0000-0000-000000000000")
    assert (response.status_code, response.json()["code"]) == (404, "special_period_not_found")


@pytest.mark.parametrize("persona", ["alice", "charlie"])
def test_customer_users_are_refused_everything(api, persona, request, period):
    client = api(request.getfixturevalue(persona))
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}/{period.pk}").status_code == 403
    assert client.get(f"{BASE}/{period.pk}/readiness").status_code == 403
    assert client.post(BASE, BODY).status_code == 403
    assert client.post(f"{BASE}/{period.pk}/activate").status_code == 403
    assert SpecialPeriod.objects.get().status == "draft"


def test_engineers_read_but_do_not_change(api, bob, period):
    client = api(bob)
    assert client.get(f"{BASE}/{period.pk}/readiness").status_code == 200
    assert client.post(f"{BASE}/{period.pk}/activate").status_code == 403
    assert client.post(BASE, BODY).status_code == 403
    assert SpecialPeriod.objects.get().status == "draft"


def test_anonymous_callers_are_401(api, period):
    assert api(None).get(BASE).status_code == 401


def test_the_list_costs_the_same_queries_for_one_period_or_many(api, manager, team, acme_site):
    client = api(manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(BASE).status_code == 200
        return len(captured.captured_queries)

    make_period(manager, site_ids=[acme_site.pk], team_codes=[team.code])
    client.get(BASE)  # the token is remembered after the first call
    one = queries()
    for index in range(3):
        make_period(manager, name=f"保障 {index}", site_ids=[acme_site.pk], team_codes=[team.code])
    assert queries() == one
