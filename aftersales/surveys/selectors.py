"""Reads of surveys and return visits. Surveys go through the scoping layer (a customer user
sees its own organisation's); return visits and their plans are internal: staff only, anyone
else finds nothing (404)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, TypeVar

from django.db.models import Avg, Count, Max, Min, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.cases.models import Case
from aftersales.core.errors import NotFound
from aftersales.core.scoping import get_scoped_or_404, scope_to_user
from aftersales.surveys.models import (
    QuestionKind,
    ReturnVisit,
    ReturnVisitPlan,
    Survey,
    SurveyAnswer,
    SurveyTemplate,
    SurveyTemplateAssignment,
    VisitStatus,
)

# --- questionnaires -----------------------------------------------------------------------


def survey_templates(*, active_only: bool = False) -> QuerySet[SurveyTemplate]:
    rows = SurveyTemplate.objects.prefetch_related("questions")
    return rows.filter(is_active=True) if active_only else rows


def get_survey_template(code: str) -> SurveyTemplate:
    template = survey_templates().filter(code=code).first()
    if template is None:
        raise NotFound(_("未找到该调查问卷"), code="template_not_found")
    return template


def template_assignments() -> QuerySet[SurveyTemplateAssignment]:
    return SurveyTemplateAssignment.objects.select_related("template", "tier", "contract__customer").order_by(
        "template__code", "tier__code", "contract__number")


def template_for_case(case: Case) -> SurveyTemplate | None:
    """The questionnaire a closed case gets: its contract's, else its contract's tier's, else
    the default one; inactive questionnaires are passed over."""
    if case.contract_id is not None:
        assignments = SurveyTemplateAssignment.objects.select_related("template").filter(
            template__is_active=True)
        for assignment in assignments.filter(contract_id=case.contract_id):
            return assignment.template
        tier_id = case.contract.tier_id if case.contract is not None else None
        if tier_id is not None:
            for assignment in assignments.filter(tier_id=tier_id):
                return assignment.template
    return SurveyTemplate.objects.filter(is_default=True, is_active=True).first()


# --- surveys --------------------------------------------------------------------------------


def _surveys() -> QuerySet[Survey]:
    return Survey.objects.select_related("case", "customer", "contract", "template", "follow_up_case")


def survey_list(*, user: Any, customer_id: Any = None, contract_id: Any = None, status: str = "",
                start: dt.date | dt.datetime | None = None, end: dt.date | dt.datetime | None = None,
                now: dt.datetime | None = None) -> QuerySet[Survey]:
    """Surveys the user may see; sent in [start, end) (dates as in satisfaction_summary)."""
    rows = scope_to_user(_surveys(), user, customer_field="customer_id")
    if start is not None:
        rows = rows.filter(sent_at__gte=_moment(start, end=False))
    if end is not None:
        rows = rows.filter(sent_at__lt=_moment(end, end=True))
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if contract_id:
        rows = rows.filter(contract_id=contract_id)
    now = now or timezone.now()
    if status == "answered":
        rows = rows.filter(answered_at__isnull=False)
    elif status == "pending":
        rows = rows.filter(answered_at__isnull=True, expires_at__gt=now)
    elif status == "expired":
        rows = rows.filter(answered_at__isnull=True, expires_at__lte=now)
    elif status == "low":
        rows = rows.filter(is_low_score=True)
    return rows


def open_surveys_for_user(user: Any, *, now: dt.datetime | None = None) -> QuerySet[Survey]:
    """Surveys of the user's organisation still waiting for an answer (the portal's prompt)."""
    return survey_list(user=user, status="pending", now=now).order_by("expires_at", "id")


def get_survey_for_user(user: Any, survey_id: Any) -> Survey:
    return get_scoped_or_404(_surveys(), user, customer_field="customer_id", what="survey", pk=survey_id)


def survey_answers(survey: Survey) -> list[SurveyAnswer]:
    return list(SurveyAnswer.objects.filter(survey=survey).select_related("question").order_by("question__position"))


def _moment(value: dt.date | dt.datetime, *, end: bool) -> dt.datetime:
    """Datetimes as given; a date is a whole local day (the end date included)."""
    if isinstance(value, dt.datetime):
        return value
    day = value + dt.timedelta(days=1) if end else value
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def satisfaction_summary(*, customer_id: Any = None, contract_id: Any = None, technician_id: Any = None,
                         team_id: Any = None, start: dt.date | dt.datetime,
                         end: dt.date | dt.datetime) -> dict[str, Any]:
    """Survey figures of the surveys sent in [start, end) — dates count as whole local days,
    the end date included — for one customer or contract, or all; or for the cases assigned to
    one technician (user id), or to the technicians of one team (their profile's team).

    `sent`: surveys sent; `answered`: those of them answered (at any time); `response_rate`:
    answered / sent (None when none was sent); `averages`: per rating question (by code) the
    mean rating, its label and the number of ratings; `overall_average`: the mean of every
    rating given; `low_score_count`: answered surveys with a rating at or below their
    questionnaire's threshold (each opened a follow-up). Averages are rounded to 2 places."""
    surveys = Survey.objects.filter(sent_at__gte=_moment(start, end=False), sent_at__lt=_moment(end, end=True))
    if customer_id:
        surveys = surveys.filter(customer_id=customer_id)
    if contract_id:
        surveys = surveys.filter(contract_id=contract_id)
    if technician_id:
        surveys = surveys.filter(case__assignee_id=technician_id)
    if team_id:
        surveys = surveys.filter(case__assignee__technician_profile__team_id=team_id)
    counts = surveys.aggregate(
        sent=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)),
        low=Count("id", filter=Q(is_low_score=True)),
    )
    ratings = SurveyAnswer.objects.filter(survey__in=surveys, question__kind=QuestionKind.RATING,
                                          rating__isnull=False)
    labels: dict[str, str] = {}
    per_code: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in ratings.values("question__code", "question__label").annotate(total=Count("id"), mean=Avg("rating")):
        code = row["question__code"]
        labels.setdefault(code, row["question__label"])
        per_code[code][0] += float(row["mean"]) * row["total"]
        per_code[code][1] += row["total"]
    overall = ratings.aggregate(mean=Avg("rating"))["mean"]
    sent, answered = counts["sent"], counts["answered"]
    return {
        "sent": sent,
        "answered": answered,
        "response_rate": round(answered / sent, 4) if sent else None,
        "averages": {
            code: {"label": labels[code], "average": round(total / number, 2), "count": int(number)}
            for code, (total, number) in sorted(per_code.items())
        },
        "overall_average": round(float(overall), 2) if overall is not None else None,
        "low_score_count": counts["low"],
    }


