"""Readiness figures against hand-built fixtures: a duty gap, parts short, inspections overdue."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.inspections import services as inspections
from aftersales.inspections.models import InspectionOccurrence
from aftersales.loans.models import SubstituteUnit, UnitStatus
from aftersales.roster.services import shift_add
from aftersales.special_periods import selectors, services
from aftersales.special_periods.tests.factories import (
    NOW,
    at,
    make_depot,
    make_part,
    make_period,
    make_team,
)

pytestmark = pytest.mark.django_db


def _duty(period, actor, user, starts, ends):
    services.period_duty_add(actor=actor, period_id=period.pk, team_code="field-north", user_id=user.pk,
                             starts_at=at(starts), ends_at=at(ends), now=at(NOW))


def test_a_gap_in_the_period_is_found_for_the_team_and_the_period_is_not_ready(period, manager, bob, agent):
    # given bob from the start to the 5th, the agent from the 5th at noon to the end
    _duty(period, manager, bob, "2030-02-02 00:00", "2030-02-05 00:00")
    _duty(period, manager, agent, "2030-02-05 12:00", "2030-02-09 00:00")
    # when
    ready = selectors.period_readiness(period, now=at(NOW))
    # then
    cover = ready.duty.teams[0]
    assert [(g.starts_at, g.ends_at) for g in cover.gaps] == [(at("2030-02-05 00:00"), at("2030-02-05 12:00"))]
    assert (cover.team_code, cover.gap_minutes) == ("field-north", 720)
    assert (ready.duty.state, ready.duty.duty_count, ready.duty.people_count) == ("warning", 2, 2)
    assert ready.duty.reasons == ["北区现场组 有 1 处值班空档（共 12.0 小时），最早 02-05 00:00 至 02-05 12:00"]
    assert ready.is_ready is False
    assert ready.duty.reasons[0] in ready.reasons


def test_a_fully_covered_period_has_no_duty_warning(period, manager, bob, agent, team):
    # given an ordinary shift of the team counts as cover too
    shift_add(team=team, user_id=agent.pk, starts_at=at("2030-02-01 00:00"), ends_at=at("2030-02-05 00:00"))
    _duty(period, manager, bob, "2030-02-05 00:00", "2030-02-09 00:00")
    ready = selectors.period_readiness(period, now=at(NOW))
    assert (ready.duty.state, ready.duty.reasons, ready.duty.teams[0].gaps) == ("ok", [], [])


def test_the_teams_of_extra_duty_count_even_when_not_named(manager, bob):
    # given a period without teams: nothing to cover is itself a warning
    period = make_period(manager)
    ready = selectors.period_readiness(period, now=at(NOW))
    assert ready.duty.reasons == ["未指定保障值班组，也没有安排加班值班"]
    # when another team's shift is added as extra duty, that team must cover the whole period
    make_team("field-south", name="南区现场组")
    services.period_duty_add(actor=manager, period_id=period.pk, team_code="field-south", user_id=bob.pk,
                             starts_at=at("2030-02-02 00:00"), ends_at=at("2030-02-09 00:00"), now=at(NOW))
    ready = selectors.period_readiness(period, now=at(NOW))
    assert [(c.team_code, c.gaps) for c in ready.duty.teams] == [("field-south", [])]
    assert ready.duty.state == "ok"


def test_parts_held_short_of_what_the_depot_has_are_a_warning(period, manager):
    # given 2 in stock where 4 are wanted, and enough of another part
    depot = make_depot()
    short = make_part("RSU-ANT-01", depot=depot, stock=2)
    enough = make_part("UPS-BAT-12", depot=depot, stock=30)
    for part, quantity in ((short, 4), (enough, 20)):
        services.period_resource_add(actor=manager, period_id=period.pk, kind="spare_part", part_id=part.pk,
                                     depot_id=depot.pk, quantity=quantity, now=at(NOW))
    # when
    ready = selectors.period_readiness(period, now=at(NOW))
    # then
    lines = {line.part_code: (line.required, line.available, line.shortage) for line in ready.parts.lines}
    assert lines == {"RSU-ANT-01": (4, 2, 2), "UPS-BAT-12": (20, 30, 0)}
    assert ready.parts.state == "warning"
    assert ready.parts.reasons == ["bj-1 备件库 的备件 RSU-ANT-01 需备 4，可用 2，缺 2"]


def test_substitute_units_are_counted_from_the_available_pool(period, manager, acme_asset):
    depot = make_depot()
    product = acme_asset.product
    SubstituteUnit.objects.create(product=product, depot=depot, serial_number="SUB-1")
    SubstituteUnit.objects.create(product=product, depot=depot, serial_number="SUB-2", status=UnitStatus.ON_LOAN)
    services.period_resource_add(actor=manager, period_id=period.pk, kind="substitute_unit",
                                 product_id=product.pk, depot_id=depot.pk, quantity=2, now=at(NOW))
    ready = selectors.period_readiness(period, now=at(NOW))
    line = ready.units.lines[0]
    assert (line.description, line.required, line.available, line.shortage) == ("RSU-1 ETC 路侧单元", 2, 1, 1)
    assert (ready.units.state, ready.units.pool_available) == ("warning", 1)


def test_no_substitute_unit_wanted_is_ok_and_shows_the_pool(period):
    ready = selectors.period_readiness(period, now=at(NOW))
    assert (ready.units.state, ready.units.lines, ready.units.pool_available) == ("ok", [], 0)
    assert (ready.parts.state, ready.parts.lines) == ("ok", [])


def test_no_pre_inspection_is_a_warning(period):
    ready = selectors.period_readiness(period, now=at(NOW))
    assert ready.inspections.reasons == ["还没有安排保障预检"]


def test_pre_inspections_done_overdue_and_failed_are_counted(period, manager, bob, team, acme_site,
                                                            diamond_contract):
    # given a daily pre-inspection from 30 January to 1 February, dispatched
    link, _ = services.period_plan_add(actor=manager, period_id=period.pk, team_code=team.code,
                                       site_id=acme_site.pk, starts_on=dt.date(2030, 1, 30),
                                       ends_on=dt.date(2030, 2, 1), now=at(NOW))
    inspections.occurrences_plan(through=dt.date(2030, 2, 1))
    inspections.occurrences_dispatch(now=at("2030-01-30 07:00"), horizon_days=7)
    first, _second, _third = InspectionOccurrence.objects.filter(plan=link.plan).order_by("period_start")
    # and the first done with the generator failing its test
    items = {item.label: item.pk for item in link.plan.template.items.all()}
    inspections.inspection_submit(actor=bob, occurrence_id=first.pk, now=at("2030-01-30 15:00"), items=[
        {"item_id": items["备用发电机试机"], "is_passed": False, "note": "无法启动"},
        {"item_id": items["应急备件到位"], "is_passed": True},
    ])
    # when asked on 1 February at noon: the 31st is past its day
    ready = selectors.period_readiness(period, now=at("2030-02-01 12:00"))
    # then
    section = ready.inspections
    assert (section.plan_count, section.planned, section.done, section.overdue, section.cancelled) == (1, 2, 1, 1, 0)
    assert [(i.label, i.case_number is not None, i.case_is_open) for i in section.failed_items] == [
        ("备用发电机试机", True, True)]
    assert section.state == "warning"
    assert section.reasons == ["1 次预检已超期未完成", "1 项预检不合格尚未处理完毕"]
    assert ready.is_ready is False


def test_a_period_with_everything_in_place_is_ready(manager, bob, team, acme, acme_site, checklist):
    # given cover for the whole period, parts in stock, no pre-inspection overdue
    period = make_period(manager, team_codes=[team.code], checklist_code=checklist.code)
    _duty(period, manager, bob, "2030-02-02 00:00", "2030-02-09 00:00")
    services.period_plan_add(actor=manager, period_id=period.pk, team_code=team.code, site_id=acme_site.pk,
                             starts_on=dt.date(2030, 1, 30), ends_on=dt.date(2030, 2, 1), now=at(NOW))
    depot = make_depot()
    part = make_part(depot=depot, stock=5)
    services.period_resource_add(actor=manager, period_id=period.pk, kind="spare_part", part_id=part.pk,
                                 depot_id=depot.pk, quantity=5, now=at(NOW))
    # when
    ready = selectors.period_readiness(period, now=at(NOW))
    # then
    assert (ready.is_ready, ready.reasons) == (True, [])
