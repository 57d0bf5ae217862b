"""Survey and return-visit pages (满意度调查与回访): survey results per customer or contract with
their averages, one survey's answers, the questionnaires (managers configure them and which
tier or contract gets which), the agent's return visits (due and overdue) with the page to record
an outcome, and the return-visit plans (managers).

Every staff role reads; customer users get 404 (staff_only)."""

from __future__ import annotations

import datetime as dt
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

from aftersales.console.forms_surveys import (
    AssignForm,
    QuestionFormSet,
    ReturnPlanCreateForm,
    ReturnPlanEditForm,
    SurveyFilterForm,
    TemplateForm,
    VersionForm,
    VisitFilterForm,
    VisitOutcomeForm,
)
from aftersales.console.views.access import staff_only
from aftersales.console.views.form_keys import made_by_key, remember_key
from aftersales.console.views.refusals import flash_refusal, show_refusal
from aftersales.core.errors import DomainError
from aftersales.surveys import selectors, services
from aftersales.surveys.models import ReturnVisit, ReturnVisitPlan, VisitStatus

PAGE = 50
SUMMARY_DAYS = 365


def _role_in(request: HttpRequest, roles: frozenset[str]) -> bool:
    return getattr(request.user, "role", None) in roles


def _require(request: HttpRequest, roles: frozenset[str]) -> None:
    if not _role_in(request, roles):
        raise PermissionDenied




def _window(offset: int, found: list[Any], request: HttpRequest) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("offset", None)
    return {"next_offset": offset + PAGE if len(found) > PAGE else None,
            "previous_offset": max(0, offset - PAGE) if offset else None, "query": query.urlencode()}


# --- survey results -------------------------------------------------------------------------


@login_required
@staff_only
def survey_list_page(request: HttpRequest) -> HttpResponse:
    filters = SurveyFilterForm(request.GET or None)
    data: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    today = timezone.localdate()
    start: dt.date = data.get("start") or today - dt.timedelta(days=SUMMARY_DAYS - 1)
    end: dt.date = data.get("end") or today
    rows = selectors.survey_list(user=request.user, customer_id=data.get("customer"),
                                 contract_id=data.get("contract"), status=data.get("status") or "",
                                 start=start, end=end)
    offset = data.get("offset") or 0
    found = list(rows[offset:offset + PAGE + 1])
    summary = selectors.satisfaction_summary(customer_id=data.get("customer"), contract_id=data.get("contract"),
                                             start=start, end=end)
    return render(request, "console/surveys/surveys.html", {
        "rows": found[:PAGE], "filters": filters, "summary": summary, "start": start, "end": end,
        "now": timezone.now(), **_window(offset, found, request),
    })


@login_required
@staff_only
def survey_page(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    survey = selectors.get_survey_for_user(request.user, survey_id)
    return render(request, "console/surveys/survey.html", {
        "survey": survey, "answers": selectors.survey_answers(survey), "status": survey.status_at(timezone.now()),
    })


# --- questionnaires -----------------------------------------------------------------------


def _templates_context(request: HttpRequest, assign_form: AssignForm | None = None) -> dict[str, Any]:
    can_configure = _role_in(request, services.TEMPLATE_ROLES)
    return {
        "templates": list(selectors.survey_templates()), "assignments": list(selectors.template_assignments()),
        "can_configure": can_configure, "assign_form": assign_form or (AssignForm() if can_configure else None),
    }


@login_required
@staff_only
def template_list_page(request: HttpRequest) -> HttpResponse:
    return render(request, "console/surveys/templates.html", _templates_context(request))


def _question_rows(formset: Any) -> list[dict[str, Any]]:
    """The lines of the formset that carry a question, in order: what the service receives."""
    return [{key: f.cleaned_data.get(key) for key in ("code", "label", "kind", "is_required")}
            for f in formset.forms if (f.cleaned_data.get("label") or "").strip()]


@login_required
@staff_only
def template_new(request: HttpRequest) -> HttpResponse:
    _require(request, services.TEMPLATE_ROLES)
    form = TemplateForm(request.POST or None)
    questions = QuestionFormSet(request.POST or None, prefix="questions")
    status = 200
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")
        if key and made_by_key(request, "survey-template", key) is not None:
            return HttpResponseRedirect(reverse("console:survey-templates"))
        status = 422
        if form.is_valid() and questions.is_valid():
            data = form.cleaned_data
            try:
                template = services.survey_template_create(
                    actor=request.user, code=data["code"], name=data["name"], intro=data["intro"],
                    low_score_threshold=data["low_score_threshold"], questions=_question_rows(questions))
            except DomainError as refused:
                if refused.status == 404:
                    raise
                status = refused.status
                field = refused.field or ""
                if field.startswith("questions[") and "]" in field:
                    filled = [f for f in questions.forms if (f.cleaned_data.get("label") or "").strip()]
                    index = int(field[10:field.index("]")])
                    name = field.partition("].")[2]
                    target = filled[index] if 0 <= index < len(filled) else None
                    (target or form).add_error(name if target is not None and name in target.fields else None,
                                               refused.detail)
                else:
                    form.add_error(field if field in form.fields else None, refused.detail)
            else:
                remember_key(request, "survey-template", data["idempotency_key"], template.pk)
                messages.success(request, _("问卷“%(name)s”已创建。") % {"name": template.name})
                return HttpResponseRedirect(reverse("console:survey-templates"))
    return render(request, "console/surveys/template_new.html", {"form": form, "questions": questions},
                  status=status)


@require_POST
@login_required
@staff_only
def template_assign(request: HttpRequest) -> HttpResponse:
    _require(request, services.TEMPLATE_ROLES)
    form = AssignForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.survey_template_assign(actor=request.user, code=data["template"], tier_code=data["tier"] or None,
                                            contract_id=data["contract"])
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("问卷适用范围已保存。"))
            return HttpResponseRedirect(reverse("console:survey-templates"))
    return render(request, "console/surveys/templates.html", _templates_context(request, form), status=status)


