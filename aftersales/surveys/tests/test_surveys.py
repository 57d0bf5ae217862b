"""Surveys sent at closure: the one-time link (unguessable, hash only, single use, expiring),
answers, and the follow-up a low score opens."""

from __future__ import annotations

import datetime as dt
import hashlib
from unittest import mock

import pytest
from django.utils import timezone

from aftersales.accounts.models import Role
from aftersales.cases import services as cases
from aftersales.cases.models import Case, IdempotencyKey
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from aftersales.notifications.models import OutboxMessage
from aftersales.surveys import services
from aftersales.surveys.models import Survey, SurveyAnswer, SurveyStatus, SurveyTemplate
from aftersales.surveys.services import LinkExpired
from aftersales.surveys.tests.factories import ALL_FIVE, closed_case, link_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def public_url(settings):
    settings.AFTERSALES_PUBLIC_URL = "https://service.example.invalid"


def _token(survey: Survey) -> str:
    message = OutboxMessage.objects.get(key=f"survey-link:{survey.pk}")
    return link_token(message.body)


def test_closing_a_case_sends_one_survey_with_a_one_time_link_to_the_consenting_contact(agent, acme, acme_contact):
    # when
    case = closed_case(agent, acme, contact=acme_contact)
    # then
    survey = Survey.objects.get()
    assert (survey.case, survey.customer, survey.round, survey.contact) == (case, acme, 1, acme_contact)
    assert survey.template.code == "default"
    assert survey.expires_at - survey.sent_at == dt.timedelta(days=14)
    message = OutboxMessage.objects.get(key=f"survey-link:{survey.pk}")
    assert message.recipient == "ma@acme.invalid"
    assert case.number in message.subject
    assert "https://service.example.invalid/portal/surveys/" in message.body


def test_the_token_is_unguessable_and_only_its_sha256_is_stored(agent, acme, acme_contact):
    closed_case(agent, acme, contact=acme_contact)
    survey = Survey.objects.get()
    token = _token(survey)
    # 32 random bytes from `secrets`, URL-safe base64: 43 characters, 256 bits
    assert len(token) >= 43
    assert survey.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in Survey.objects.values_list(*[f.attname for f in Survey._meta.concrete_fields]).get()]
    assert token not in stored


def test_two_surveys_get_different_tokens(agent, acme, acme_contact):
    closed_case(agent, acme, contact=acme_contact, title="一")
    closed_case(agent, acme, contact=acme_contact, title="二")
    tokens = {_token(s) for s in Survey.objects.all()}
    assert len(tokens) == 2


def test_the_token_comes_from_secrets_with_256_bits(agent, acme, acme_contact):
    with mock.patch("aftersales.surveys.services.secrets.token_urlsafe", wraps=services.secrets.token_urlsafe) as spy:
        closed_case(agent, acme, contact=acme_contact)
    spy.assert_called_once_with(32)


def test_the_link_digest_is_compared_in_constant_time(agent, acme, acme_contact):
    closed_case(agent, acme, contact=acme_contact)
    token = _token(Survey.objects.get())
    with mock.patch("aftersales.surveys.services.hmac.compare_digest", wraps=services.hmac.compare_digest) as spy:
        services.survey_for_token(token)
    spy.assert_called_once_with(Survey.objects.get().token_hash, hashlib.sha256(token.encode()).hexdigest())


def test_a_wrong_or_empty_token_finds_nothing(agent, acme, acme_contact):
    closed_case(agent, acme, contact=acme_contact)
    token = _token(Survey.objects.get())
    for guess in (token[:-1] + ("A" if token[-1] != "A" else "B"), "", "x" * 500):
        with pytest.raises(NotFound):
            services.survey_for_token(guess)
        with pytest.raises(NotFound):
            services.survey_answer_with_token(token=guess, answers=ALL_FIVE)
    assert Survey.objects.get().answered_at is None


def test_the_link_answers_once_and_then_refuses_reuse(agent, acme, acme_contact):
    closed_case(agent, acme, contact=acme_contact)
    token = _token(Survey.objects.get())
    # when
    survey = services.survey_answer_with_token(token=token, answers=ALL_FIVE)
    # then
    assert survey.status_at(timezone.now()) == SurveyStatus.ANSWERED
    assert (survey.answered_via, survey.answered_by, survey.is_low_score) == ("link", None, False)
    assert SurveyAnswer.objects.filter(survey=survey).count() == 5
    with pytest.raises(Conflict) as refused:
        services.survey_answer_with_token(token=token, answers={**ALL_FIVE, "attitude": 1})
    assert refused.value.code == "survey_answered"
    with pytest.raises(Conflict):
        services.survey_for_token(token)
    assert SurveyAnswer.objects.filter(survey=survey, rating=1).count() == 0


