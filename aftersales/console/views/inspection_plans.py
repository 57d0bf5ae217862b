"""Inspection-plan pages (巡检计划): the plans with their next and overdue occurrences, a new
plan, a plan's page (its occurrences, changes, stop and restart) and the checklist templates.

Every staff role reads; dispatchers, managers and admins plan (the services' PLANNING_ROLES);
customer users get 404 (staff_only)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.console.forms_inspections import (
    ChecklistItemFormSet,
    PlanCreateForm,
    PlanEditForm,
    PlanFilterForm,
    PlanStateForm,
    TemplateForm,
)
from aftersales.console.views.access import staff_only
from aftersales.console.views.form_keys import made_by_key, remember_key
from aftersales.console.views.refusals import flash_refusal, show_refusal
from aftersales.core.errors import DomainError
from aftersales.inspections import selectors, services
from aftersales.inspections.models import InspectionPlan, OccurrenceStatus
from aftersales.inspections.services import PLANNING_ROLES

PAGE = 50
RECENT_OCCURRENCES = 20
UPCOMING_OCCURRENCES = 10

# Service field names the forms call otherwise.
ALIASES = {"asset_ids": "assets"}


def _can_plan(request: HttpRequest) -> bool:
    return getattr(request.user, "role", None) in PLANNING_ROLES


def _require_planner(request: HttpRequest) -> None:
    if not _can_plan(request):
        raise PermissionDenied




def _plan_url(plan_id: Any) -> str:
    return reverse("console:inspection-plan", args=[plan_id])


@login_required
@staff_only
def plan_list_page(request: HttpRequest) -> HttpResponse:
    filters = PlanFilterForm(request.GET or {"state": "active"})
    data = filters.cleaned_data if filters.is_valid() else {"state": "active"}
    plans = selectors.plan_list(user=request.user)
    if data.get("customer"):
        plans = plans.filter(customer_id=data["customer"])
    if data.get("kind"):
        plans = plans.filter(kind=data["kind"])
    if data.get("state"):
        plans = plans.filter(is_active=data["state"] == "active")
    offset = data.get("offset") or 0
    found = list(plans[offset:offset + PAGE + 1])
    shown = found[:PAGE]
    summaries = selectors.plan_summaries([plan.pk for plan in shown], today=timezone.localdate())
    query = request.GET.copy()
    query.pop("offset", None)
    return render(request, "console/inspections/plans.html", {
        "rows": [{"plan": plan, "summary": summaries.get(plan.pk)} for plan in shown],
        "filters": filters, "can_plan": _can_plan(request),
        "next_offset": offset + PAGE if len(found) > PAGE else None,
        "previous_offset": max(0, offset - PAGE) if offset else None, "query": query.urlencode(),
    })


@login_required
@staff_only
def plan_new(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    form = PlanCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")
        made = made_by_key(request, "inspection-plan", key) if key else None
        if made is not None:
            return HttpResponseRedirect(_plan_url(made))
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.plan_create(
                    actor=request.user, name=data["name"], kind=data["kind"], site_id=data["site"],
                    asset_id=data["asset"], asset_ids=data["assets"], frequency=data["frequency"],
                    interval_days=data["interval_days"], day_basis=data["day_basis"],
                    calendar_code=data["calendar"] or None, template_code=data["template"],
                    team_code=data["team"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                )
            except DomainError as refused:
                status = show_refusal(form, refused, aliases=ALIASES)
            else:
                remember_key(request, "inspection-plan", data["idempotency_key"], plan.pk)
                messages.success(request, _("巡检计划已创建；巡检任务由定时任务按周期生成。"))
                return HttpResponseRedirect(_plan_url(plan.pk))
    return render(request, "console/inspections/plan_new.html", {"form": form}, status=status)


def _plan_context(request: HttpRequest, plan: InspectionPlan, *, edit_form: PlanEditForm | None = None) -> dict[str, Any]:
    today = timezone.localdate()
    occurrences = selectors.occurrence_list(user=request.user, plan_id=plan.pk)
    upcoming = list(occurrences.filter(scheduled_on__gte=today,
                                       status__in=[OccurrenceStatus.PLANNED, OccurrenceStatus.SCHEDULED])
                    [:UPCOMING_OCCURRENCES])
    recent = list(occurrences.filter(scheduled_on__lt=today).order_by("-scheduled_on", "-id")[:RECENT_OCCURRENCES])
    can_plan = _can_plan(request)
    if edit_form is None and can_plan:
        edit_form = PlanEditForm(initial={"version": plan.version, "name": plan.name, "template": plan.template.code,
                                          "team": plan.team.code, "ends_on": plan.ends_on})
    return {
        "plan": plan, "upcoming": upcoming, "recent": recent, "can_plan": can_plan, "edit_form": edit_form,
        "summary": selectors.plan_summaries([plan.pk], today=today).get(plan.pk),
        "group": list(plan.assets.select_related("product").order_by("serial_number")),
        "items": list(plan.template.items.order_by("position")),
    }


@login_required
@staff_only
def plan_page(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    plan = selectors.get_plan_for_user(request.user, plan_id)
    return render(request, "console/inspections/plan.html", _plan_context(request, plan))


@require_POST
@login_required
@staff_only
def plan_edit(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    _require_planner(request)
    plan = selectors.get_plan_for_user(request.user, plan_id)
    form = PlanEditForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(actor=request.user, plan_id=plan.pk, expected_version=data["version"],
                                 name=data["name"], template_code=data["template"], team_code=data["team"],
                                 ends_on=data["ends_on"])
        except DomainError as refused:
            status = show_refusal(form, refused, aliases=ALIASES)
        else:
            messages.success(request, _("巡检计划已保存。"))
            return HttpResponseRedirect(_plan_url(plan.pk))
    return render(request, "console/inspections/plan.html", _plan_context(request, plan, edit_form=form),
                  status=status)


@require_POST
@login_required
@staff_only
def plan_set_active(request: HttpRequest, plan_id: uuid.UUID, state: str) -> HttpResponse:
    """Stop a plan (its occurrences not yet dispatched are cancelled) or start it again."""
    _require_planner(request)
    plan = selectors.get_plan_for_user(request.user, plan_id)
    form = PlanStateForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.plan_update(actor=request.user, plan_id=plan.pk, expected_version=version,
                             is_active=state == "activate")
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, _("巡检计划已启用。") if state == "activate"
                         else _("巡检计划已停用，未派工的巡检任务已取消。"))
    return HttpResponseRedirect(_plan_url(plan.pk))


@login_required
@staff_only
def template_list_page(request: HttpRequest) -> HttpResponse:
    return render(request, "console/inspections/templates.html", {
        "templates": selectors.checklist_templates(), "can_plan": _can_plan(request),
    })


def _item_rows(formset: Any) -> list[dict[str, Any]]:
    """The lines of the formset that carry a label, in order: what the service receives."""
    rows = []
    for item in formset.forms:
        data = item.cleaned_data
        if data.get("label", "").strip():
            rows.append({key: data.get(key) for key in (
                "label", "kind", "expected_min", "expected_max", "unit", "expected_text", "is_photo_required")})
    return rows


@login_required
@staff_only
def template_new(request: HttpRequest) -> HttpResponse:
    _require_planner(request)
    form = TemplateForm(request.POST or None)
    items = ChecklistItemFormSet(request.POST or None, prefix="items")
    status = 200
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")
        if key and made_by_key(request, "checklist-template", key) is not None:
            return HttpResponseRedirect(reverse("console:inspection-templates"))
        status = 422
        if form.is_valid() and items.is_valid():
            try:
                template = services.checklist_template_create(
                    actor=request.user, code=form.cleaned_data["code"], name=form.cleaned_data["name"],
                    items=_item_rows(items))
            except DomainError as refused:
                if refused.status == 404:
                    raise
                status = refused.status
                field = refused.field or ""
                if field.startswith("items[") and "]" in field:
                    # "items[2].label" is the third line with a label: find its form
                    labelled = [f for f in items.forms if f.cleaned_data.get("label", "").strip()]
                    index = int(field[6:field.index("]")])
                    name = field.partition("].")[2]
                    target = labelled[index] if 0 <= index < len(labelled) else None
                    if target is not None:
                        target.add_error(name if name in target.fields else None, refused.detail)
                    else:
                        form.add_error(None, refused.detail)
                else:
                    form.add_error(field if field in form.fields else None, refused.detail)
            else:
                remember_key(request, "checklist-template", form.cleaned_data["idempotency_key"], template.pk)
                messages.success(request, _("检查表“%(name)s”已创建。") % {"name": template.name})
                return HttpResponseRedirect(reverse("console:inspection-templates"))
    return render(request, "console/inspections/template_new.html", {"form": form, "items": items},
                  status=status)


@require_POST
@login_required
@staff_only
def template_set_active(request: HttpRequest, code: str, state: str) -> HttpResponse:
    _require_planner(request)
    try:
        template = services.checklist_template_set_active(actor=request.user, code=code,
                                                          is_active=state == "activate")
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, (_("检查表“%(name)s”已启用。") if template.is_active
                                   else _("检查表“%(name)s”已停用，新计划不能再选它。")) % {"name": template.name})
    return HttpResponseRedirect(reverse("console:inspection-templates"))