@require_POST
@login_required
@staff_only
def template_unassign(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    _require(request, services.TEMPLATE_ROLES)
    services.survey_template_unassign(actor=request.user, assignment_id=assignment_id)
    messages.success(request, _("已恢复为默认问卷。"))
    return HttpResponseRedirect(reverse("console:survey-templates"))


@require_POST
@login_required
@staff_only
def template_state(request: HttpRequest, code: str, state: str) -> HttpResponse:
    """Make a questionnaire the default, or switch it off or on."""
    _require(request, services.TEMPLATE_ROLES)
    try:
        if state == "default":
            services.survey_template_set_default(actor=request.user, code=code)
        else:
            services.survey_template_update(actor=request.user, code=code, is_active=state == "activate")
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, _("问卷已更新。"))
    return HttpResponseRedirect(reverse("console:survey-templates"))


# --- return visits ------------------------------------------------------------------------


@login_required
@staff_only
def visit_list_page(request: HttpRequest) -> HttpResponse:
    filters = VisitFilterForm(request.GET or {"who": "mine", "state": "open"})
    data: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {"who": "mine", "state": "open"}
    today = timezone.localdate()
    rows = selectors.return_visit_list(
        user=request.user, assignee_id=request.user.pk if data.get("who") != "all" else None,
        customer_id=data.get("customer"), state=data.get("state") or "", today=today)
    offset = data.get("offset") or 0
    found = list(rows[offset:offset + PAGE + 1])
    return render(request, "console/surveys/visits.html", {
        "rows": found[:PAGE], "filters": filters, "today": today, **_window(offset, found, request),
    })


def _visit_context(request: HttpRequest, visit: ReturnVisit, form: VisitOutcomeForm | None = None) -> dict[str, Any]:
    can_record = visit.status == VisitStatus.DUE and _role_in(request, services.VISIT_ROLES)
    if form is None and can_record:
        form = VisitOutcomeForm(initial={"version": visit.version})
    surveys = selectors.survey_list(user=request.user, customer_id=visit.customer_id, status="answered")[:5]
    return {"visit": visit, "form": form, "can_record": can_record, "today": timezone.localdate(),
            "recent_surveys": list(surveys)}


@login_required
@staff_only
def visit_page(request: HttpRequest, visit_id: uuid.UUID) -> HttpResponse:
    visit = selectors.get_return_visit_for_user(request.user, visit_id)
    if request.method != "POST":
        return render(request, "console/surveys/visit.html", _visit_context(request, visit))
    _require(request, services.VISIT_ROLES)
    form = VisitOutcomeForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.return_visit_record(
                actor=request.user, visit_id=visit.pk, is_reached=data["is_reached"] == "yes",
                satisfaction=data["satisfaction"], notes=data["notes"],
                is_follow_up_needed=data["is_follow_up_needed"], expected_version=data["version"])
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("回访结果已记录。"))
            return HttpResponseRedirect(reverse("console:survey-return-visit", args=[visit.pk]))
    return render(request, "console/surveys/visit.html", _visit_context(request, visit, form), status=status)