# --- return visits --------------------------------------------------------------------------


M = TypeVar("M", bound=Model)


def _staff(rows: QuerySet[M], user: Any) -> QuerySet[M]:
    return rows if getattr(user, "is_staff_member", False) else rows.none()


def return_visit_plan_list(*, user: Any, customer_id: Any = None, active: bool | None = None) -> QuerySet[ReturnVisitPlan]:
    rows = _staff(ReturnVisitPlan.objects.select_related("customer", "contract__tier", "assignee"), user)
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if active is not None:
        rows = rows.filter(is_active=active)
    return rows.order_by("customer__name", "starts_on", "id")


def get_return_visit_plan_for_user(user: Any, plan_id: Any) -> ReturnVisitPlan:
    rows = _staff(ReturnVisitPlan.objects.select_related("customer", "contract__tier", "assignee"), user)
    return get_scoped_or_404(rows, user, customer_field="customer_id", what="return visit", pk=plan_id)


def return_visit_list(*, user: Any, assignee_id: Any = None, customer_id: Any = None, plan_id: Any = None,
                      state: str = "", today: dt.date | None = None) -> QuerySet[ReturnVisit]:
    """`state`: "open" (due, overdue included), "overdue", "done", or "" for all."""
    rows = _staff(ReturnVisit.objects.select_related("plan", "customer", "assignee", "follow_up_case"), user)
    today = today or timezone.localdate()
    if assignee_id:
        rows = rows.filter(assignee_id=assignee_id)
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if plan_id:
        rows = rows.filter(plan_id=plan_id)
    if state == "open":
        rows = rows.filter(status=VisitStatus.DUE)
    elif state == "overdue":
        rows = rows.filter(status=VisitStatus.DUE, due_on__lt=today)
    elif state == "done":
        rows = rows.filter(status=VisitStatus.DONE).order_by("-done_at", "id")
    return rows


def get_return_visit_for_user(user: Any, visit_id: Any) -> ReturnVisit:
    rows = _staff(ReturnVisit.objects.select_related("plan__contract", "customer", "assignee", "follow_up_case",
                                                     "done_by"), user)
    return get_scoped_or_404(rows, user, customer_field="customer_id", what="return visit", pk=visit_id)


def plan_visit_counts(plan_ids: list[Any], *, today: dt.date) -> dict[Any, dict[str, Any]]:
    """Per plan: open and overdue visits and the next due date (for the plan list)."""
    rows = (ReturnVisit.objects.filter(plan_id__in=plan_ids).values("plan_id")
            .annotate(open=Count("id", filter=Q(status=VisitStatus.DUE)),
                      overdue=Count("id", filter=Q(status=VisitStatus.DUE, due_on__lt=today)),
                      next_due=Min("due_on", filter=Q(status=VisitStatus.DUE)),
                      last_done=Max("done_at")))
    return {row["plan_id"]: dict(row) for row in rows}
