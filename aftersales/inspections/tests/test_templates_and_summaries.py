"""Withdrawing a checklist template, and the per-plan summary of occurrences the plan list shows."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from aftersales.inspections import selectors, services
from aftersales.inspections.models import InspectionOccurrence
from aftersales.inspections.tests.factories import at, checklist, field_team, make_plan

pytestmark = pytest.mark.django_db


def test_a_template_is_withdrawn_and_offered_again(manager):
    template = checklist(manager)
    services.checklist_template_set_active(actor=manager, code=template.code, is_active=False)
    assert list(selectors.checklist_templates(active_only=True)) == []
    assert [t.code for t in selectors.checklist_templates()] == [template.code]
    with pytest.raises(Conflict) as twice:
        services.checklist_template_set_active(actor=manager, code=template.code, is_active=False)
    assert twice.value.field == "is_active"
    services.checklist_template_set_active(actor=manager, code=template.code, is_active=True)
    assert [t.code for t in selectors.checklist_templates(active_only=True)] == [template.code]


def test_only_planners_withdraw_templates_and_unknown_ones_are_404(manager, bob):
    template = checklist(manager)
    with pytest.raises(PermissionDenied):
        services.checklist_template_set_active(actor=bob, code=template.code, is_active=False)
    with pytest.raises(NotFound):
        services.checklist_template_set_active(actor=manager, code="nope", is_active=False)


def test_a_withdrawn_template_is_refused_for_a_new_plan_but_old_plans_go_on(manager, acme_site):
    template = checklist(manager)
    team = field_team()
    plan = make_plan(manager, template=template, team=team, site_id=acme_site.pk)
    services.checklist_template_set_active(actor=manager, code=template.code, is_active=False)
    with pytest.raises(ValidationFailed) as refused:
        make_plan(manager, template=template, team=team, site_id=acme_site.pk, name="另一个")
    assert refused.value.field == "template"
    assert services.occurrences_plan(through=dt.date(2026, 11, 3), plans=[plan]) == 2


def test_plan_summaries_count_open_overdue_and_completed_and_find_the_next(manager, acme_site):
    plan = make_plan(manager, template=checklist(manager), team=field_team(), site_id=acme_site.pk)
    other = make_plan(manager, template=checklist(manager, code="other"), team=field_team(code="f2"),
                      site_id=acme_site.pk, name="其他")
    services.occurrences_plan(through=dt.date(2026, 11, 8))
    services.occurrences_flag_overdue(now=at("2026-11-04 08:00"))  # the 2nd and 3rd are overdue
    InspectionOccurrence.objects.filter(plan=plan, period_start=dt.date(2026, 11, 5)).update(status="completed")
    summaries = selectors.plan_summaries([plan.pk], today=dt.date(2026, 11, 5))
    assert set(summaries) == {plan.pk}
    summary = summaries[plan.pk]
    assert (summary.open_count, summary.overdue_count, summary.completed_count) == (6, 2, 1)
    assert summary.next_on == dt.date(2026, 11, 6)
    assert selectors.plan_summaries([other.pk], today=dt.date(2026, 11, 9))[other.pk].next_on is None
