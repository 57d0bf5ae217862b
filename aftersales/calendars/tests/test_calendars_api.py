from __future__ import annotations

import pytest

from aftersales.calendars.models import Calendar

pytestmark = pytest.mark.django_db

OFFICE = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def office(api, manager):
    response = api(manager).post("/api/v1/calendars", {
        "code": "office-9-18", "name": "9-18", "working_hours": OFFICE, "holiday_source": "CN"})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        ("2026-09-18T17:00:00+08:00", 480, "2026-09-20T16:00:00+08:00"),
        ("2026-09-30T17:00:00+08:00", 480, "2026-10-08T16:00:00+08:00"),
        ("2026-09-21T09:00:00+08:00", 0, "2026-09-21T09:00:00+08:00"),
        ("2026-09-21T01:00:00Z", 60, "2026-09-21T10:00:00+08:00"),
    ],
)
def test_the_engine_endpoint_adds_working_minutes(api, agent, office, start, minutes, due):
    response = api(agent).get(f"/api/v1/calendars/office-9-18/add?start={start.replace('+', '%2B')}&minutes={minutes}")
    assert response.status_code == 200, response.content
    assert response.json()["due"] == due


def test_the_24x7_calendar_crosses_midnight(api, agent):
    response = api(agent).get("/api/v1/calendars/24x7/add?start=2026-09-30T23:50:00%2B08:00&minutes=30")
    assert response.json()["due"] == "2026-10-01T00:20:00+08:00"


def test_a_hand_entered_exception_overrides_the_holiday_source(api, manager, office):
    # given 2026-10-08 is a normal working Thursday; the administrator declares it a holiday
    client = api(manager)
    response = client.post("/api/v1/calendars/office-9-18/exceptions",
                           {"date": "2026-10-08", "kind": "holiday", "name": "公司假日"})
    # when
    due = client.get("/api/v1/calendars/office-9-18/add?start=2026-09-30T17:00:00%2B08:00&minutes=480").json()["due"]
    # then
    assert response.status_code == 201
    assert due == "2026-10-09T16:00:00+08:00"
    assert Calendar.objects.get(code="office-9-18").version == 2


def test_a_hand_entered_workday_on_a_saturday_uses_weekday_hours(api, manager, office):
    client = api(manager)
    client.post("/api/v1/calendars/office-9-18/exceptions", {"date": "2026-11-07", "kind": "workday", "name": "补班"})
    due = client.get("/api/v1/calendars/office-9-18/add?start=2026-11-06T17:00:00%2B08:00&minutes=120").json()["due"]
    assert due == "2026-11-07T10:00:00+08:00"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"working_hours": {"mon": [["18:00", "09:00"]]}}, "working_hours.mon"),
        ({"working_hours": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "working_hours.mon"),
        ({"working_hours": {"mon": [["9h", "12:00"]]}}, "working_hours.mon[0]"),
        ({"working_hours": {"funday": [["09:00", "12:00"]]}}, "working_hours"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"holiday_source": "XX"}, "holiday_source"),
        ({"code": "has space"}, "code"),
    ],
)
def test_a_bad_calendar_is_refused_naming_the_field(api, manager, payload, field):
    body = {"code": "bad", "name": "bad", **payload}
    response = api(manager).post("/api/v1/calendars", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert not Calendar.objects.filter(code=body["code"]).exists()


def test_a_naive_start_is_refused(api, agent):
    response = api(agent).get("/api/v1/calendars/24x7/add?start=2026-09-30T23:50:00&minutes=30")
    assert response.status_code == 422
    assert response.json()["field"] == "start"


def test_only_administrators_and_managers_define_calendars(api, agent):
    response = api(agent).post("/api/v1/calendars", {"code": "x", "name": "x"})
    assert response.status_code == 403
    assert not Calendar.objects.filter(code="x").exists()


def test_an_unknown_calendar_answers_404(api, agent):
    assert api(agent).get("/api/v1/calendars/nope/add?start=2026-09-30T23:50:00%2B08:00&minutes=1").status_code == 404


def test_calendars_are_listed_with_their_exceptions(api, manager, office):
    client = api(manager)
    client.post("/api/v1/calendars/office-9-18/exceptions", {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    listed = {c["code"]: c for c in client.get("/api/v1/calendars").json()}
    assert set(listed) >= {"24x7", "cn-office", "office-9-18"}
    assert listed["office-9-18"]["exceptions"] == [{"date": "2027-10-01", "kind": "holiday", "name": "国庆节"}]
