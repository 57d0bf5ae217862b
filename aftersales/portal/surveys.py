"""Satisfaction surveys in the portal (满意度调查): the organisation's open surveys (the prompt),
answering one while signed in, and the page the e-mailed one-time link opens — no sign-in, the
token is the only key; it shows the case's number and title only, and refuses a used link (409)
and an expired one (410) in plain words."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from aftersales.core.errors import DomainError
from aftersales.portal.views import customers_only
from aftersales.surveys import selectors, services
from aftersales.surveys.models import QuestionKind, Survey, SurveyQuestion

LIMIT = 50
RATING_CHOICES = [
    ("5", gettext_lazy("5 非常满意")), ("4", gettext_lazy("4 满意")), ("3", gettext_lazy("3 一般")),
    ("2", gettext_lazy("2 不满意")), ("1", gettext_lazy("1 非常不满意")),
]
YES_NO_CHOICES = [("yes", gettext_lazy("是")), ("no", gettext_lazy("否"))]


class SurveyAnswerForm(forms.Form):
    """One field per question of the survey's questionnaire, named by the question's code."""

    def __init__(self, questions: list[SurveyQuestion], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            field: forms.Field
            if question.kind == QuestionKind.RATING:
                field = forms.ChoiceField(choices=RATING_CHOICES, widget=forms.RadioSelect)
            elif question.kind == QuestionKind.YES_NO:
                field = forms.ChoiceField(choices=YES_NO_CHOICES, widget=forms.RadioSelect)
            else:
                field = forms.CharField(max_length=services.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
            field.label = question.label
            field.required = question.is_required
            self.fields[question.code] = field


def _questions(survey: Survey) -> list[SurveyQuestion]:
    return list(SurveyQuestion.objects.filter(template_id=survey.template_id).order_by("position"))


def _submit(request: HttpRequest, form: SurveyAnswerForm, answer: Any) -> tuple[Survey | None, int]:
    """Validate and answer; refusals land at their question. 404 goes on as 404."""
    if not form.is_valid():
        return None, 422
    try:
        return answer(form.cleaned_data), 201
    except DomainError as refused:
        if refused.status == 404:
            raise
        code = (refused.field or "").removeprefix("answers.")
        form.add_error(code if code in form.fields else None, refused.detail)
        return None, refused.status


@never_cache
def survey_by_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey = services.survey_for_token(token)
    except DomainError as refused:
        if refused.status == 404:
            raise
        return render(request, "portal/survey_answer.html", {"refused": refused.detail, "code": refused.code},
                      status=refused.status)
    questions = _questions(survey)
    form = SurveyAnswerForm(questions, request.POST or None)
    status = 200
    if request.method == "POST":
        answered, status = _submit(request, form, lambda data: services.survey_answer_with_token(
            token=token, answers=data))
        if answered is not None:
            return render(request, "portal/survey_answer.html", {"survey": answered, "thanks": True})
        if status in (409, 410):  # used or expired meanwhile
            return render(request, "portal/survey_answer.html",
                          {"refused": form.non_field_errors()[0] if form.non_field_errors() else ""}, status=status)
    return render(request, "portal/survey_answer.html", {"survey": survey, "form": form}, status=status)


@login_required
@customers_only
def survey_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(request, "portal/surveys.html", {
        "open": list(selectors.open_surveys_for_user(request.user, now=now)[:LIMIT]),
        "answered": list(selectors.survey_list(user=request.user, status="answered").order_by("-answered_at")[:LIMIT]),
    })


@login_required
@customers_only
def survey_answer(request: HttpRequest, survey_id: uuid.UUID) -> HttpResponse:
    user: Any = request.user
    survey = selectors.get_survey_for_user(user, survey_id)
    status_now = survey.status_at(timezone.now())
    if status_now != "pending":
        refused = _("这份调查已经提交过。感谢您的反馈！") if status_now == "answered" else _("这份调查已过期。")
        return render(request, "portal/survey_answer.html", {"refused": refused, "signed_in": True},
                      status=409 if status_now == "answered" else 410)
    form = SurveyAnswerForm(_questions(survey), request.POST or None)
    status = 200
    if request.method == "POST":
        answered, status = _submit(request, form, lambda data: services.survey_answer(
            actor=user, survey_id=survey.pk, answers=data))
        if answered is not None:
            messages.success(request, _("感谢您的评价！"))
            return HttpResponseRedirect(reverse("portal:surveys"))
    return render(request, "portal/survey_answer.html", {"survey": survey, "form": form, "signed_in": True},
                  status=status)
