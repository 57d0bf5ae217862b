from __future__ import annotations

import pytest
from django.test import Client

from aftersales.accounts.models import Role
from aftersales.roster.models import Shift, Team, Technician
from aftersales.roster.tests.factories import make_shift

pytestmark = pytest.mark.django_db

NIGHT = {
    "team": "field-north",
    "starts_at": "2026-11-02T20:00:00+08:00",
    "ends_at": "2026-11-03T08:00:00+08:00",
    "kind": "on_call",
}


def _delete(client, path):
    return client.client.delete(path, headers=client.headers)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/roster/teams",
        "/api/v1/roster/shifts",
        "/api/v1/roster/on-duty",
        "/api/v1/roster/gaps?team=field-north",
        "/api/v1/roster/technicians",
    ],
)
def test_the_roster_is_not_shown_to_customer_users(api, alice, field_team, path):
    response = api(alice).get(path)
    assert response.status_code == 403
    assert response.json()["code"] == "role_forbidden"


def test_the_roster_needs_authentication(api, db):
    response = Client().get("/api/v1/roster/on-duty")
    assert response.status_code == 401


def test_a_customer_user_cannot_put_anyone_on_duty(api, alice, bob, field_team):
    response = api(alice).post("/api/v1/roster/shifts", {**NIGHT, "user_id": bob.pk})
    assert response.status_code == 403
    assert Shift.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 201),
        (Role.MANAGER, 201),
        (Role.DISPATCHER, 403),
        (Role.AGENT, 403),
        (Role.ENGINEER, 403),
    ],
)
def test_teams_are_set_up_by_admins_and_managers(api, make_user, role, status):
    # when
    response = api(make_user("someone", role)).post(
        "/api/v1/roster/teams",
        {"code": "field-east", "name": "东区现场组", "kind": "field", "region": "东区"},
    )
    # then
    assert response.status_code == status
    assert Team.objects.filter(code="field-east").count() == (1 if status == 201 else 0)


def test_a_team_is_created_with_its_calendar_and_listed(api, manager, agent):
    client = api(manager)
    calendar = client.post(
        "/api/v1/calendars",
        {"code": "office", "name": "办公时间", "working_hours": {"mon": [["09:00", "18:00"]]}},
    )
    assert calendar.status_code == 201
    response = client.post(
        "/api/v1/roster/teams",
        {"code": "hotline", "name": "400 热线", "kind": "hotline", "calendar": "office"},
    )
    assert response.status_code == 201, response.content
    listed = api(agent).get("/api/v1/roster/teams").json()
    assert [(t["code"], t["kind"], t["calendar"], t["is_active"]) for t in listed] == [
        ("hotline", "hotline", "office", True)
    ]


def test_a_duplicate_team_code_conflicts(api, manager, field_team):
    response = api(manager).post(
        "/api/v1/roster/teams", {"code": "field-north", "name": "x", "kind": "field"}
    )
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("team_exists", "code")


def test_a_bad_team_kind_names_the_field(api, manager):
    response = api(manager).post(
        "/api/v1/roster/teams", {"code": "x", "name": "x", "kind": "night"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "kind"
    assert Team.objects.count() == 0


def test_a_dispatcher_puts_a_technician_on_duty(api, make_user, bob, field_team):
    # given
    dispatcher = make_user("dispatcher", Role.DISPATCHER)
    # when
    response = api(dispatcher).post(
        "/api/v1/roster/shifts", {**NIGHT, "user_id": bob.pk, "note": "夜班"}
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: v for k, v in body.items() if k != "id"} == {
        "team": "field-north",
        "user_id": bob.pk,
        "username": "bob",
        "kind": "on_call",
        "note": "夜班",
        "starts_at": "2026-11-02T20:00:00+08:00",
        "ends_at": "2026-11-03T08:00:00+08:00",
    }


def test_an_engineer_cannot_plan_shifts(api, bob, field_team):
    response = api(bob).post("/api/v1/roster/shifts", {**NIGHT, "user_id": bob.pk})
    assert response.status_code == 403
    assert Shift.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2026-11-02T19:00:00+08:00"}, "ends_at"),
        ({"starts_at": "2026-11-02T20:00:00"}, "starts_at"),
        ({"starts_at": "tonight"}, "starts_at"),
        ({"kind": "nap"}, "kind"),
        ({"user_id": None}, "user_id"),
    ],
)
def test_an_invalid_shift_is_refused_naming_the_field(api, manager, bob, field_team, change, field):
    response = api(manager).post("/api/v1/roster/shifts", {**NIGHT, "user_id": bob.pk, **change})
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert Shift.objects.count() == 0


