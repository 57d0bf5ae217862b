from __future__ import annotations

import datetime as dt
import io

import pytest

from aftersales.cases.models import Case
from aftersales.inspections import services
from aftersales.inspections.models import InspectionOccurrence, InspectionPlan, InspectionResult
from aftersales.inspections.tests.factories import at
from aftersales.workorders import services as work_order_services
from aftersales.workorders.tests.factories import photo_bytes

PLANS = "/api/v1/inspections/plans"
OCCURRENCES = "/api/v1/inspections/occurrences"


@pytest.fixture
def occurrence(plan, bob, manager):
    """Monday's occurrence, dispatched; bob is on site with one photo taken."""
    services.occurrences_plan(through=dt.date(2026, 11, 2))
    services.occurrences_dispatch(now=at("2026-11-02 08:00"), horizon_days=0)
    row = InspectionOccurrence.objects.get(plan=plan)
    work_order_services.work_order_assign(actor=manager, work_order_id=row.work_order_id, technician_id=bob.pk)
    work_order_services.work_order_start_travel(actor=bob, work_order_id=row.work_order_id)
    work_order_services.work_order_check_in(actor=bob, work_order_id=row.work_order_id)
    return row


@pytest.fixture
def photo(occurrence, bob):
    return work_order_services.work_order_add_photo(actor=bob, work_order_id=occurrence.work_order_id,
                                                    upload=io.BytesIO(photo_bytes()), caption="天线")


def answers(template, photo, *, voltage="12.1", light="绿", antenna_ok=True):
    items = list(template.items.order_by("position"))
    return {"items": [
        {"item_id": str(items[0].pk), "is_passed": antenna_ok, "photo_id": str(photo.pk) if photo else None,
         "note": "" if antenna_ok else "天线罩破损"},
        {"item_id": str(items[1].pk), "value": voltage},
        {"item_id": str(items[2].pk), "value": light},
    ], "note": "例行巡检"}


def plan_payload(template, team, asset, **overrides):
    payload = {"name": "北收费站 RSU 日检", "asset_id": str(asset.pk), "frequency": "daily",
               "template": template.code, "team": team.code, "starts_on": "2026-11-02"}
    payload.update(overrides)
    return payload


@pytest.mark.parametrize("role", ["manager", "dispatcher"])
def test_managers_and_dispatchers_create_plans(api, request, template, team, acme_asset, role):
    # when
    response = api(request.getfixturevalue(role)).post(PLANS, plan_payload(template, team, acme_asset))
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["frequency"], body["template"], body["team"], body["version"]) == ("daily", "rsu-daily",
                                                                                   "field-north", 1)
    assert InspectionPlan.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize("role", ["bob", "agent", "alice"])
def test_others_may_not_create_plans(api, request, template, team, acme_asset, role):
    response = api(request.getfixturevalue(role)).post(PLANS, plan_payload(template, team, acme_asset))
    assert response.status_code == 403
    assert InspectionPlan.objects.count() == 0


def test_plan_validation_errors_name_the_field(api, manager, template, team, acme_asset):
    response = api(manager).post(PLANS, plan_payload(template, team, acme_asset, frequency="every_n_days"))
    assert response.status_code == 422
    assert response.json()["field"] == "interval_days"


def test_a_customer_user_sees_only_its_own_plans(api, plan, alice, charlie):
    assert [p["id"] for p in api(alice).get(PLANS).json()] == [str(plan.pk)]
    assert api(charlie).get(PLANS).json() == []
    assert api(alice).get(f"{PLANS}/{plan.pk}").status_code == 200
    assert api(charlie).get(f"{PLANS}/{plan.pk}").status_code == 404


def test_deactivating_a_plan_twice_is_409(api, plan, manager):
    assert api(manager)._call("delete", f"{PLANS}/{plan.pk}").json()["is_active"] is False
    response = api(manager).patch(f"{PLANS}/{plan.pk}", {"is_active": False})
    assert response.status_code == 409
    assert response.json()["code"] == "plan_state"


def test_a_stale_plan_version_is_refused(api, plan, manager):
    response = api(manager).patch(f"{PLANS}/{plan.pk}", {"name": "新名称", "expected_version": 9})
    assert response.status_code == 412
    plan.refresh_from_db()
    assert plan.name == "北收费站 RSU 日检"


def test_occurrences_are_listed_within_the_users_scope(api, occurrence, alice, charlie, manager):
    body = api(alice).get(OCCURRENCES).json()
    assert [(o["id"], o["status"], o["is_overdue"]) for o in body["items"]] == [
        (str(occurrence.pk), "scheduled", False)]
    assert body["items"][0]["work_order_number"] == occurrence.work_order.number
    assert api(charlie).get(OCCURRENCES).json()["items"] == []
    assert api(charlie).get(f"{OCCURRENCES}/{occurrence.pk}").status_code == 404
    assert api(manager).get(f"{OCCURRENCES}?status=completed").json()["items"] == []


def test_the_occurrence_list_has_a_pinned_query_count(api, plan, manager, django_assert_num_queries):
    services.occurrences_plan(through=dt.date(2026, 11, 30))
    services.occurrences_dispatch(now=at("2026-11-02 08:00"), horizon_days=5)
    client = api(manager)
    client.get(OCCURRENCES)  # warm the token memory
    with django_assert_num_queries(1):
        response = client.get(f"{OCCURRENCES}?limit=20")
    assert len(response.json()["items"]) == 20


