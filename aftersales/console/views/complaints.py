"""Complaint pages (投诉与纠正预防措施): the complaints, filing one, a complaint's page (root
cause, actions: add, report done, verify), the trend view, and the service-quality
evaluations (服务质量评价).

Every staff role reads; the complaints services decide who may do what (their refusals are
shown at the field or above the form); customer users get 404 (staff_only)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.complaints import selectors, services
from aftersales.complaints.evaluation import evaluation_figures, evaluation_subjects, month_bounds
from aftersales.complaints.models import ActionStatus, Complaint, CorrectiveAction
from aftersales.complaints.services import HANDLING_ROLES, VERIFYING_ROLES
from aftersales.console.forms_complaints import (
    ActionDoneForm,
    ActionForm,
    ActionVerifyForm,
    ComplaintCreateForm,
    ComplaintFilterForm,
    EvaluationFilterForm,
    PeriodForm,
    RootCauseForm,
)
from aftersales.console.views.access import staff_only
from aftersales.console.views.form_keys import made_by_key, remember_key
from aftersales.console.views.refusals import flash_refusal, show_refusal
from aftersales.core.errors import DomainError, NotFound

PAGE = 50
FIELD_NAMES = {"owner_id": "owner", "subject_case_id": "subject_case", "customer_id": "customer",
               "subject_technician_id": "subject_technician", "subject_team_id": "subject_team"}




def _complaint_url(complaint_id: Any) -> str:
    return reverse("console:complaint", args=[complaint_id])


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


@login_required
@staff_only
def complaint_list_page(request: HttpRequest) -> HttpResponse:
    filters = ComplaintFilterForm(request.GET or {"status": "open"})
    data = filters.cleaned_data if filters.is_valid() else {"status": "open"}
    rows = selectors.complaint_list(user=request.user, status=data.get("status") or "",
                                    overdue_only=bool(data.get("overdue")))
    offset = data.get("offset") or 0
    found = list(rows[offset:offset + PAGE + 1])
    shown = found[:PAGE]
    today = timezone.localdate()
    overdue = set(selectors.overdue_actions(today).filter(complaint__in=[c.pk for c in shown])
                  .values_list("complaint_id", flat=True))
    pending = set(CorrectiveAction.objects.filter(complaint__in=[c.pk for c in shown])
                  .exclude(status=ActionStatus.VERIFIED).values_list("complaint_id", flat=True))
    query = request.GET.copy()
    query.pop("offset", None)
    now = timezone.now()
    return render(request, "console/complaints/list.html", {
        "rows": [{"complaint": c, "has_overdue": c.pk in overdue, "has_pending": c.pk in pending,
                  "late": c.acknowledge_breached(now) or c.resolve_breached(now)} for c in shown],
        "filters": filters, "can_file": _role(request) in HANDLING_ROLES,
        "next_offset": offset + PAGE if len(found) > PAGE else None,
        "previous_offset": max(0, offset - PAGE) if offset else None, "query": query.urlencode(),
    })


@login_required
@staff_only
def complaint_new(request: HttpRequest) -> HttpResponse:
    form = ComplaintCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")
        made = made_by_key(request, "complaint", key) if key else None
        if made is not None:
            return HttpResponseRedirect(_complaint_url(made))
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint, _created = services.complaint_file(
                    actor=request.user, customer_id=data["customer"], title=data["title"],
                    description=data["description"], channel=data["channel"], severity=data["severity"],
                    subject_case_number=data["subject_case"], subject_technician_id=data["subject_technician"],
                    subject_team_id=data["subject_team"],
                )
            except DomainError as refused:
                status = show_refusal(form, refused, aliases=FIELD_NAMES)
            else:
                remember_key(request, "complaint", data["idempotency_key"], complaint.pk)
                messages.success(request, _("投诉已登记。"))
                return HttpResponseRedirect(_complaint_url(complaint.pk))
    return render(request, "console/complaints/new.html", {"form": form}, status=status)


def _complaint_context(request: HttpRequest, complaint: Complaint, *, root_form: RootCauseForm | None = None,
                       action_form: ActionForm | None = None) -> dict[str, Any]:
    role = _role(request)
    can_handle = role in HANDLING_ROLES and complaint.closed_at is None
    if root_form is None:
        root_form = RootCauseForm(initial={"version": complaint.version,
                                           "category": complaint.root_cause_category, "text": complaint.root_cause})
    today = timezone.localdate()
    actions = selectors.complaint_actions(complaint)
    user_id = getattr(request.user, "pk", None)
    return {
        "complaint": complaint, "case": complaint.case, "now": timezone.now(),
        "late_acknowledge": complaint.acknowledge_breached(), "late_resolve": complaint.resolve_breached(),
        "actions": [{
            "action": a, "is_overdue": a.is_overdue(today),
            "can_complete": a.status == ActionStatus.OPEN and complaint.closed_at is None
            and (a.owner_id == user_id or role in VERIFYING_ROLES),
            "can_verify": a.status == ActionStatus.DONE and complaint.closed_at is None and role in VERIFYING_ROLES
            and user_id not in (a.owner_id, a.done_by_id),
        } for a in actions],
        "can_handle": can_handle, "root_form": root_form, "action_form": action_form or ActionForm(),
        "done_form": ActionDoneForm(), "verify_form": ActionVerifyForm(),
    }


@login_required
@staff_only
def complaint_page(request: HttpRequest, complaint_id: uuid.UUID) -> HttpResponse:
    complaint = selectors.get_complaint_for_user(request.user, complaint_id)
    return render(request, "console/complaints/complaint.html", _complaint_context(request, complaint))


@require_POST
@login_required
@staff_only
def complaint_root_cause(request: HttpRequest, complaint_id: uuid.UUID) -> HttpResponse:
    complaint = selectors.get_complaint_for_user(request.user, complaint_id)
    form = RootCauseForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.complaint_set_root_cause(actor=request.user, complaint_id=complaint.pk, category=data["category"],
                                              text=data["text"], expected_version=data["version"])
        except DomainError as refused:
            status = show_refusal(form, refused, aliases=FIELD_NAMES)
        else:
            messages.success(request, _("根本原因已保存。"))
            return HttpResponseRedirect(_complaint_url(complaint.pk))
    return render(request, "console/complaints/complaint.html",
                  _complaint_context(request, complaint, root_form=form), status=status)


@require_POST
@login_required
@staff_only
def action_create(request: HttpRequest, complaint_id: uuid.UUID) -> HttpResponse:
    complaint = selectors.get_complaint_for_user(request.user, complaint_id)
    form = ActionForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.action_add(actor=request.user, complaint_id=complaint.pk, kind=data["kind"],
                                description=data["description"], owner_id=data["owner"], due_on=data["due_on"])
        except DomainError as refused:
            status = show_refusal(form, refused, aliases=FIELD_NAMES)
        else:
            messages.success(request, _("措施已添加。"))
            return HttpResponseRedirect(_complaint_url(complaint.pk))
    return render(request, "console/complaints/complaint.html",
                  _complaint_context(request, complaint, action_form=form), status=status)


def _action_of(request: HttpRequest, action_id: uuid.UUID) -> CorrectiveAction:
    action = CorrectiveAction.objects.filter(pk=action_id).first()
    if action is None:
        raise NotFound(_("未找到该措施"), code="action_not_found")
    return action


@require_POST
@login_required
@staff_only
def action_complete(request: HttpRequest, action_id: uuid.UUID) -> HttpResponse:
    action = _action_of(request, action_id)
    form = ActionDoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.action_complete(actor=request.user, action_id=action.pk, note=note)
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, _("已报告完成，等待经理验证。"))
    return HttpResponseRedirect(_complaint_url(action.complaint_id))


@require_POST
@login_required
@staff_only
def action_verify(request: HttpRequest, action_id: uuid.UUID) -> HttpResponse:
    action = _action_of(request, action_id)
    form = ActionVerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择验证结论"))
        return HttpResponseRedirect(_complaint_url(action.complaint_id))
    accepted = form.cleaned_data["decision"] == "accept"
    try:
        services.action_verify(actor=request.user, action_id=action.pk, accepted=accepted,
                               note=form.cleaned_data["note"])
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, _("措施已验证。") if accepted else _("措施已退回。"))
    return HttpResponseRedirect(_complaint_url(action.complaint_id))


def _default_period() -> tuple[dt.date, dt.date]:
    """The last twelve months, this one included."""
    this_month, end = month_bounds(timezone.localdate())
    start = (this_month - dt.timedelta(days=335)).replace(day=1)
    return start, end


@login_required
@staff_only
def trend_page(request: HttpRequest) -> HttpResponse:
    start, end = _default_period()
    form = PeriodForm(request.GET or {"start": start, "end": end})
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    trend = selectors.complaint_trend(start=start, end=end)
    tables = []
    titles = {"root_cause": _("按根本原因"), "product": _("按产品型号"), "site": _("按站点"), "team": _("按班组")}
    for name, rows in trend["tables"].items():
        peak = max((row["total"] for row in rows), default=0) or 1
        tables.append({"title": titles[name], "rows": [
            {**row, "cells": [row["by_month"].get(month, 0) for month in trend["months"]],
             "width": round(100 * row["total"] / peak)} for row in rows]})
    return render(request, "console/complaints/trend.html", {
        "form": form, "trend": trend, "tables": tables, "start": start, "end": end,
        "open_actions": list(selectors.open_actions()[:PAGE]), "today": timezone.localdate(),
    }, status=200 if form.is_valid() else 422)


@login_required
@staff_only
def evaluation_page(request: HttpRequest) -> HttpResponse:
    form = EvaluationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    kind = data.get("subject_kind") or ""
    computed = None
    if data.get("start") and data.get("end") and data["end"] > data["start"]:
        computed = [{"subject": subject, "figures": evaluation_figures(subject=subject, start=data["start"],
                                                                       end=data["end"])}
                    for subject in evaluation_subjects() if not kind or subject.kind == kind]
    rows = list(selectors.evaluation_list(period_start=data.get("period"), subject_kind=kind)[:200])
    return render(request, "console/complaints/evaluations.html", {
        "form": form, "rows": rows, "computed": computed, "start": data.get("start"), "end": data.get("end"),
    })