def test_an_overlapping_shift_is_a_conflict(api, manager, bob, field_team):
    client = api(manager)
    assert client.post("/api/v1/roster/shifts", {**NIGHT, "user_id": bob.pk}).status_code == 201
    response = client.post(
        "/api/v1/roster/shifts",
        {
            **NIGHT,
            "user_id": bob.pk,
            "starts_at": "2026-11-03T07:00:00+08:00",
            "ends_at": "2026-11-03T19:00:00+08:00",
        },
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "与已有班次重叠：北区现场组 2026-11-02 20:00 至 2026-11-03 08:00",
        "code": "shift_overlap",
        "field": "starts_at",
    }
    assert Shift.objects.count() == 1


def test_a_shift_for_an_unknown_team_is_not_found(api, manager, bob):
    response = api(manager).post(
        "/api/v1/roster/shifts", {**NIGHT, "user_id": bob.pk, "team": "nowhere"}
    )
    assert response.status_code == 404
    assert response.json()["code"] == "team_not_found"


def test_shifts_are_listed_by_team_and_time_range_a_page_at_a_time(
    api, agent, bob, carol, field_team, hotline_24x7, django_assert_num_queries
):
    # given three field shifts and one hotline shift
    make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    make_shift(field_team, carol, "2026-11-02 20:00", "2026-11-03 08:00")
    make_shift(field_team, bob, "2026-11-03 08:00", "2026-11-03 20:00")
    make_shift(hotline_24x7, agent, "2026-11-02 08:00", "2026-11-02 20:00")
    make_shift(field_team, carol, "2026-11-05 08:00", "2026-11-05 20:00")
    client = api(agent)
    path = (
        "/api/v1/roster/shifts?team=field-north&start=2026-11-02T12:00:00%2B08:00"
        "&end=2026-11-04T00:00:00%2B08:00&limit=2"
    )
    client.get(path)  # the token is remembered after the first request
    # when
    with django_assert_num_queries(2):  # the team, the shifts with their teams and users
        first = client.get(path).json()
    second = client.get(path + "&offset=2").json()
    # then
    assert [(s["username"], s["starts_at"]) for s in first["items"]] == [
        ("bob", "2026-11-02T08:00:00+08:00"),
        ("carol", "2026-11-02T20:00:00+08:00"),
    ]
    assert first["next_offset"] == 2
    assert [(s["username"], s["starts_at"]) for s in second["items"]] == [
        ("bob", "2026-11-03T08:00:00+08:00")
    ]
    assert second["next_offset"] is None


def test_a_shift_is_removed_until_it_has_ended(api, manager, bob, field_team):
    future = make_shift(field_team, bob, "2999-01-01 08:00", "2999-01-01 20:00")
    past = make_shift(field_team, bob, "2020-01-01 08:00", "2020-01-01 20:00")
    client = api(manager)
    assert _delete(client, f"/api/v1/roster/shifts/{future.pk}").status_code == 204
    assert _delete(client, f"/api/v1/roster/shifts/{future.pk}").status_code == 404
    refused = _delete(client, f"/api/v1/roster/shifts/{past.pk}")
    assert (refused.status_code, refused.json()["code"]) == (409, "shift_ended")
    assert list(Shift.objects.all()) == [past]


def test_a_customer_user_cannot_remove_a_shift(api, alice, bob, field_team):
    shift = make_shift(field_team, bob, "2999-01-01 08:00", "2999-01-01 20:00")
    assert _delete(api(alice), f"/api/v1/roster/shifts/{shift.pk}").status_code == 403
    assert Shift.objects.count() == 1


