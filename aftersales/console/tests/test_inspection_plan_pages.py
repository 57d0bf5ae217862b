"""The inspection-plan pages: plans listed with their next and overdue occurrences, a new plan
(keyed: a double submit makes one), a plan's page, changes with a stale version refused,
stopping and restarting, and checklist templates."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.inspections import services
from aftersales.inspections.models import ChecklistTemplate, InspectionOccurrence, InspectionPlan
from aftersales.inspections.tests.factories import at, checklist, field_team, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(manager, acme_site):
    template = checklist(manager)
    plan = make_plan(manager, template=template, team=field_team(), site_id=acme_site.pk,
                     starts_on=dt.date(2026, 11, 2))
    services.occurrences_plan(through=dt.date(2026, 11, 10))
    return plan


def test_the_list_shows_each_plan_with_its_open_and_overdue_occurrences(client_for, manager, plan):
    services.occurrences_flag_overdue(now=at("2026-11-05 08:00"))
    page = client_for(manager).get("/console/inspections/")
    assert page.status_code == 200
    text = page.content.decode()
    assert plan.name in text
    assert "新建巡检计划" in text
    row = text[text.index(f'data-plan="{plan.pk}"'):]
    # 9 days planned (2–10 Nov), the first three overdue on the 5th
    assert "9 / " in row[:2000]
    assert 'class="clock clock-breached">3<' in row[:2000]


def test_an_engineer_reads_plans_but_cannot_plan(client_for, bob, plan):
    client = client_for(bob)
    assert client.get("/console/inspections/").status_code == 200
    assert "新建巡检计划" not in client.get("/console/inspections/").content.decode()
    assert client.get("/console/inspections/plans/create/").status_code == 403
    assert client.post(f"/console/inspections/plans/{plan.pk}/deactivate", {"version": 1}).status_code == 403


def test_customer_users_get_404(client_for, alice, plan):
    client = client_for(alice)
    assert client.get("/console/inspections/").status_code == 404
    assert client.get(f"/console/inspections/plans/{plan.pk}/").status_code == 404


def test_a_plan_is_created_once_however_often_the_form_is_sent(client_for, manager, acme_site):
    template = checklist(manager)
    team = field_team()
    client = client_for(manager)
    form = client.get("/console/inspections/plans/create/")
    assert form.status_code == 200
    key = form.context["form"].initial["idempotency_key"]
    data = {"idempotency_key": key, "name": "机房周检", "kind": "regular", "site": str(acme_site.pk),
            "frequency": "weekly", "day_basis": "calendar", "template": template.code, "team": team.code,
            "starts_on": "2026-11-02"}
    first = client.post("/console/inspections/plans/create/", data)
    again = client.post("/console/inspections/plans/create/", data)
    plan = InspectionPlan.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/console/inspections/plans/{plan.pk}/"
    assert plan.frequency == "weekly"
    assert plan.site_id == acme_site.pk
    assert "机房周检" in client.get(first["Location"]).content.decode()


def test_a_refused_plan_shows_the_reason_at_its_field(client_for, manager, acme_site, acme_asset):
    template = checklist(manager)
    team = field_team()
    client = client_for(manager)
    base = {"idempotency_key": "k1", "name": "x", "kind": "regular", "frequency": "every_n_days",
            "day_basis": "calendar", "template": template.code, "team": team.code, "starts_on": "2026-11-02"}
    # two targets at once
    both = client.post("/console/inspections/plans/create/",
                       {**base, "site": str(acme_site.pk), "asset": str(acme_asset.pk), "interval_days": "3"})
    assert both.status_code == 422
    assert "请选择一个站点、一台设备或一组设备" in both.context["form"].errors["site"][0]
    # every N days without N
    no_interval = client.post("/console/inspections/plans/create/", {**base, "idempotency_key": "k2",
                                                                      "site": str(acme_site.pk)})
    assert no_interval.status_code == 422
    assert "interval_days" in no_interval.context["form"].errors
    # a special-period plan without an end date
    special = client.post("/console/inspections/plans/create/", {**base, "idempotency_key": "k3", "kind": "holiday",
                                                                  "frequency": "daily", "site": str(acme_site.pk)})
    assert special.status_code == 422
    assert "ends_on" in special.context["form"].errors
    assert not InspectionPlan.objects.exists()


def test_the_plan_page_shows_occurrences_and_changes_with_the_version(client_for, manager, plan):
    client = client_for(manager)
    url = f"/console/inspections/plans/{plan.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "天线外观完好" in page.content.decode()
    saved = client.post(f"{url}update/", {"version": plan.version, "name": "北站日检（新）",
                                          "template": plan.template.code, "team": plan.team.code,
                                          "ends_on": "2026-11-06"})
    assert saved.status_code == 302
    plan.refresh_from_db()
    assert plan.name == "北站日检（新）"
    assert plan.ends_on == dt.date(2026, 11, 6)
    # occurrences after the new end are cancelled
    assert InspectionOccurrence.objects.filter(plan=plan, period_start__gt=dt.date(2026, 11, 6),
                                               status="cancelled").count() == 4
    # a form from before that change is refused, not applied over it
    stale = client.post(f"{url}update/", {"version": plan.version - 1, "name": "旧名", "template": plan.template.code,
                                          "team": plan.team.code})
    assert stale.status_code == 412
    assert "已被他人修改" in stale.content.decode()
    plan.refresh_from_db()
    assert plan.name == "北站日检（新）"


def test_stopping_and_restarting_a_plan(client_for, manager, plan):
    client = client_for(manager)
    url = f"/console/inspections/plans/{plan.pk}/"
    client.post(f"{url}deactivate", {"version": plan.version})
    plan.refresh_from_db()
    assert not plan.is_active
    assert not InspectionOccurrence.objects.filter(plan=plan, status="planned").exists()
    assert "重新启用" in client.get(url).content.decode()
    # stopping it again is refused with the reason
    again = client.post(f"{url}deactivate", {"version": plan.version}, follow=True)
    assert "计划已停用" in again.content.decode()
    client.post(f"{url}activate", {"version": plan.version})
    plan.refresh_from_db()
    assert plan.is_active


def test_a_checklist_is_made_from_the_lines_with_a_label(client_for, manager):
    client = client_for(manager)
    form = client.get("/console/inspections/templates/create/")
    key = form.context["form"].initial["idempotency_key"]
    data = {"idempotency_key": key, "code": "ups-monthly", "name": "UPS 月检",
            "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0",
            "items-0-label": "电池内阻", "items-0-kind": "number", "items-0-expected_max": "8", "items-0-unit": "mΩ",
            "items-1-label": "", "items-1-kind": "pass_fail",
            "items-2-label": "告警灯", "items-2-kind": "pass_fail", "items-2-is_photo_required": "on"}
    assert client.post("/console/inspections/templates/create/", data).status_code == 302
    assert client.post("/console/inspections/templates/create/", data).status_code == 302
    template = ChecklistTemplate.objects.get(code="ups-monthly")
    assert [(i.position, i.label, i.is_photo_required) for i in template.items.order_by("position")] == [
        (1, "电池内阻", False), (2, "告警灯", True)]
    page = client.get("/console/inspections/templates/").content.decode()
    assert "UPS 月检" in page
    assert "电池内阻" in page


def test_a_checklist_line_refused_by_the_service_is_marked(client_for, manager):
    client = client_for(manager)
    data = {"idempotency_key": "t1", "code": "bad", "name": "坏模板",
            "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0",
            "items-0-label": "", "items-0-kind": "pass_fail",
            "items-1-label": "温度", "items-1-kind": "number", "items-1-expected_min": "30",
            "items-1-expected_max": "10"}
    refused = client.post("/console/inspections/templates/create/", data)
    assert refused.status_code == 422
    assert refused.context["items"].forms[1].errors["expected_max"] == ["下限不能大于上限"]
    empty = client.post("/console/inspections/templates/create/", {**data, "idempotency_key": "t2",
                                                                   "items-1-label": ""})
    assert empty.status_code == 422
    assert "检查表至少要有一项" in empty.content.decode()
    assert not ChecklistTemplate.objects.filter(code="bad").exists()


def test_a_withdrawn_checklist_is_no_longer_offered_for_new_plans(client_for, manager):
    template = checklist(manager)
    client = client_for(manager)
    client.post(f"/console/inspections/templates/{template.code}/deactivate")
    template.refresh_from_db()
    assert not template.is_active
    form = client.get("/console/inspections/plans/create/").context["form"]
    assert template.code not in [code for code, _label in form.fields["template"].choices]
    refused = client.post(f"/console/inspections/templates/{template.code}/deactivate", follow=True)
    assert "检查表已停用" in refused.content.decode()
    assert client.post("/console/inspections/templates/nope/activate").status_code == 404
