"""The duty roster pages (值班): on duty now or at T, a team's week with its gaps, shifts added
and removed by the planners, the technicians; each page for its roles only."""

from __future__ import annotations

import re
import uuid

import pytest
import time_machine

from aftersales.accounts.models import Role
from aftersales.core.tests.helpers import field_block
from aftersales.roster.models import Shift
from aftersales.roster.services import technician_create
from aftersales.roster.tests.factories import at, make_shift, make_team

pytestmark = pytest.mark.django_db

# Wednesday 10:00 in Shanghai; its week runs from Monday 2026-11-02 to Sunday 2026-11-08.
NOW = "2026-11-04 10:00"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(NOW), tick=False):
        yield


@pytest.fixture
def hotline(db):
    return make_team("hotline", "hotline", name="400 热线")


@pytest.fixture
def field_team(db):
    return make_team("field-north", "field", name="北区现场组", region="北区")


ON_DUTY = "/console/roster/"
TEAMS = "/console/roster/teams/"
TECHNICIANS = "/console/roster/technicians/"


def test_the_on_duty_page_shows_who_is_on_duty_per_team_now_and_at_a_chosen_time(agent, bob, hotline,
                                                                                 field_team, client_for):
    # given
    make_shift(field_team, bob, "2026-11-04 08:00", "2026-11-04 20:00", note="白班")
    # when
    now_page = client_for(agent).get(ON_DUTY).content.decode()
    night_page = client_for(agent).get(ON_DUTY, {"at": "2026-11-04T22:00"}).content.decode()
    # then
    field_row = now_page[now_page.index("北区现场组"):]
    assert "bob" in field_row[:field_row.index("</tr>")]
    hotline_row = now_page[now_page.index("400 热线"):]
    assert "无人值班" in hotline_row[:hotline_row.index("</tr>")]
    assert "bob" not in night_page[night_page.index("<tbody>"):]
    assert 'datetime="2026-11-04T22:00:00+08:00"' in night_page


def test_the_on_duty_page_filters_by_kind_of_team(agent, bob, hotline, field_team, client_for):
    make_shift(field_team, bob, "2026-11-04 08:00", "2026-11-04 20:00")
    page = client_for(agent).get(ON_DUTY, {"kind": "hotline"}).content.decode()
    assert "400 热线" in page
    assert "北区现场组" not in page


ROSTER_READERS = [Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.ENGINEER, Role.EXPERT]


@pytest.mark.parametrize(("role", "on_duty", "roster"), [
    *[(role, 200, 200) for role in ROSTER_READERS],
    (Role.AGENT, 200, 404),
])
def test_each_roster_page_opens_for_its_roles_only(make_user, hotline, role, on_duty, roster, client_for):
    client = client_for(make_user("someone", role))
    assert client.get(ON_DUTY).status_code == on_duty
    for url in (TEAMS, f"{TEAMS}hotline/", TECHNICIANS):
        assert client.get(url).status_code == roster, url


def test_the_menu_shows_the_roster_to_staff_and_the_team_pages_to_their_readers(agent, bob, client_for):
    agent_page = client_for(agent).get(ON_DUTY).content.decode()
    assert f'href="{ON_DUTY}" aria-current="page">值班</a>' in agent_page
    assert f'href="{TEAMS}"' not in agent_page
    assert f'href="{TEAMS}"' in client_for(bob).get(ON_DUTY).content.decode()


def test_a_customer_user_gets_404_on_every_roster_page(alice, hotline, bob, client_for):
    shift = make_shift(hotline, bob, "2026-11-05 08:00", "2026-11-05 20:00")
    client = client_for(alice)
    for url in (ON_DUTY, TEAMS, f"{TEAMS}hotline/", TECHNICIANS):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{TEAMS}hotline/shifts/create/", {}).status_code == 404
    assert client.post(f"{TEAMS}hotline/shifts/{shift.pk}/delete/").status_code == 404
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_an_unknown_team_is_404(manager, client_for):
    assert client_for(manager).get(f"{TEAMS}nope/").status_code == 404