def test_who_is_on_duty_at_a_given_time(api, agent, bob, carol, field_team):
    make_shift(field_team, bob, "2026-11-02 20:00", "2026-11-03 08:00", kind="on_call")
    make_shift(field_team, carol, "2026-11-02 08:00", "2026-11-02 20:00")
    response = api(agent).get(
        "/api/v1/roster/on-duty?at=2026-11-03T01:00:00%2B08:00&team=field-north"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["at"] == "2026-11-03T01:00:00+08:00"
    assert [(p["username"], p["team"], p["shift_kind"], p["ends_at"]) for p in body["items"]] == [
        ("bob", "field-north", "on_call", "2026-11-03T08:00:00+08:00")
    ]


def test_on_duty_needs_a_time_zone_offset(api, agent):
    response = api(agent).get("/api/v1/roster/on-duty?at=2026-11-03T01:00:00")
    assert response.status_code == 422
    assert response.json()["field"] == "at"


def test_the_gaps_of_a_team(api, agent, bob, field_team):
    make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    response = api(agent).get(
        "/api/v1/roster/gaps?team=field-north&start=2026-11-02T08:00:00%2B08:00&days=1"
    )
    assert response.status_code == 200, response.content
    assert response.json()["items"] == [
        {
            "starts_at": "2026-11-02T20:00:00+08:00",
            "ends_at": "2026-11-03T08:00:00+08:00",
            "minutes": 720,
        }
    ]


@pytest.mark.parametrize(
    ("query", "field"), [("team=field-north&days=0", "days"), ("days=3", "team")]
)
def test_a_bad_gaps_query_names_the_field(api, agent, field_team, query, field):
    response = api(agent).get(f"/api/v1/roster/gaps?{query}")
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_technicians_are_created_listed_and_updated(api, manager, agent, bob, field_team):
    # given
    client = api(manager)
    product = client.post(
        "/api/v1/products", {"model": "RSU-1", "name": "ETC 路侧单元", "category": "ETC"}
    )
    assert product.status_code == 201, product.content
    # when
    created = client.post(
        "/api/v1/roster/technicians",
        {
            "user_id": bob.pk,
            "team": "field-north",
            "region": "北区",
            "base_latitude": "39.9042",
            "base_longitude": "116.4074",
            "product_ids": [product.json()["id"]],
            "product_categories": ["视频"],
        },
    )
    updated = client.patch(
        f"/api/v1/roster/technicians/{created.json()['id']}",
        {"max_concurrent_work_orders": 2, "region": "东区"},
    )
    listed = api(agent).get("/api/v1/roster/technicians?team=field-north").json()
    # then
    assert created.status_code == 201, created.content
    assert updated.status_code == 200, updated.content
    assert [{k: v for k, v in t.items() if k != "id"} for t in listed] == [
        {
            "user_id": bob.pk,
            "username": "bob",
            "name": "bob",
            "team": "field-north",
            "region": "东区",
            "base_latitude": "39.904200",
            "base_longitude": "116.407400",
            "product_ids": [product.json()["id"]],
            "product_categories": ["视频"],
            "max_concurrent_work_orders": 2,
            "is_active": True,
        }
    ]


def test_an_invalid_technician_names_the_field(api, manager, bob):
    response = api(manager).post(
        "/api/v1/roster/technicians", {"user_id": bob.pk, "base_latitude": 95}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "base_latitude"
    assert Technician.objects.count() == 0


def test_only_admins_and_managers_keep_technician_profiles(api, agent, bob):
    response = api(agent).post("/api/v1/roster/technicians", {"user_id": bob.pk})
    assert response.status_code == 403
    assert Technician.objects.count() == 0


def test_updating_an_unknown_technician_is_not_found(api, manager):
    response = api(manager).patch(
        "/api/v1/roster/technicians/00000000-0000-0000-0000-000000000000", {"region": "东区"}
    )
    assert response.status_code == 404
