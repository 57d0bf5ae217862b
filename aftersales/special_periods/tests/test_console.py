from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.roster.models import Shift
from aftersales.special_periods.models import SpecialPeriod, StandbyResource
from aftersales.special_periods.tests.factories import make_depot, make_part

pytestmark = pytest.mark.django_db


def _page(period):
    return reverse("console:special-period", args=[period.pk])


def test_the_list_shows_periods_and_the_create_link_to_planners(client_for, manager, period):
    response = client_for(manager).get(reverse("console:special-periods"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "2030 年春节保障" in body
    assert reverse("console:special-periods-create") in body


def test_a_planner_creates_a_period_from_the_form_once(client_for, manager, team):
    client = client_for(manager)
    form = {"name": "重大活动保障：马拉松", "kind": "major_event", "starts_at": "2030-04-20T06:00",
            "ends_at": "2030-04-20T18:00", "teams": ["field-north"], "is_round_the_clock": "on",
            "idempotency_key": "abc"}
    first = client.post(reverse("console:special-periods-create"), form)
    again = client.post(reverse("console:special-periods-create"), form)
    period = SpecialPeriod.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == _page(period)
    assert (period.kind, period.created_by, list(period.teams.values_list("code", flat=True))) == (
        "major_event", manager, ["field-north"])


def test_an_invalid_form_is_shown_again_with_the_error_at_its_field(client_for, manager):
    response = client_for(manager).post(reverse("console:special-periods-create"), {
        "name": "寒潮", "kind": "severe_weather", "starts_at": "2030-01-10T00:00", "ends_at": "2030-01-09T00:00",
        "idempotency_key": "x"})
    assert response.status_code == 422
    assert response.context["form"].errors["ends_at"] == ["结束时间须晚于开始时间"]
    assert SpecialPeriod.objects.count() == 0


def test_the_period_page_shows_the_readiness_panel(client_for, manager, period):
    response = client_for(manager).get(_page(period))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-ready="false"' in body
    assert "未指定保障值班组" not in body  # the period has a team
    assert "北区现场组 有 1 处值班空档" in body
    assert response.context["duty_form"] is not None


def test_duty_is_added_and_an_overlap_is_shown_on_the_form(client_for, manager, bob, period):
    client = client_for(manager)
    url = reverse("console:special-period-duty-create", args=[period.pk])
    form = {"team": "field-north", "user": bob.pk, "starts_at": "2030-02-02T08:00", "ends_at": "2030-02-02T20:00",
            "idempotency_key": "d1"}
    assert client.post(url, form)["Location"] == _page(period) + "#duty"
    clash = client.post(url, {**form, "starts_at": "2030-02-02T10:00", "idempotency_key": "d2"})
    assert clash.status_code == 409
    assert "与已有班次重叠" in clash.context["duty_form"].errors["starts_at"][0]
    assert Shift.objects.count() == 1
    page = client.get(_page(period)).content.decode()
    assert f'data-duty="{Shift.objects.get().special_period_duty.pk}"' in page
    assert "加班值班 1 班，1 人" in page


def test_plan_resource_and_transitions_from_the_page(client_for, manager, period, acme_site):
    client = client_for(manager)
    plan = client.post(reverse("console:special-period-plan-create", args=[period.pk]), {
        "team": "field-north", "site": str(acme_site.pk), "frequency": "daily", "starts_on": "2030-01-30",
        "ends_on": "2030-02-01", "idempotency_key": "p1"})
    assert plan.status_code == 302
    depot, part = make_depot(), make_part()
    resource = client.post(reverse("console:special-period-resource-create", args=[period.pk]), {
        "kind": "spare_part", "part": str(part.pk), "depot": str(depot.pk), "quantity": 2, "idempotency_key": "r1"})
    assert resource.status_code == 302
    page = client.get(_page(period)).content.decode()
    assert "RSU-ANT-01 RSU 天线板卡" in page
    assert "缺 2" in page
    removed = client.post(reverse("console:special-period-resource-delete",
                                  args=[period.pk, StandbyResource.objects.get().pk]))
    assert removed.status_code == 302
    assert StandbyResource.objects.count() == 0
    activate = client.post(reverse("console:special-period-action", args=[period.pk, "activate"]))
    assert activate.status_code == 302
    close_twice = client.post(reverse("console:special-period-action", args=[period.pk, "activate"]))
    assert close_twice.status_code == 409
    assert SpecialPeriod.objects.get().status == "active"


def test_the_checklist_is_made_from_the_page(client_for, manager, period):
    response = client_for(manager).post(reverse("console:special-period-checklist-create", args=[period.pk]),
                                        {"name": "春节保障检查表（二）", "items": "发电机试机\n\n消防设施完好\n"})
    assert response.status_code == 302
    period.refresh_from_db()
    assert list(period.checklist.items.values_list("label", flat=True)) == ["发电机试机", "消防设施完好"]


def test_the_update_form_refuses_a_stale_version(client_for, manager, period):
    client = client_for(manager)
    url = reverse("console:special-period-update", args=[period.pk])
    assert client.get(url).status_code == 200
    form = {"name": "改名", "kind": "holiday", "starts_at": "2030-02-02T00:00", "ends_at": "2030-02-09T00:00",
            "teams": ["field-north"], "checklist": "spring", "version": 1}
    assert client.post(url, form).status_code == 302
    stale = client.post(url, {**form, "name": "再改"})
    assert stale.status_code == 412
    assert SpecialPeriod.objects.get().name == "改名"


def test_customer_users_get_404_and_readers_cannot_post(client_for, alice, bob, period):
    assert client_for(alice).get(reverse("console:special-periods")).status_code == 404
    assert client_for(alice).get(_page(period)).status_code == 404
    engineer = client_for(bob)
    assert engineer.get(_page(period)).status_code == 200
    assert engineer.get(_page(period)).context["can_act"] is False
    assert engineer.post(reverse("console:special-period-action", args=[period.pk, "activate"])).status_code == 403
    assert engineer.get(reverse("console:special-periods-create")).status_code == 403
    assert SpecialPeriod.objects.get().status == "draft"