def test_the_team_page_shows_the_week_of_shifts_and_navigates_weeks(bob, hotline, client_for):
    # given
    make_shift(hotline, bob, "2026-11-04 08:00", "2026-11-04 20:00", note="本周")
    make_shift(hotline, bob, "2026-11-11 08:00", "2026-11-11 20:00", note="下周")
    client = client_for(bob)
    # when
    this_week = client.get(f"{TEAMS}hotline/").content.decode()
    next_week = client.get(f"{TEAMS}hotline/", {"week": "2026-11-13"}).content.decode()
    # then
    assert "2026-11-02 至 2026-11-08" in this_week
    assert "本周" in this_week
    assert "· 下周" not in this_week
    assert 'href="?week=2026-11-09"' in this_week
    assert 'href="?week=2026-10-26"' in this_week
    assert "2026-11-09 至 2026-11-15" in next_week
    assert "· 下周" in next_week


def test_the_gaps_of_the_next_14_days_are_highlighted(manager, bob, hotline, field_team, client_for):
    # given: the 7×24 hotline is covered until 20:00 today and then from tomorrow 08:00
    make_shift(hotline, bob, "2026-11-04 08:00", "2026-11-04 20:00")
    make_shift(hotline, bob, "2026-11-05 08:00", "2026-11-18 12:00")
    client = client_for(manager)
    # when
    team_page = client.get(f"{TEAMS}hotline/").content.decode()
    teams_page = client.get(TEAMS).content.decode()
    # then
    gaps = team_page[team_page.index('id="gaps-title"'):team_page.index('id="week-title"')]
    assert re.findall(r'<time datetime="([^"]+)"', gaps) == [
        "2026-11-04T20:00:00+08:00", "2026-11-05T08:00:00+08:00",
    ]
    assert "clock-breached" in gaps
    hotline_row = teams_page[teams_page.index("400 热线") - 200:]
    assert '<tr class="breached">' in hotline_row[:300]
    assert "1 处，共 12.0 小时" in teams_page
    assert "336.0 小时" in teams_page  # the field team has nobody in 14 days


def test_a_dispatcher_adds_a_shift_and_lands_on_its_week(dispatcher, bob, hotline, client_for):
    # when
    response = client_for(dispatcher).post(f"{TEAMS}hotline/shifts/create/", {
        "user": bob.pk, "starts_at": "2026-11-12T08:00", "ends_at": "2026-11-12T20:00",
        "kind": "regular", "note": "加班",
    })
    # then
    assert response.status_code == 302
    assert response["Location"] == f"{TEAMS}hotline/?week=2026-11-12"
    shift = Shift.objects.get()
    assert (shift.team, shift.user, shift.starts_at, shift.ends_at, shift.note) == (
        hotline, bob, at("2026-11-12 08:00"), at("2026-11-12 20:00"), "加班")


def test_a_shift_ending_before_it_starts_is_refused_next_to_the_end_field(manager, bob, hotline, client_for):
    response = client_for(manager).post(f"{TEAMS}hotline/shifts/create/", {
        "user": bob.pk, "starts_at": "2026-11-12T20:00", "ends_at": "2026-11-12T08:00", "kind": "regular",
    })
    assert response.status_code == 422
    block = field_block(response.content.decode(), "shift-ends_at")
    assert "结束时间" in block
    assert "结束时间须晚于开始时间" in block
    assert not Shift.objects.exists()


def test_a_date_out_of_any_sensible_range_is_refused_next_to_its_field(manager, bob, hotline, client_for):
    response = client_for(manager).post(f"{TEAMS}hotline/shifts/create/", {
        "user": bob.pk, "starts_at": "0001-01-01T08:00", "ends_at": "2026-11-12T08:00", "kind": "regular",
    })
    assert response.status_code == 422
    assert "日期须在 2000-01-01 至 2099-12-31 之间" in field_block(response.content.decode(), "shift-starts_at")
    assert not Shift.objects.exists()
    assert client_for(manager).get(f"{TEAMS}hotline/", {"week": "0001-01-01"}).status_code == 200


def test_a_missing_person_is_named_next_to_its_field(manager, hotline, client_for):
    response = client_for(manager).post(f"{TEAMS}hotline/shifts/create/", {
        "starts_at": "2026-11-12T08:00", "ends_at": "2026-11-12T20:00", "kind": "regular",
    })
    assert response.status_code == 422
    block = field_block(response.content.decode(), "shift-user")
    assert 'class="field invalid"' in block
    assert 'role="alert"' in block
    assert not Shift.objects.exists()