@login_required
@staff_only
def plan_list_page(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "active")
    plans = selectors.return_visit_plan_list(
        user=request.user, active={"active": True, "inactive": False}.get(state))
    try:
        offset = max(0, min(int(request.GET.get("offset", 0)), 100_000))
    except ValueError:
        offset = 0
    found = list(plans[offset:offset + PAGE + 1])
    shown = found[:PAGE]
    counts = selectors.plan_visit_counts([p.pk for p in shown], today=timezone.localdate())
    return render(request, "console/surveys/plans.html", {
        "rows": [{"plan": p, "counts": counts.get(p.pk, {})} for p in shown], "state": state,
        "can_plan": _role_in(request, services.PLANNING_ROLES), **_window(offset, found, request),
    })


@login_required
@staff_only
def plan_new(request: HttpRequest) -> HttpResponse:
    _require(request, services.PLANNING_ROLES)
    form = ReturnPlanCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")
        made = made_by_key(request, "return-visit-plan", key) if key else None
        if made is not None:
            return HttpResponseRedirect(reverse("console:survey-return-plan", args=[made]))
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.return_visit_plan_create(
                    actor=request.user, customer_id=data["customer"], contract_id=data["contract"],
                    frequency=data["frequency"] or None, assignee_id=data["assignee"], starts_on=data["starts_on"],
                    ends_on=data["ends_on"], note=data["note"])
            except DomainError as refused:
                status = show_refusal(form, refused)
            else:
                remember_key(request, "return-visit-plan", data["idempotency_key"], plan.pk)
                messages.success(request, _("回访计划已创建；回访任务按周期自动生成。"))
                return HttpResponseRedirect(reverse("console:survey-return-plan", args=[plan.pk]))
    return render(request, "console/surveys/plan_new.html", {"form": form}, status=status)


def _plan_context(request: HttpRequest, plan: ReturnVisitPlan, form: ReturnPlanEditForm | None = None) -> dict[str, Any]:
    can_plan = _role_in(request, services.PLANNING_ROLES)
    if form is None and can_plan:
        form = ReturnPlanEditForm(initial={"version": plan.version, "assignee": plan.assignee_id,
                                           "ends_on": plan.ends_on, "note": plan.note})
    visits = selectors.return_visit_list(user=request.user, plan_id=plan.pk).order_by("-period_start")[:24]
    summary = selectors.satisfaction_summary(
        customer_id=plan.customer_id, contract_id=plan.contract_id,
        start=timezone.localdate() - dt.timedelta(days=SUMMARY_DAYS - 1), end=timezone.localdate())
    return {"plan": plan, "form": form, "can_plan": can_plan, "visits": list(visits), "today": timezone.localdate(),
            "summary": summary}


@login_required
@staff_only
def plan_page(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    plan = selectors.get_return_visit_plan_for_user(request.user, plan_id)
    if request.method != "POST":
        return render(request, "console/surveys/plan.html", _plan_context(request, plan))
    _require(request, services.PLANNING_ROLES)
    form = ReturnPlanEditForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.return_visit_plan_update(
                actor=request.user, plan_id=plan.pk, expected_version=data["version"], assignee_id=data["assignee"],
                ends_on=data["ends_on"], clear_ends_on=data["ends_on"] is None, note=data["note"])
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("回访计划已保存。"))
            return HttpResponseRedirect(reverse("console:survey-return-plan", args=[plan.pk]))
    return render(request, "console/surveys/plan.html", _plan_context(request, plan, form), status=status)


@require_POST
@login_required
@staff_only
def plan_set_active(request: HttpRequest, plan_id: uuid.UUID, state: str) -> HttpResponse:
    _require(request, services.PLANNING_ROLES)
    plan = selectors.get_return_visit_plan_for_user(request.user, plan_id)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.return_visit_plan_update(actor=request.user, plan_id=plan.pk, expected_version=version,
                                          is_active=state == "activate")
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, _("回访计划已启用。") if state == "activate"
                         else _("回访计划已停用，未完成的回访任务已取消。"))
    return HttpResponseRedirect(reverse("console:survey-return-plan", args=[plan.pk]))