def test_an_expired_link_is_refused_with_410(agent, acme, acme_contact, settings):
    settings.AFTERSALES_SURVEY_LINK_DAYS = 3
    closed_case(agent, acme, contact=acme_contact)
    survey = Survey.objects.get()
    assert survey.expires_at - survey.sent_at == dt.timedelta(days=3)
    token = _token(survey)
    later = survey.expires_at + dt.timedelta(seconds=1)
    with pytest.raises(LinkExpired) as refused:
        services.survey_answer_with_token(token=token, answers=ALL_FIVE, now=later)
    assert refused.value.status == 410
    with pytest.raises(LinkExpired):
        services.survey_for_token(token, now=survey.expires_at)
    assert not SurveyAnswer.objects.exists()
    assert Survey.objects.get().answered_at is None


def test_ratings_are_checked_and_nothing_is_kept_on_a_refusal(agent, acme, acme_contact):
    closed_case(agent, acme, contact=acme_contact)
    token = _token(Survey.objects.get())
    for answers, field in (
        ({**ALL_FIVE, "attitude": 6}, "answers.attitude"),
        ({**ALL_FIVE, "attitude": 0}, "answers.attitude"),
        ({**ALL_FIVE, "attitude": "4.5"}, "answers.attitude"),
        ({**ALL_FIVE, "attitude": True}, "answers.attitude"),
        ({k: v for k, v in ALL_FIVE.items() if k != "result"}, "answers.result"),
        ({**ALL_FIVE, "unknown": 3}, "answers.unknown"),
        ({**ALL_FIVE, "comments": "长" * 2001}, "answers.comments"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.survey_answer_with_token(token=token, answers=answers)
        assert refused.value.field == field
    assert not SurveyAnswer.objects.exists()
    assert Survey.objects.get().answered_at is None
    # comments are optional
    survey = services.survey_answer_with_token(token=token, answers={**ALL_FIVE, "comments": ""})
    assert SurveyAnswer.objects.filter(survey=survey).count() == 4


def test_a_low_score_opens_one_consultation_case_for_the_cases_assignee(agent, make_user, acme, acme_contact):
    engineer = make_user("wang", Role.ENGINEER)
    case = closed_case(agent, acme, contact=acme_contact, assignee=engineer)
    token = _token(Survey.objects.get())
    # when
    survey = services.survey_answer_with_token(token=token, answers={**ALL_FIVE, "attitude": 2})
    # then
    follow_up = survey.follow_up_case
    assert follow_up is not None
    assert survey.is_low_score
    assert (follow_up.category, follow_up.customer, follow_up.assignee, follow_up.contact) == (
        "consultation", acme, engineer, acme_contact)
    assert follow_up.title == f"满意度回访：{case.number} 评分偏低"
    assert "服务态度" in follow_up.description
    assert "：2" in follow_up.description
    assert Case.objects.filter(category="consultation").count() == 1
    assert IdempotencyKey.objects.filter(key=f"survey-follow-up:{survey.pk}").count() == 1
    # a retry of the answer opens nothing more
    with pytest.raises(Conflict):
        services.survey_answer_with_token(token=token, answers={**ALL_FIVE, "attitude": 1})
    assert Case.objects.filter(category="consultation").count() == 1


def test_scores_above_the_threshold_open_nothing(agent, acme, acme_contact):
    closed_case(agent, acme, contact=acme_contact)
    survey = services.survey_answer_with_token(token=_token(Survey.objects.get()),
                                               answers={**ALL_FIVE, "result": 3})
    assert (survey.is_low_score, survey.follow_up_case) == (False, None)
    assert not Case.objects.filter(category="consultation").exists()


def test_the_threshold_is_the_questionnaires(agent, manager, acme, acme_contact):
    services.survey_template_update(actor=manager, code="default", low_score_threshold=3)
    closed_case(agent, acme, contact=acme_contact)
    survey = services.survey_answer_with_token(token=_token(Survey.objects.get()),
                                               answers={**ALL_FIVE, "result": 3})
    assert survey.is_low_score
    assert survey.follow_up_case is not None


def test_a_reopened_and_reclosed_case_gets_no_second_survey(agent, acme, acme_contact):
    case = closed_case(agent, acme, contact=acme_contact)
    cases.case_reopen(actor=agent, case_id=case.pk, reason="故障复现")
    cases.case_resolve(actor=agent, case_id=case.pk, resolution="再次处理")
    cases.case_confirm_closure(actor=agent, case_id=case.pk, note="客户电话同意关闭")
    assert Survey.objects.count() == 1
    assert OutboxMessage.objects.filter(key__startswith="survey-link:").count() == 1


def test_a_case_reclosed_after_its_survey_expired_unanswered_gets_a_new_round(agent, acme, acme_contact):
    start = timezone.now() - dt.timedelta(days=30)
    case = closed_case(agent, acme, contact=acme_contact, when=start)
    first = Survey.objects.get()
    cases.case_reopen(actor=agent, case_id=case.pk, reason="故障复现")
    cases.case_resolve(actor=agent, case_id=case.pk, resolution="再次处理")
    cases.case_confirm_closure(actor=agent, case_id=case.pk, note="客户电话同意关闭")
    second = Survey.objects.exclude(pk=first.pk).get()
    assert second.round == 2
    assert OutboxMessage.objects.filter(key__startswith="survey-link:").count() == 2
    # the expired first link still refuses; the new one works
    with pytest.raises(LinkExpired):
        services.survey_answer_with_token(token=_token(first), answers=ALL_FIVE)
    services.survey_answer_with_token(token=_token(second), answers=ALL_FIVE)


def test_without_a_contact_with_e_mail_the_survey_waits_in_the_portal(agent, acme):
    closed_case(agent, acme)
    assert Survey.objects.get().contact is None
    assert not OutboxMessage.objects.filter(key__startswith="survey-link:").exists()


def test_the_customer_answers_in_the_portal_without_the_link(agent, alice, acme, acme_contact):
    closed_case(agent, acme, contact=acme_contact)
    survey = Survey.objects.get()
    answered = services.survey_answer(actor=alice, survey_id=survey.pk, answers=ALL_FIVE)
    assert (answered.answered_via, answered.answered_by) == ("portal", alice)
    # the link is then used up too
    with pytest.raises(Conflict):
        services.survey_answer_with_token(token=_token(survey), answers=ALL_FIVE)


def test_another_organisation_cannot_answer_and_staff_do_not_answer_for_customers(agent, charlie, acme, acme_contact):
    closed_case(agent, acme, contact=acme_contact)
    survey = Survey.objects.get()
    with pytest.raises(NotFound):
        services.survey_answer(actor=charlie, survey_id=survey.pk, answers=ALL_FIVE)
    with pytest.raises(PermissionDenied):
        services.survey_answer(actor=agent, survey_id=survey.pk, answers=ALL_FIVE)
    assert Survey.objects.get().answered_at is None


def test_no_questionnaire_means_no_survey_and_the_closure_still_succeeds(agent, acme, acme_contact):
    SurveyTemplate.objects.update(is_active=False)
    case = closed_case(agent, acme, contact=acme_contact)
    assert case.status == "closed"
    assert not Survey.objects.exists()


def test_closing_the_follow_up_of_a_survey_sends_no_survey_about_it(agent, acme, acme_contact):
    closed_case(agent, acme, contact=acme_contact)
    survey = services.survey_answer_with_token(token=_token(Survey.objects.get()), answers={**ALL_FIVE, "result": 1})
    follow_up = survey.follow_up_case
    cases.case_resolve(actor=agent, case_id=follow_up.pk, resolution="已电话回访客户并致歉")
    cases.case_confirm_closure(actor=agent, case_id=follow_up.pk, note="客户电话同意关闭")
    assert Survey.objects.count() == 1


def test_the_survey_link_is_written_in_the_contacts_language_in_the_cases_thread(agent, acme, acme_contact):
    from aftersales.cases.mail_thread import case_thread_root
    from aftersales.customers.services import contact_update

    contact_update(contact_id=acme_contact.pk, customer=acme, language="en")
    case = closed_case(agent, acme, contact=acme_contact)
    message = OutboxMessage.objects.get(key=f"survey-link:{Survey.objects.get().pk}")
    assert message.subject == f"Service satisfaction survey: {case.number}"
    assert "https://service.example.invalid/portal/surveys/" in message.body
    assert "已关闭" not in message.body
    assert message.references == case_thread_root(case.pk)
