"""The special-period pages (特殊时期保障): the list of periods, creating one, and the period's
page — its readiness (duty gaps, pre-inspections, stand-by parts, substitute units), its
extra duty, pre-inspection plans, stand-by resources and checklist, the transitions and the
timeline.

Every staff member reads; admins, managers and dispatchers act. A customer user gets the
console's 404, a reader's post is refused (403). Each post parses a form, calls one service
and redirects back; a refusal re-renders the page with the form and its error.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.console.views.access import staff_only
from aftersales.console.views.refusals import flash_refusal, show_refusal
from aftersales.core.errors import DomainError
from aftersales.special_periods import selectors, services
from aftersales.special_periods.forms import (
    ChecklistForm,
    DutyForm,
    PeriodFilterForm,
    PeriodForm,
    PlanForm,
    ResourceForm,
    TransitionForm,
)
from aftersales.special_periods.models import SpecialPeriod

PAGE = 50
# Form field for a service's field name, where they differ.
FIELD_ALIASES = {"site_ids": "sites", "team_codes": "teams", "checklist_code": "checklist", "user_id": "user",
                 "team_code": "team", "status": None, "version": None}


def _role(request: HttpRequest) -> str | None:
    return getattr(request.user, "role", None)


def _require_reader(request: HttpRequest) -> None:
    if _role(request) not in services.READING_ROLES:
        raise Http404


def _require_actor(request: HttpRequest) -> None:
    _require_reader(request)
    if _role(request) not in services.PLANNING_ROLES:
        raise PermissionDenied




def _key(request: HttpRequest, key: str) -> str:
    return f"{request.user.pk}:page:{key}"


def _back(period_id: Any, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("console:special-period", args=[period_id]) + anchor)


# --- list and create -------------------------------------------------------------------------


@login_required
@staff_only
def period_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    filters = PeriodFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    offset = data.get("offset") or 0
    found = list(selectors.period_list(status=data.get("status") or None, kind=data.get("kind") or None,
                                       text=data.get("q") or "")[offset:offset + PAGE + 1])
    query = request.GET.copy()
    query.pop("offset", None)
    return render(request, "console/special_periods/list.html", {
        "filters": filters, "periods": found[:PAGE], "now": timezone.now(),
        "can_act": _role(request) in services.PLANNING_ROLES,
        "offset": offset, "next_offset": offset + PAGE if len(found) > PAGE else None,
        "previous_offset": max(0, offset - PAGE) if offset else None, "query": query.urlencode(),
    })


def _period_arguments(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"], "starts_at": data["starts_at"], "ends_at": data["ends_at"],
        "customer_id": data["customer"] or None, "site_ids": data["sites"], "team_codes": data["teams"],
        "checklist_code": data["checklist"] or None, "is_round_the_clock": data["is_round_the_clock"],
        "note": data["note"],
    }


@login_required
@staff_only
def period_create(request: HttpRequest) -> HttpResponse:
    _require_actor(request)
    if request.method != "POST":
        return render(request, "console/special_periods/form.html", {"form": PeriodForm(), "period": None})
    form = PeriodForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        arguments = _period_arguments(data)
        try:
            period, created = services.period_create(
                actor=request.user, kind=data["kind"], **arguments,
                idempotency_key=_key(request, data["idempotency_key"]),
                fingerprint=services.request_fingerprint({"operation": "period", "kind": data["kind"], **arguments}),
            )
        except DomainError as refused:
            status = show_refusal(form, refused, aliases=FIELD_ALIASES)
        else:
            if created:
                messages.success(request, _("保障期“%(name)s”已创建。") % {"name": period.name})
            return _back(period.pk)
    return render(request, "console/special_periods/form.html", {"form": form, "period": None}, status=status)


# --- the period's page -----------------------------------------------------------------------


def period_context(request: HttpRequest, period: SpecialPeriod, **failed: Any) -> dict[str, Any]:
    """The page, with any failed form (by name) in place of its blank one."""
    can_act = _role(request) in services.PLANNING_ROLES and period.is_open
    context: dict[str, Any] = {
        "period": period, "readiness": selectors.period_readiness(period),
        "duties": list(selectors.period_duties(period)), "plans": list(selectors.period_plans(period)),
        "resources": list(selectors.period_resources(period)), "events": list(selectors.period_events(period)),
        "sites": list(period.sites.order_by("name")), "teams": list(period.teams.order_by("code")),
        "can_act": can_act, "now": timezone.now(),
        "transitions": [action for action, table in services.TRANSITIONS.items() if period.status in table]
        if _role(request) in services.PLANNING_ROLES else [],
    }
    if can_act:
        context.update({
            "duty_form": failed.get("duty_form") or DutyForm(),
            "plan_form": failed.get("plan_form") or PlanForm(period=period),
            "resource_form": failed.get("resource_form") or ResourceForm(),
            "checklist_form": failed.get("checklist_form") or ChecklistForm(),
        })
    context["transition_form"] = failed.get("transition_form") or TransitionForm()
    context["failed_action"] = failed.get("failed_action", "")
    return context


@login_required
@staff_only
def period_page(request: HttpRequest, period_id: uuid.UUID) -> HttpResponse:
    _require_reader(request)
    period = selectors.period_detail(period_id)
    return render(request, "console/special_periods/page.html", period_context(request, period))


def _failed(request: HttpRequest, period_id: uuid.UUID, status: int, **failed: Any) -> HttpResponse:
    period = selectors.period_detail(period_id)
    return render(request, "console/special_periods/page.html", period_context(request, period, **failed),
                  status=status)


@login_required
@staff_only
def period_update(request: HttpRequest, period_id: uuid.UUID) -> HttpResponse:
    _require_actor(request)
    period = selectors.period_detail(period_id)
    if request.method != "POST":
        return render(request, "console/special_periods/form.html", {"form": PeriodForm(period=period),
                                                                     "period": period})
    form = PeriodForm(request.POST, period=period)
    status = 422
    if form.is_valid():
        try:
            services.period_update(actor=request.user, period_id=period.pk,
                                   changes=_period_arguments(form.cleaned_data),
                                   expected_version=form.cleaned_data["version"])
        except DomainError as refused:
            status = show_refusal(form, refused, aliases=FIELD_ALIASES)
        else:
            messages.success(request, _("保障期已修改。"))
            return _back(period.pk)
    return render(request, "console/special_periods/form.html", {"form": form, "period": period}, status=status)


@require_POST
@login_required
@staff_only
def period_action(request: HttpRequest, period_id: uuid.UUID, action: str) -> HttpResponse:
    """activate / close / cancel."""
    _require_actor(request)
    if action not in services.TRANSITIONS:
        raise Http404
    selectors.period_detail(period_id)
    form = TransitionForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            period = services.period_transition(actor=request.user, period_id=period_id, action=action,
                                                reason=form.cleaned_data["reason"])
        except DomainError as refused:
            status = show_refusal(form, refused, aliases=FIELD_ALIASES)
        else:
            messages.success(request, _("保障期“%(name)s”%(action)s。") % {
                "name": period.name, "action": period.get_status_display()})
            return _back(period.pk)
    return _failed(request, period_id, status, transition_form=form, failed_action=action)


@require_POST
@login_required
@staff_only
def checklist_create(request: HttpRequest, period_id: uuid.UUID) -> HttpResponse:
    _require_actor(request)
    selectors.period_detail(period_id)
    form = ChecklistForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            template = services.period_checklist_create(actor=request.user, period_id=period_id,
                                                        name=form.cleaned_data["name"],
                                                        items=form.cleaned_data["items"])
        except DomainError as refused:
            status = show_refusal(form, refused, aliases=FIELD_ALIASES)
        else:
            messages.success(request, _("检查表“%(name)s”已制定。") % {"name": template.name})
            return _back(period_id, "#plans")
    return _failed(request, period_id, status, checklist_form=form)


@require_POST
@login_required
@staff_only
def duty_create(request: HttpRequest, period_id: uuid.UUID) -> HttpResponse:
    _require_actor(request)
    selectors.period_detail(period_id)
    form = DutyForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        arguments = {"team_code": data["team"], "user_id": data["user"], "starts_at": data["starts_at"],
                     "ends_at": data["ends_at"], "note": data["note"]}
        try:
            _duty, created = services.period_duty_add(
                actor=request.user, period_id=period_id, **arguments,
                idempotency_key=_key(request, data["idempotency_key"]),
                fingerprint=services.request_fingerprint({"operation": "duty", "period_id": period_id, **arguments}),
            )
        except DomainError as refused:
            status = show_refusal(form, refused, aliases=FIELD_ALIASES)
        else:
            if created:
                messages.success(request, _("保障值班已安排。"))
            return _back(period_id, "#duty")
    return _failed(request, period_id, status, duty_form=form)


@require_POST
@login_required
@staff_only
def duty_delete(request: HttpRequest, period_id: uuid.UUID, duty_id: uuid.UUID) -> HttpResponse:
    _require_actor(request)
    selectors.period_detail(period_id)
    try:
        services.period_duty_remove(actor=request.user, period_id=period_id, duty_id=duty_id)
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, _("保障值班已取消。"))
    return _back(period_id, "#duty")


@require_POST
@login_required
@staff_only
def plan_create(request: HttpRequest, period_id: uuid.UUID) -> HttpResponse:
    _require_actor(request)
    period = selectors.period_detail(period_id)
    form = PlanForm(request.POST, period=period)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        arguments = {"team_code": data["team"], "site_id": data["site"], "name": data["name"],
                     "frequency": data["frequency"], "starts_on": data["starts_on"], "ends_on": data["ends_on"]}
        try:
            _link, created = services.period_plan_add(
                actor=request.user, period_id=period_id, **arguments,
                idempotency_key=_key(request, data["idempotency_key"]),
                fingerprint=services.request_fingerprint({"operation": "plan", "period_id": period_id, **arguments}),
            )
        except DomainError as refused:
            status = show_refusal(form, refused, aliases=FIELD_ALIASES)
        else:
            if created:
                messages.success(request, _("预检计划已安排。"))
            return _back(period_id, "#plans")
    return _failed(request, period_id, status, plan_form=form)


@require_POST
@login_required
@staff_only
def resource_create(request: HttpRequest, period_id: uuid.UUID) -> HttpResponse:
    _require_actor(request)
    selectors.period_detail(period_id)
    form = ResourceForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        arguments = {"kind": data["kind"], "description": data["description"], "quantity": data["quantity"],
                     "location": data["location"], "depot_id": data["depot"] or None,
                     "part_id": data["part"] or None, "product_id": data["product"] or None,
                     "person_id": data["person"] or None, "note": data["note"]}
        try:
            _resource, created = services.period_resource_add(
                actor=request.user, period_id=period_id, **arguments,
                idempotency_key=_key(request, data["idempotency_key"]),
                fingerprint=services.request_fingerprint(
                    {"operation": "resource", "period_id": period_id, **arguments}),
            )
        except DomainError as refused:
            status = show_refusal(form, refused, aliases=FIELD_ALIASES)
        else:
            if created:
                messages.success(request, _("保障资源已登记。"))
            return _back(period_id, "#resources")
    return _failed(request, period_id, status, resource_form=form)


@require_POST
@login_required
@staff_only
def resource_delete(request: HttpRequest, period_id: uuid.UUID, resource_id: uuid.UUID) -> HttpResponse:
    _require_actor(request)
    selectors.period_detail(period_id)
    try:
        services.period_resource_remove(actor=request.user, period_id=period_id, resource_id=resource_id)
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, _("保障资源已移除。"))
    return _back(period_id, "#resources")