def test_an_overlapping_shift_is_refused_and_says_with_which(manager, bob, hotline, field_team, client_for):
    make_shift(field_team, bob, "2026-11-12 06:00", "2026-11-12 12:00")
    response = client_for(manager).post(f"{TEAMS}hotline/shifts/create/", {
        "user": bob.pk, "starts_at": "2026-11-12T08:00", "ends_at": "2026-11-12T20:00", "kind": "regular",
    })
    assert response.status_code == 409
    page = response.content.decode()
    assert "与已有班次重叠：北区现场组" in field_block(page, "shift-starts_at")
    assert "2026-11-09 至 2026-11-15" in page  # the week of the shift asked for
    assert Shift.objects.count() == 1


@pytest.mark.parametrize(("role", "status"), [(Role.ENGINEER, 403), (Role.EXPERT, 403), (Role.AGENT, 404)])
def test_other_staff_read_the_roster_but_cannot_change_it(make_user, bob, hotline, role, status, client_for):
    # given
    shift = make_shift(hotline, bob, "2026-11-05 08:00", "2026-11-05 20:00")
    client = client_for(make_user("someone", role))
    # when
    page = client.get(f"{TEAMS}hotline/")
    added = client.post(f"{TEAMS}hotline/shifts/create/", {
        "user": bob.pk, "starts_at": "2026-11-12T08:00", "ends_at": "2026-11-12T20:00", "kind": "regular"})
    removed = client.post(f"{TEAMS}hotline/shifts/{shift.pk}/delete/")
    # then
    if page.status_code == 200:
        assert "添加班次" not in page.content.decode()
        assert "删除" not in page.content.decode()
    assert (added.status_code, removed.status_code) == (status, status)
    assert list(Shift.objects.values_list("pk", flat=True)) == [shift.pk]


def test_a_planner_removes_a_future_shift_but_not_an_ended_one(manager, bob, hotline, client_for):
    # given
    ended = make_shift(hotline, bob, "2026-11-03 08:00", "2026-11-03 20:00")
    future = make_shift(hotline, bob, "2026-11-06 08:00", "2026-11-06 20:00")
    client = client_for(manager)
    page = client.get(f"{TEAMS}hotline/").content.decode()
    assert f"/shifts/{future.pk}/delete/" in page
    assert f"/shifts/{ended.pk}/delete/" not in page
    # when
    removed = client.post(f"{TEAMS}hotline/shifts/{future.pk}/delete/", {"week": "2026-11-02"})
    refused = client.post(f"{TEAMS}hotline/shifts/{ended.pk}/delete/", follow=True)
    # then
    assert removed["Location"] == f"{TEAMS}hotline/?week=2026-11-02"
    assert "已结束的班次不能删除" in refused.content.decode()
    assert list(Shift.objects.values_list("pk", flat=True)) == [ended.pk]
    assert client.post(f"{TEAMS}hotline/shifts/{uuid.uuid4()}/delete/").status_code == 404


def test_the_technicians_list_shows_team_region_skills_and_capacity(dispatcher, bob, make_user, hotline,
                                                                    field_team, client_for):
    # given
    technician_create(user_id=bob.pk, team_code="field-north", region="北区",
                      product_categories=["cctv", "etc"], max_concurrent_work_orders=3)
    carol = make_user("carol", Role.ENGINEER)
    technician_create(user_id=carol.pk, team_code="hotline", region="南区")
    client = client_for(dispatcher)
    # when
    everyone = client.get(TECHNICIANS).content.decode()
    north = client.get(TECHNICIANS, {"team": "field-north"}).content.decode()
    # then
    bob_row = everyone[everyone.index(">bob<"):]
    bob_row = bob_row[:bob_row.index("</tr>")]
    for expected in ("北区现场组", "北区", "cctv、etc", ">3<"):
        assert expected in bob_row
    assert ">carol<" in everyone
    assert ">bob<" in north
    assert ">carol<" not in north


def test_user_text_is_escaped(manager, bob, make_user, client_for):
    make_team("odd", "hotline", name='<script>alert("x")</script>')
    page = client_for(manager).get(TEAMS).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page

