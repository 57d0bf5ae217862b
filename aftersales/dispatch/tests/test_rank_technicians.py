"""rank_technicians: the case and the candidates read from the database, in a fixed number of
queries, through the scoping layer."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.assets.services import product_create
from aftersales.cases import services as case_services
from aftersales.cases.tests.helpers import at
from aftersales.core.errors import NotFound, PermissionDenied, ValidationFailed
from aftersales.dispatch.selectors import (
    dispatch_candidates,
    open_work_order_counts,
    rank_technicians,
)
from aftersales.dispatch.tests.factories import T0, make_technician, open_case
from aftersales.roster.selectors import technicians_for
from aftersales.roster.services import shift_add, technician_update
from aftersales.workorders import services as work_order_services

pytestmark = pytest.mark.django_db

NOW = at("2026-11-02 10:30")


def _work_orders(agent, case, technician, count, *, cancel=0):
    for number in range(count):
        work_order, _ = work_order_services.work_order_create(
            actor=agent, case_id=case.pk, kind="repair", technician_id=technician.user_id, now=T0)
        if number < cancel:
            work_order_services.work_order_cancel(actor=agent, work_order_id=work_order.pk,
                                                  reason="重复派工", now=T0)


@pytest.fixture
def crew(rsu, field_team):
    """Four technicians around the north station."""
    return {
        "near": make_technician("near", first_name="近工", km_north=10, product_ids=[rsu.pk],
                                team_code="field-beijing"),
        "category": make_technician("category", first_name="类工", km_north=60,
                                    product_categories=["路侧单元"]),
        "unskilled": make_technician("unskilled", first_name="生工", km_north=1),
        "tianjin": make_technician("tianjin", first_name="津工", region="天津",
                                   product_ids=[rsu.pk], max_concurrent_work_orders=2),
    }


def test_candidates_come_ranked_with_duty_load_and_arrival_from_the_database(
        dispatcher, agent, case, crew, field_team):
    # given near is on duty, tianjin has 2 open work orders (at capacity) and one cancelled,
    # category has one open
    shift_add(team=field_team, user_id=crew["near"].user_id, starts_at=at("2026-11-02 08:00"),
              ends_at=at("2026-11-02 20:00"))
    _work_orders(agent, case, crew["tianjin"], 3, cancel=1)
    _work_orders(agent, case, crew["category"], 1)
    # when
    ranking = rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW)
    # then
    assert (ranking.case_number, ranking.site_name, ranking.candidates_total) == (
        case.number, "北京北收费站", 4)
    assert ranking.needs.on_site_due_at == at("2026-11-02 14:00")
    assert ranking.on_site_clock_state == "running"
    assert [
        (item.rank, item.candidate.username, item.score, item.skill_match.value, item.distance_km,
         item.candidate.is_on_duty, item.candidate.open_work_orders, item.is_at_capacity,
         item.arrival_at, item.arrives_in_time, item.margin_minutes)
        for item in ranking.items
    ] == [
        (1, "near", 99.0, "product", 10.0, True, 0, False, NOW + dt.timedelta(minutes=30), True, 180),
        (2, "category", 57.0, "category", 60.0, False, 1, False, NOW + dt.timedelta(minutes=80),
         True, 130),
        (3, "unskilled", 39.9, "none", 1.0, False, 0, False, NOW + dt.timedelta(minutes=21), True,
         189),
        (4, "tianjin", 40.0, "product", None, False, 2, True, NOW + dt.timedelta(minutes=260), False,
         -50),
    ]
    assert ranking.items[0].candidate.team_code == "field-beijing"
    assert ranking.items[0].candidate.name == "近工"


def test_the_candidates_are_the_technicians_the_roster_knows(dispatcher, crew, rsu):
    # given an inactive profile, a profile whose user left, and another product's specialist
    technician_update(technician_id=crew["unskilled"].pk, changes={"is_active": False})
    crew["category"].user.is_active = False
    crew["category"].user.save(update_fields=["is_active"])
    camera = product_create(model="CAM-1", name="车道摄像机", category="摄像机")
    make_technician("camera", product_ids=[camera.pk, rsu.pk], product_categories=["摄像机"])
    # when
    candidates = dispatch_candidates(now=NOW, product_id=rsu.pk)
    # then dispatch reads the same technicians as the roster's selector...
    assert {(c.technician_id, c.user_id, c.username, c.name, c.team_code, c.region,
             c.product_categories, c.capacity) for c in candidates} == {
        (t.technician_id, t.user_id, t.username, t.name, t.team_code, t.region,
         t.product_categories, t.max_concurrent_work_orders) for t in technicians_for()}
    assert {c.username for c in candidates} == {"near", "tianjin", "camera"}
    # ...and finds the same ones skilled for the product, knowing only of that product
    assert {c.technician_id for c in candidates if c.product_ids} == {
        t.technician_id for t in technicians_for(product=rsu)}
    assert {c.product_ids for c in candidates} == {frozenset({rsu.pk})}


def test_coordinates_come_as_floats_and_missing_ones_as_none(crew):
    by_name = {c.username: c for c in dispatch_candidates(now=NOW)}
    assert (by_name["near"].latitude, by_name["near"].longitude) == (
        pytest.approx(39.9 + 10 / 111.195, abs=1e-6), 116.4)
    assert (by_name["tianjin"].latitude, by_name["tianjin"].longitude) == (None, None)
    assert {c.product_ids for c in by_name.values()} == {frozenset()}


def test_inactive_technicians_are_not_candidates(dispatcher, case, crew):
    technician_update(technician_id=crew["unskilled"].pk, changes={"is_active": False})
    ranking = rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW)
    assert [item.candidate.username for item in ranking.items] == ["near", "category", "tianjin"]


def test_open_work_orders_are_counted_per_technician_over_open_statuses_only(agent, case, crew):
    _work_orders(agent, case, crew["near"], 3, cancel=2)
    _work_orders(agent, case, crew["tianjin"], 2)
    work_order_services.work_order_create(actor=agent, case_id=case.pk, kind="inspection", now=T0)
    assert open_work_order_counts() == {crew["near"].user_id: 1, crew["tianjin"].user_id: 2}


def test_the_query_count_is_fixed_whatever_the_number_of_technicians(
        django_assert_num_queries, dispatcher, agent, case, crew, field_team):
    # given
    shift_add(team=field_team, user_id=crew["near"].user_id, starts_at=at("2026-11-02 08:00"),
              ends_at=at("2026-11-02 20:00"))
    _work_orders(agent, case, crew["near"], 2)
    # then: case, on-site clock, technicians, their products, on duty, open work orders
    with django_assert_num_queries(6):
        small = rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW)
    for number in range(12):
        make_technician(f"extra{number:02d}", km_north=number * 5.0,
                        product_categories=["路侧单元"])
    with django_assert_num_queries(6):
        large = rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW, limit=50)
    assert (small.candidates_total, large.candidates_total, len(large.items)) == (4, 16, 16)


def test_the_limit_cuts_the_list_but_not_the_total(dispatcher, case, crew):
    ranking = rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW, limit=2)
    assert ([item.candidate.username for item in ranking.items], ranking.candidates_total) == (
        ["near", "category"], 4)


@pytest.mark.parametrize("limit", [0, 101, -3])
def test_a_limit_out_of_range_names_the_field(dispatcher, case, limit):
    with pytest.raises(ValidationFailed) as refused:
        rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW, limit=limit)
    assert refused.value.field == "limit"


def test_a_naive_now_names_the_field(dispatcher, case):
    with pytest.raises(ValidationFailed) as refused:
        rank_technicians(actor=dispatcher, case_id=case.pk, now=dt.datetime(2026, 11, 2, 10, 30))
    assert refused.value.field == "now"


def test_the_site_of_the_asset_serves_when_the_case_names_no_site(agent, dispatcher, acme,
                                                                   diamond_contract, rsu_asset, crew):
    case = open_case(agent, acme, asset_id=rsu_asset.pk)
    ranking = rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW)
    assert (ranking.site_name, ranking.needs.region, ranking.needs.latitude) == (
        "北京北收费站", "北京", 39.9)
    assert ranking.items[0].distance_km == 10.0


def test_a_case_without_asset_or_site_is_ranked_without_skill_or_place(agent, dispatcher, acme,
                                                                        diamond_contract, crew):
    case = open_case(agent, acme)
    ranking = rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW)
    assert (ranking.product_name, ranking.site_name, ranking.needs.product_id) == ("", "", None)
    assert {item.skill_match.value for item in ranking.items} == {"none"}
    assert {item.proximity.value for item in ranking.items} == {"unknown"}
    # all score 10 (free capacity) and arrive together, so by name (code point order)
    assert [item.candidate.name for item in ranking.items] == ["津工", "生工", "类工", "近工"]


def test_once_someone_is_on_site_there_is_no_deadline_to_meet(agent, dispatcher, case, crew):
    case_services.case_acknowledge(actor=agent, case_id=case.pk, now=at("2026-11-02 10:05"))
    case_services.case_check_in(actor=agent, case_id=case.pk, note="已到场", now=at("2026-11-02 10:20"))
    ranking = rank_technicians(actor=dispatcher, case_id=case.pk, now=NOW)
    assert (ranking.on_site_clock_state, ranking.needs.on_site_due_at) == ("met", None)
    assert {item.arrives_in_time for item in ranking.items} == {None}


@pytest.mark.parametrize("role_user", ["admin", "manager", "dispatcher", "agent"])
def test_staff_who_dispatch_or_answer_the_hotline_may_read_the_list(request, role_user, case, crew):
    actor = request.getfixturevalue(role_user)
    assert len(rank_technicians(actor=actor, case_id=case.pk, now=NOW).items) == 4


def test_an_engineer_may_not_read_the_list(bob, case):
    with pytest.raises(PermissionDenied):
        rank_technicians(actor=bob, case_id=case.pk, now=NOW)


def test_a_customer_user_gets_403_for_its_own_case_and_404_for_another_customers(alice, charlie,
                                                                                 case):
    with pytest.raises(PermissionDenied):
        rank_technicians(actor=alice, case_id=case.pk, now=NOW)
    with pytest.raises(NotFound) as hidden:
        rank_technicians(actor=charlie, case_id=case.pk, now=NOW)
    assert hidden.value.code == "case_not_found"


def test_an_unknown_or_malformed_case_id_is_404(dispatcher):
    for case_id in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        with pytest.raises(NotFound):
            rank_technicians(actor=dispatcher, case_id=case_id, now=NOW)
