"""HTTP API of satisfaction surveys and return visits (/api/v1/surveys/); handlers parse,
call one service or selector, render.

The one-time link's two operations need no authentication: the token is the key (unknown 404,
answered 409, expired 410). Staff read every survey and the summary; customer users read and
answer their own organisation's surveys (others are 404). Questionnaires are configured by
managers and admins; return visits are internal (staff only, 404 for customers).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from aftersales.core.api_types import page
from aftersales.core.permissions import require_role
from aftersales.core.roles import STAFF_ROLES
from aftersales.surveys import selectors, services
from aftersales.surveys.models import (
    ReturnVisit,
    ReturnVisitPlan,
    Survey,
    SurveyQuestion,
    SurveyTemplate,
    SurveyTemplateAssignment,
    VisitStatus,
)
from aftersales.surveys.schemas import (
    AnsweredOut,
    AnswerOut,
    AnswersIn,
    AssignmentIn,
    LinkSurveyOut,
    OutcomeIn,
    QuestionOut,
    ReturnVisitPlanCreateIn,
    ReturnVisitPlanOut,
    ReturnVisitPlanUpdateIn,
    SummaryOut,
    SummaryQuery,
    SurveyAssignmentOut,
    SurveyOut,
    SurveyPageOut,
    SurveyQuery,
    SurveyTemplateCreateIn,
    SurveyTemplateOut,
    TemplateUpdateIn,
    VisitOut,
    VisitPageOut,
    VisitQuery,
)

router = Router(tags=["surveys"])


def _question_out(question: SurveyQuestion) -> QuestionOut:
    return QuestionOut(code=question.code, position=question.position, label=question.label, kind=question.kind,
                       is_required=question.is_required)


def _template_out(template: SurveyTemplate) -> SurveyTemplateOut:
    return SurveyTemplateOut(
        id=template.pk, code=template.code, name=template.name, intro=template.intro,
        low_score_threshold=template.low_score_threshold, is_default=template.is_default,
        is_active=template.is_active,
        questions=[_question_out(q) for q in template.questions.order_by("position")],
    )


def _assignment_out(assignment: SurveyTemplateAssignment) -> SurveyAssignmentOut:
    return SurveyAssignmentOut(id=assignment.pk, template=assignment.template.code,
                         tier=assignment.tier.code if assignment.tier else None, contract_id=assignment.contract_id)


def _survey_out(survey: Survey, *, with_answers: bool = False) -> SurveyOut:
    answers = None
    if with_answers:
        answers = [AnswerOut(question=a.question.code, label=a.question.label, kind=a.question.kind,
                             rating=a.rating, yes_no=a.yes_no, text=a.text)
                   for a in selectors.survey_answers(survey)]
    follow_up = survey.follow_up_case
    return SurveyOut(
        id=survey.pk, case_id=survey.case_id, case_number=survey.case.number, case_title=survey.case.title,
        round=survey.round, customer_id=survey.customer_id, contract_id=survey.contract_id,
        template=survey.template.code, status=survey.status_at(timezone.now()), sent_at=survey.sent_at,
        expires_at=survey.expires_at, answered_at=survey.answered_at, answered_via=survey.answered_via,
        is_low_score=survey.is_low_score, follow_up_case_id=survey.follow_up_case_id,
        follow_up_case_number=follow_up.number if follow_up else None, answers=answers,
    )


def _answered_out(survey: Survey) -> AnsweredOut:
    assert survey.answered_at is not None  # noqa: S101 - just answered
    return AnsweredOut(status="answered", answered_at=survey.answered_at, is_low_score=survey.is_low_score)


# --- questionnaires -----------------------------------------------------------------------


@router.get("/templates", response=list[SurveyTemplateOut])
def template_list(request: HttpRequest) -> list[SurveyTemplateOut]:
    require_role(request.user, STAFF_ROLES, doing=_("查看调查问卷"))
    return [_template_out(t) for t in selectors.survey_templates()]


@router.post("/templates", response={201: SurveyTemplateOut})
def template_create(request: HttpRequest, payload: SurveyTemplateCreateIn) -> Status[SurveyTemplateOut]:
    template = services.survey_template_create(
        actor=request.user, code=payload.code, name=payload.name, intro=payload.intro,
        low_score_threshold=payload.low_score_threshold, questions=[q.dict() for q in payload.questions],
    )
    return Status(201, _template_out(template))


@router.get("/templates/{code}", response=SurveyTemplateOut)
def template_detail(request: HttpRequest, code: str) -> SurveyTemplateOut:
    require_role(request.user, STAFF_ROLES, doing=_("查看调查问卷"))
    return _template_out(selectors.get_survey_template(code))


@router.patch("/templates/{code}", response=SurveyTemplateOut)
def template_update(request: HttpRequest, code: str, payload: TemplateUpdateIn) -> SurveyTemplateOut:
    template = services.survey_template_update(
        actor=request.user, code=code, name=payload.name, intro=payload.intro,
        low_score_threshold=payload.low_score_threshold, is_active=payload.is_active,
        questions=[q.dict() for q in payload.questions] if payload.questions is not None else None,
    )
    return _template_out(template)


@router.post("/templates/{code}/default", response=SurveyTemplateOut)
def template_set_default(request: HttpRequest, code: str) -> SurveyTemplateOut:
    return _template_out(services.survey_template_set_default(actor=request.user, code=code))


@router.post("/templates/{code}/assignments", response={201: SurveyAssignmentOut})
def template_assign(request: HttpRequest, code: str, payload: AssignmentIn) -> Status[SurveyAssignmentOut]:
    assignment = services.survey_template_assign(actor=request.user, code=code, tier_code=payload.tier,
                                                 contract_id=payload.contract_id)
    return Status(201, _assignment_out(assignment))


@router.get("/assignments", response=list[SurveyAssignmentOut])
def assignment_list(request: HttpRequest) -> list[SurveyAssignmentOut]:
    require_role(request.user, STAFF_ROLES, doing=_("查看调查问卷"))
    return [_assignment_out(a) for a in selectors.template_assignments()]


@router.delete("/assignments/{uuid:assignment_id}", response={204: None})
def assignment_delete(request: HttpRequest, assignment_id: uuid.UUID) -> Status[None]:
    services.survey_template_unassign(actor=request.user, assignment_id=assignment_id)
    return Status(204, None)


# --- the one-time link (no authentication) --------------------------------------------------


@router.get("/link/{token}", response=LinkSurveyOut, auth=None)
def link_survey(request: HttpRequest, token: str) -> LinkSurveyOut:
    survey = services.survey_for_token(token)
    return LinkSurveyOut(
        case_number=survey.case.number, case_title=survey.case.title, expires_at=survey.expires_at,
        intro=survey.template.intro,
        questions=[_question_out(q) for q in survey.template.questions.order_by("position")],
    )


@router.post("/link/{token}/answers", response={201: AnsweredOut}, auth=None)
def link_answer(request: HttpRequest, token: str, payload: AnswersIn) -> Status[AnsweredOut]:
    survey = services.survey_answer_with_token(token=token, answers=payload.answers)
    return Status(201, _answered_out(survey))


# --- surveys --------------------------------------------------------------------------------


@router.get("/summary", response=SummaryOut)
def summary(request: HttpRequest, query: Query[SummaryQuery]) -> dict[str, Any]:
    require_role(request.user, STAFF_ROLES, doing=_("查看满意度统计"))
    return selectors.satisfaction_summary(customer_id=query.customer_id, contract_id=query.contract_id,
                                          start=query.start, end=query.end)


@router.get("", response=SurveyPageOut)
def survey_list(request: HttpRequest, query: Query[SurveyQuery]) -> dict[str, Any]:
    rows = selectors.survey_list(user=request.user, customer_id=query.customer_id, contract_id=query.contract_id,
                                 status=query.status)
    return page(rows, query, _survey_out)


@router.get("/{uuid:survey_id}", response=SurveyOut)
def survey_detail(request: HttpRequest, survey_id: uuid.UUID) -> SurveyOut:
    return _survey_out(selectors.get_survey_for_user(request.user, survey_id), with_answers=True)


@router.post("/{uuid:survey_id}/answers", response={201: AnsweredOut})
def survey_answer(request: HttpRequest, survey_id: uuid.UUID, payload: AnswersIn) -> Status[AnsweredOut]:
    survey = services.survey_answer(actor=request.user, survey_id=survey_id, answers=payload.answers)
    return Status(201, _answered_out(survey))


# --- return visits ------------------------------------------------------------------------


def _plan_out(plan: ReturnVisitPlan) -> ReturnVisitPlanOut:
    return ReturnVisitPlanOut(id=plan.pk, customer_id=plan.customer_id, contract_id=plan.contract_id, frequency=plan.frequency,
                   assignee=plan.assignee.username, assignee_id=plan.assignee_id, starts_on=plan.starts_on,
                   ends_on=plan.ends_on, note=plan.note, is_active=plan.is_active, version=plan.version)


def _visit_out(visit: ReturnVisit) -> VisitOut:
    return VisitOut(
        id=visit.pk, plan_id=visit.plan_id, customer_id=visit.customer_id, customer=visit.customer.name,
        period_start=visit.period_start, due_on=visit.due_on,
        is_overdue=visit.status == VisitStatus.DUE and visit.due_on < timezone.localdate(),
        assignee=visit.assignee.username, status=visit.status, is_reached=visit.is_reached,
        satisfaction=visit.satisfaction, notes=visit.notes, is_follow_up_needed=visit.is_follow_up_needed,
        follow_up_case_id=visit.follow_up_case_id, done_at=visit.done_at, version=visit.version,
    )


@router.post("/return-visit-plans", response={201: ReturnVisitPlanOut})
def plan_create(request: HttpRequest, payload: ReturnVisitPlanCreateIn) -> Status[ReturnVisitPlanOut]:
    plan = services.return_visit_plan_create(
        actor=request.user, customer_id=payload.customer_id, contract_id=payload.contract_id,
        frequency=payload.frequency, assignee_id=payload.assignee_id, starts_on=payload.starts_on,
        ends_on=payload.ends_on, note=payload.note,
    )
    return Status(201, _plan_out(selectors.get_return_visit_plan_for_user(request.user, plan.pk)))


@router.get("/return-visit-plans", response=list[ReturnVisitPlanOut])
def plan_list(request: HttpRequest, customer_id: uuid.UUID | None = None) -> list[ReturnVisitPlanOut]:
    return [_plan_out(p) for p in selectors.return_visit_plan_list(user=request.user, customer_id=customer_id)]


@router.get("/return-visit-plans/{uuid:plan_id}", response=ReturnVisitPlanOut)
def plan_detail(request: HttpRequest, plan_id: uuid.UUID) -> ReturnVisitPlanOut:
    return _plan_out(selectors.get_return_visit_plan_for_user(request.user, plan_id))


@router.patch("/return-visit-plans/{uuid:plan_id}", response=ReturnVisitPlanOut)
def plan_update(request: HttpRequest, plan_id: uuid.UUID, payload: ReturnVisitPlanUpdateIn) -> ReturnVisitPlanOut:
    selectors.get_return_visit_plan_for_user(request.user, plan_id)  # 404 for customers
    services.return_visit_plan_update(
        actor=request.user, plan_id=plan_id, expected_version=payload.expected_version,
        assignee_id=payload.assignee_id, ends_on=payload.ends_on, clear_ends_on=payload.clear_ends_on,
        note=payload.note, is_active=payload.is_active,
    )
    return _plan_out(selectors.get_return_visit_plan_for_user(request.user, plan_id))


@router.get("/return-visits", response=VisitPageOut)
def visit_list(request: HttpRequest, query: Query[VisitQuery]) -> dict[str, Any]:
    rows = selectors.return_visit_list(user=request.user, assignee_id=request.user.pk if query.mine else None,
                                       customer_id=query.customer_id, plan_id=query.plan_id, state=query.state)
    return page(rows, query, _visit_out)


@router.get("/return-visits/{uuid:visit_id}", response=VisitOut)
def visit_detail(request: HttpRequest, visit_id: uuid.UUID) -> VisitOut:
    return _visit_out(selectors.get_return_visit_for_user(request.user, visit_id))


@router.post("/return-visits/{uuid:visit_id}/outcome", response=VisitOut)
def visit_record(request: HttpRequest, visit_id: uuid.UUID, payload: OutcomeIn) -> VisitOut:
    selectors.get_return_visit_for_user(request.user, visit_id)  # 404 for customers
    services.return_visit_record(
        actor=request.user, visit_id=visit_id, is_reached=payload.is_reached, satisfaction=payload.satisfaction,
        notes=payload.notes, is_follow_up_needed=payload.is_follow_up_needed,
        expected_version=payload.expected_version,
    )
    return _visit_out(selectors.get_return_visit_for_user(request.user, visit_id))