def test_a_passed_checklist_completes_the_occurrence(api, bob, template, occurrence, photo):
    # when
    response = api(bob).post(f"{OCCURRENCES}/{occurrence.pk}/result", answers(template, photo))
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_passed"] is True
    assert [(i["label"], i["is_passed"], i["case_id"]) for i in body["items"]] == [
        ("天线外观完好", True, None), ("供电电压", True, None), ("指示灯状态", True, None)]
    assert body["items"][0]["photo_id"] == str(photo.pk)
    occurrence.refresh_from_db()
    assert occurrence.status == "completed"
    assert Case.objects.filter(channel="inspection", category="fault").count() == 0


def test_each_failed_item_opens_a_linked_inspection_case(api, bob, template, occurrence, photo, acme_asset):
    # when: the antenna is damaged and the voltage is out of range
    response = api(bob).post(f"{OCCURRENCES}/{occurrence.pk}/result",
                             answers(template, photo, antenna_ok=False, voltage="10.2"))
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_passed"] is False
    failed = [i for i in body["items"] if not i["is_passed"]]
    assert [i["label"] for i in failed] == ["天线外观完好", "供电电压"]
    cases = Case.objects.filter(pk__in=[i["case_id"] for i in failed])
    assert {(c.channel, c.category, c.asset_id) for c in cases} == {("inspection", "fault", acme_asset.pk)}
    assert sorted(c.title for c in cases) == sorted(["巡检发现：天线外观完好（北收费站 RSU 日检）",
                                                     "巡检发现：供电电压（北收费站 RSU 日检）"])
    assert api(bob).get(f"{OCCURRENCES}/{occurrence.pk}/result").json()["items"][1]["case_number"]


def test_a_required_photo_is_missing(api, bob, template, occurrence):
    response = api(bob).post(f"{OCCURRENCES}/{occurrence.pk}/result", answers(template, None))
    assert response.status_code == 422
    assert response.json()["field"] == "items[0].photo_id"
    assert not InspectionResult.objects.exists()
    occurrence.refresh_from_db()
    assert occurrence.status == "scheduled"


def test_a_missing_item_is_refused(api, bob, template, occurrence, photo):
    payload = answers(template, photo)
    payload["items"].pop()
    response = api(bob).post(f"{OCCURRENCES}/{occurrence.pk}/result", payload)
    assert response.status_code == 422
    assert response.json()["field"] == "items"
    assert "指示灯状态" in response.json()["detail"]


def test_a_non_numeric_value_names_the_item(api, bob, template, occurrence, photo):
    response = api(bob).post(f"{OCCURRENCES}/{occurrence.pk}/result", answers(template, photo, voltage="高"))
    assert response.status_code == 422
    assert response.json()["field"] == "items[1].value"


def test_submitting_twice_is_409(api, bob, template, occurrence, photo):
    api(bob).post(f"{OCCURRENCES}/{occurrence.pk}/result", answers(template, photo))
    response = api(bob).post(f"{OCCURRENCES}/{occurrence.pk}/result", answers(template, photo))
    assert response.status_code == 409
    assert response.json()["code"] == "occurrence_not_scheduled"
    assert InspectionResult.objects.count() == 1


def test_an_occurrence_not_yet_dispatched_cannot_be_submitted(api, bob, plan, template):
    services.occurrences_plan(through=dt.date(2026, 11, 2))
    row = InspectionOccurrence.objects.get()
    response = api(bob).post(f"{OCCURRENCES}/{row.pk}/result", answers(template, None))
    assert response.status_code == 409


@pytest.mark.parametrize(("who", "status"), [("charlie", 404), ("alice", 403), ("agent", 403)])
def test_others_may_not_submit(api, request, template, occurrence, photo, who, status):
    response = api(request.getfixturevalue(who)).post(f"{OCCURRENCES}/{occurrence.pk}/result",
                                                      answers(template, photo))
    assert response.status_code == status
    occurrence.refresh_from_db()
    assert occurrence.status == "scheduled"
    assert not InspectionResult.objects.exists()


def test_templates_are_created_by_planners(api, manager, bob):
    payload = {"code": "tunnel", "name": "隧道巡检", "items": [
        {"label": "照度", "kind": "number", "expected_min": "10", "expected_max": "5"}]}
    refused = api(manager).post("/api/v1/inspections/templates", payload)
    assert refused.status_code == 422
    assert refused.json()["field"] == "items[0].expected_max"
    payload["items"][0]["expected_max"] = "50"
    assert api(bob).post("/api/v1/inspections/templates", payload).status_code == 403
    created = api(manager).post("/api/v1/inspections/templates", payload)
    assert created.status_code == 201
    assert [i["label"] for i in created.json()["items"]] == ["照度"]
    assert api(manager).post("/api/v1/inspections/templates", payload).status_code == 409


def test_a_photo_of_another_work_order_is_refused(api, bob, manager, template, occurrence, photo):
    # given: tomorrow's occurrence, with its own work order and photo
    services.occurrences_plan(through=dt.date(2026, 11, 3))
    services.occurrences_dispatch(now=at("2026-11-03 08:00"), horizon_days=0)
    other = InspectionOccurrence.objects.get(period_start=dt.date(2026, 11, 3))
    # when: today's checklist names the photo, tomorrow's is submitted with it
    response = api(bob).post(f"{OCCURRENCES}/{other.pk}/result", answers(template, photo))
    # then
    assert response.status_code == 422
    assert response.json()["field"] == "items[0].photo_id"
    other.refresh_from_db()
    assert other.status == "scheduled"
