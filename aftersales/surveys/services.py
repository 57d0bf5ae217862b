"""Satisfaction surveys and return visits: questionnaires, the survey sent when a case is
closed (one-time link through the outbox), answers (a low score opens a follow-up case), and
return-visit plans whose visits are generated exactly once per period.

Decisions (docs/decisions/0011): one survey per case — a reopened and re-closed case gets a new
survey only when the previous one expired unanswered; a follow-up is a `consultation` case
assigned to the closed case's assignee (else whoever filed it, else a manager)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import STAFF_ROLES, Role, User
from aftersales.cases.mail_thread import thread_references
from aftersales.cases.models import Case, ClosureConsent, Status
from aftersales.cases.services import case_open
from aftersales.contracts.models import Contract, ServiceTier
from aftersales.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ValidationFailed,
)
from aftersales.core.permissions import require_role
from aftersales.core.roles import CONFIGURING_ROLES
from aftersales.customers.models import Contact, Customer
from aftersales.customers.services import contact_language
from aftersales.notifications.services import Notification, outbox_enqueue
from aftersales.surveys import periods
from aftersales.surveys.models import (
    RATING_MAX,
    RATING_MIN,
    AnsweredVia,
    QuestionKind,
    ReturnVisit,
    ReturnVisitPlan,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyTemplate,
    SurveyTemplateAssignment,
    VisitFrequency,
    VisitStatus,
)
from aftersales.surveys.selectors import get_survey_for_user, template_for_case

TEMPLATE_ROLES = CONFIGURING_ROLES
PLANNING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
VISIT_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT})
# A plan for a contract without a frequency given gets its tier's (钻石级: quarterly).
FREQUENCY_BY_TIER = {"diamond": VisitFrequency.QUARTERLY, "gold": VisitFrequency.HALF_YEARLY,
                     "silver": VisitFrequency.YEARLY}
TOKEN_BYTES = 32  # 256 bits from `secrets`
MAX_TEXT = 2000
MAX_QUESTIONS = 30


class LinkExpired(DomainError):
    """The one-time link's time is up (410 Gone)."""

    status = 410
    default_code = "survey_link_expired"


# --- questionnaires -----------------------------------------------------------------------


def _questions(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Checked questions in order; errors name `questions[i].field`."""
    checked: list[dict[str, Any]] = []
    codes: set[str] = set()
    for index, row in enumerate(rows):
        code = str(row.get("code") or "").strip()
        label = str(row.get("label") or "").strip()
        kind = str(row.get("kind") or "")
        if not code or len(code) > 50 or not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
            raise ValidationFailed(_("问题代码须为字母、数字、下划线或连字符"), field=f"questions[{index}].code")
        if code in codes:
            raise ValidationFailed(_("问题代码“%(code)s”重复") % {"code": code}, field=f"questions[{index}].code")
        if not label or len(label) > 300:
            raise ValidationFailed(_("请填写问题（不超过 300 字）"), field=f"questions[{index}].label")
        if kind not in QuestionKind.values:
            raise ValidationFailed(_("问题类型须为评分、是/否或文字"), field=f"questions[{index}].kind")
        codes.add(code)
        checked.append({"code": code, "label": label, "kind": kind,
                        "is_required": bool(row.get("is_required", True))})
    if not checked:
        raise ValidationFailed(_("问卷至少需要一个问题"), field="questions")
    if len(checked) > MAX_QUESTIONS:
        raise ValidationFailed(_("问卷最多 %(count)d 个问题") % {"count": MAX_QUESTIONS}, field="questions")
    if not any(q["kind"] == QuestionKind.RATING for q in checked):
        raise ValidationFailed(_("问卷至少需要一个评分问题"), field="questions")
    return checked


def _threshold(value: int) -> int:
    if not 0 <= value <= RATING_MAX - 1:
        raise ValidationFailed(_("低分阈值须在 0 到 4 之间（0 表示不自动跟进）"), field="low_score_threshold")
    return value


@transaction.atomic
def survey_template_create(*, actor: User, code: str, name: str, questions: Iterable[Mapping[str, Any]],
                           intro: str = "", low_score_threshold: int = 2) -> SurveyTemplate:
    require_role(actor, TEMPLATE_ROLES, doing=_("配置调查问卷"))
    code = code.strip()
    if not code or len(code) > 50 or not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
        raise ValidationFailed(_("代码须为字母、数字、下划线或连字符"), field="code")
    if SurveyTemplate.objects.filter(code=code).exists():
        raise Conflict(_("代码“%(code)s”已被使用") % {"code": code}, code="template_code_taken", field="code")
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed(_("请填写名称（不超过 200 字）"), field="name")
    checked = _questions(questions)
    template = SurveyTemplate.objects.create(code=code, name=name, intro=intro.strip(),
                                             low_score_threshold=_threshold(low_score_threshold))
    SurveyQuestion.objects.bulk_create([
        SurveyQuestion(template=template, position=position, **question)
        for position, question in enumerate(checked, start=1)
    ])
    return template


def _template(code: str, *, lock: bool = False) -> SurveyTemplate:
    rows = SurveyTemplate.objects.select_for_update() if lock else SurveyTemplate.objects.all()
    template = rows.filter(code=code).first()
    if template is None:
        raise NotFound(_("未找到该调查问卷"), code="template_not_found")
    return template


@transaction.atomic
def survey_template_update(*, actor: User, code: str, name: str | None = None, intro: str | None = None,
                           low_score_threshold: int | None = None, is_active: bool | None = None,
                           questions: Iterable[Mapping[str, Any]] | None = None) -> SurveyTemplate:
    """Change a questionnaire. Its questions can be replaced only while no survey used it;
    the default questionnaire cannot be switched off (closed cases would get none)."""
    require_role(actor, TEMPLATE_ROLES, doing=_("配置调查问卷"))
    template = _template(code, lock=True)
    if name is not None:
        if not name.strip() or len(name.strip()) > 200:
            raise ValidationFailed(_("请填写名称（不超过 200 字）"), field="name")
        template.name = name.strip()
    if intro is not None:
        template.intro = intro.strip()
    if low_score_threshold is not None:
        template.low_score_threshold = _threshold(low_score_threshold)
    if is_active is not None:
        if not is_active and template.is_default:
            raise Conflict(_("默认问卷不能停用：请先把另一份问卷设为默认"), code="default_template", field="is_active")
        template.is_active = is_active
    if questions is not None:
        checked = _questions(questions)
        if Survey.objects.filter(template=template).exists():
            raise Conflict(_("已有调查使用这份问卷，问题不能再改：请新建问卷"), code="template_in_use",
                           field="questions")
        SurveyQuestion.objects.filter(template=template).delete()
        SurveyQuestion.objects.bulk_create([
            SurveyQuestion(template=template, position=position, **question)
            for position, question in enumerate(checked, start=1)
        ])
    template.save()
    return template


@transaction.atomic
def survey_template_set_default(*, actor: User, code: str) -> SurveyTemplate:
    require_role(actor, TEMPLATE_ROLES, doing=_("配置调查问卷"))
    template = _template(code, lock=True)
    if not template.is_active:
        raise Conflict(_("停用的问卷不能设为默认"), code="template_inactive", field="code")
    SurveyTemplate.objects.filter(is_default=True).exclude(pk=template.pk).update(is_default=False)
    template.is_default = True
    template.save(update_fields=["is_default", "updated_at"])
    return template


@transaction.atomic
def survey_template_assign(*, actor: User, code: str, tier_code: str | None = None,
                           contract_id: Any = None) -> SurveyTemplateAssignment:
    """The questionnaire for a service tier or a contract (replacing the one it had)."""
    require_role(actor, TEMPLATE_ROLES, doing=_("配置调查问卷"))
    template = _template(code)
    if not template.is_active:
        raise Conflict(_("停用的问卷不能指定"), code="template_inactive", field="code")
    if bool(tier_code) == bool(contract_id):
        raise ValidationFailed(_("请选择服务等级或合同（二选一）"), field="tier")
    if tier_code:
        tier = ServiceTier.objects.filter(code=tier_code).first()
        if tier is None:
            raise ValidationFailed(_("没有这个服务等级"), field="tier")
        assignment, _created = SurveyTemplateAssignment.objects.update_or_create(
            tier=tier, defaults={"template": template})
    else:
        contract = Contract.objects.filter(pk=contract_id).first() if _is_uuid(contract_id) else None
        if contract is None:
            raise ValidationFailed(_("没有这个合同"), field="contract")
        assignment, _created = SurveyTemplateAssignment.objects.update_or_create(
            contract=contract, defaults={"template": template})
    return assignment


@transaction.atomic
def survey_template_unassign(*, actor: User, assignment_id: Any) -> None:
    require_role(actor, TEMPLATE_ROLES, doing=_("配置调查问卷"))
    deleted, _rows = SurveyTemplateAssignment.objects.filter(pk=assignment_id).delete()
    if not deleted:
        raise NotFound(_("未找到该问卷适用范围"), code="assignment_not_found")


# --- surveys after closure ------------------------------------------------------------------


def survey_link_days() -> int:
    return int(getattr(settings, "AFTERSALES_SURVEY_LINK_DAYS", 14))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_url(token: str) -> str:
    base = str(getattr(settings, "AFTERSALES_PUBLIC_URL", "")).rstrip("/")
    return f"{base}/portal/surveys/{token}/"


def _recipient(case: Case) -> Contact | None:
    """Who gets the link: the contact who consented to the closure, else the case's contact,
    else the customer's primary contact — the first of them with an e-mail address."""
    consent = (ClosureConsent.objects.filter(case=case, contact__isnull=False).select_related("contact")
               .order_by("-created_at").first())
    candidates = [consent.contact if consent else None, case.contact,
                  Contact.objects.filter(customer_id=case.customer_id, is_primary=True).exclude(email="").first()]
    for contact in candidates:
        if contact is not None and contact.email:
            return contact
    return None


def survey_send_for_case(*, case: Case, now: dt.datetime | None = None) -> tuple[Survey | None, str | None]:
    """Create the closed case's survey and e-mail its one-time link (outbox). Returns the
    survey and the plain token (never stored), or (None, None) when the case already has an
    answered survey or one still open, is itself the follow-up of a survey or a return visit,
    or no questionnaire applies. Caller holds the case lock
    (the case status hook runs inside the closing transaction)."""
    now = now or timezone.now()
    with transaction.atomic():
        if (Survey.objects.filter(follow_up_case=case).exists()
                or ReturnVisit.objects.filter(follow_up_case=case).exists()):
            return None, None  # the follow-up of a survey or visit is not surveyed again
        previous = Survey.objects.filter(case=case).order_by("-round").first()
        if previous is not None and (previous.answered_at is not None or previous.expires_at > now):
            return None, None
        template = template_for_case(case)
        if template is None:
            return None, None
        token = secrets.token_urlsafe(TOKEN_BYTES)
        contact = _recipient(case)
        survey = Survey.objects.create(
            case=case, round=(previous.round + 1) if previous else 1, customer_id=case.customer_id,
            contract_id=case.contract_id, template=template, contact=contact, token_hash=token_hash(token),
            sent_at=now, expires_at=now + dt.timedelta(days=survey_link_days()), created_at=now,
        )
        if contact is not None:
            # In the contact's language, whatever the language of whoever closed the case.
            with translation.override(contact_language(contact, case=case)):
                subject = _("服务满意度调查：%(number)s") % {"number": case.number}
                body = _("您好，\n\n您的服务请求 %(number)s“%(title)s”已关闭。请花一分钟对本次服务进行评价"
                         "（%(days)d 天内有效，仅可使用一次）：\n\n%(url)s\n\n您也可以登录客户门户填写。"
                         "感谢您的支持！\n") % {
                    "number": case.number, "title": case.title, "days": survey_link_days(),
                    "url": survey_url(token)}
            outbox_enqueue(notifications=[Notification(
                key=f"survey-link:{survey.pk}", recipient=contact.email, subject=subject, body=body,
                references=thread_references(case.pk),
            )])
    return survey, token


def case_status_changed(case: Case, before: str, after: str, now: dt.datetime) -> None:
    """The case status hook (registered in SurveysConfig.ready): a survey when a case closes."""
    if after == Status.CLOSED:
        survey_send_for_case(case=case, now=now)


def _usable(survey: Survey | None, digest: str, now: dt.datetime) -> Survey:
    # The row was found by its digest; compare again in constant time so that no path of
    # this check depends on how much of a guessed token was right.
    if survey is None or not hmac.compare_digest(survey.token_hash, digest):
        raise NotFound(_("未找到该调查"), code="survey_not_found")
    if survey.answered_at is not None:
        raise Conflict(_("这份调查已经提交过，链接只能使用一次。感谢您的反馈！"), code="survey_answered")
    if survey.expires_at <= now:
        raise LinkExpired(_("调查链接已过期"), code="survey_link_expired")
    return survey


def survey_for_token(token: str, *, now: dt.datetime | None = None) -> Survey:
    """The survey a link opens, to show it (nothing is used up): unknown 404, answered 409,
    expired 410."""
    digest = token_hash(token or "")
    found = Survey.objects.select_related("case", "template").filter(token_hash=digest).first()
    return _usable(found, digest, now or timezone.now())


def _parse(question: SurveyQuestion, raw: Any) -> tuple[int | None, bool | None, str]:
    field = f"answers.{question.code}"
    if question.kind == QuestionKind.RATING:
        if raw in (None, ""):
            if question.is_required:
                raise ValidationFailed(_("请为“%(label)s”评分") % {"label": question.label}, field=field)
            return None, None, ""
        try:
            rating = int(raw)
        except (TypeError, ValueError):
            rating = 0
        if isinstance(raw, bool) or not RATING_MIN <= rating <= RATING_MAX or str(rating) != str(raw).strip():
            raise ValidationFailed(_("评分须为 1 到 5 的整数"), field=field)
        return rating, None, ""
    if question.kind == QuestionKind.YES_NO:
        if raw in (None, ""):
            if question.is_required:
                raise ValidationFailed(_("请回答“%(label)s”") % {"label": question.label}, field=field)
            return None, None, ""
        choices = {True: True, False: False, "yes": True, "no": False, "true": True, "false": False}
        if not isinstance(raw, bool | str) or (raw.lower() if isinstance(raw, str) else raw) not in choices:
            raise ValidationFailed(_("请选择“是”或“否”"), field=field)
        return None, choices[raw.lower() if isinstance(raw, str) else raw], ""
    text = "" if raw is None else str(raw).strip()
    if question.is_required and not text:
        raise ValidationFailed(_("请填写“%(label)s”") % {"label": question.label}, field=field)
    if len(text) > MAX_TEXT:
        raise ValidationFailed(_("不超过 %(count)d 字") % {"count": MAX_TEXT}, field=field)
    return None, None, text


def _follow_up_owner(case: Case) -> User | None:
    for user in (case.assignee, case.reported_by):
        if user is not None and user.is_active and user.role in STAFF_ROLES:
            return user
    return User.objects.filter(role=Role.MANAGER, is_active=True).order_by("username").first()


def _open_follow_up(survey: Survey, low: list[tuple[SurveyQuestion, int]], via: str, now: dt.datetime) -> None:
    case = Case.objects.select_related("assignee", "reported_by").get(pk=survey.case_id)
    owner = _follow_up_owner(case)
    if owner is None:
        return  # no staff member at all: the low score stays visible in the results list
    scores = "\n".join(f"- {question.label}：{rating}" for question, rating in low)
    follow_up, _created = case_open(
        actor=owner, customer_id=survey.customer_id, channel="email" if via == AnsweredVia.LINK else "web",
        category="consultation", impact="limited",
        title=_("满意度回访：%(number)s 评分偏低") % {"number": case.number},
        description=_("工单 %(number)s“%(title)s”的满意度调查出现低分，请联系客户了解原因并跟进改进：\n%(scores)s")
        % {"number": case.number, "title": case.title, "scores": scores},
        contact_id=survey.contact_id, site_id=case.site_id, asset_id=case.asset_id, assignee_id=owner.pk,
        idempotency_key=f"survey-follow-up:{survey.pk}", now=now,
    )
    survey.follow_up_case = follow_up


def _answer(survey: Survey, answers: Mapping[str, Any], *, via: str, actor: User | None,
            now: dt.datetime) -> Survey:
    """Record the answers of a locked, usable survey; a low rating opens the follow-up."""
    questions = list(SurveyQuestion.objects.filter(template_id=survey.template_id).order_by("position"))
    known = {q.code for q in questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ValidationFailed(_("问卷中没有这个问题"), field=f"answers.{unknown[0]}")
    template = SurveyTemplate.objects.get(pk=survey.template_id)
    rows, low = [], []
    for question in questions:
        rating, yes_no, text = _parse(question, answers.get(question.code))
        if rating is None and yes_no is None and not text:
            continue
        rows.append(SurveyAnswer(survey=survey, question=question, rating=rating, yes_no=yes_no, text=text,
                                 created_at=now))
        if rating is not None and rating <= template.low_score_threshold:
            low.append((question, rating))
    SurveyAnswer.objects.bulk_create(rows)
    survey.answered_at = now
    survey.answered_via = via
    survey.answered_by = actor
    survey.is_low_score = bool(low)
    if low:
        _open_follow_up(survey, low, via, now)
    survey.save(update_fields=["answered_at", "answered_via", "answered_by", "is_low_score", "follow_up_case",
                               "updated_at"])
    return survey


@transaction.atomic
def survey_answer_with_token(*, token: str, answers: Mapping[str, Any], now: dt.datetime | None = None) -> Survey:
    """Answer through the e-mailed link: no sign-in, the token is the key. Single use and
    expiring: unknown 404, already answered 409, expired 410."""
    now = now or timezone.now()
    digest = token_hash(token or "")
    found = Survey.objects.select_for_update().filter(token_hash=digest).first()
    return _answer(_usable(found, digest, now), answers, via=AnsweredVia.LINK, actor=None, now=now)


@transaction.atomic
def survey_answer(*, actor: User, survey_id: Any, answers: Mapping[str, Any],
                  now: dt.datetime | None = None) -> Survey:
    """A customer user answers one of its organisation's surveys in the portal (no link)."""
    now = now or timezone.now()
    if not actor.is_customer_user:
        raise PermissionDenied(_("满意度调查由客户填写"), code="customers_only")
    get_survey_for_user(actor, survey_id)  # 404 outside the organisation
    survey = Survey.objects.select_for_update().get(pk=survey_id)
    return _answer(_usable(survey, survey.token_hash, now), answers, via=AnsweredVia.PORTAL, actor=actor, now=now)


# --- return visits ------------------------------------------------------------------------


def _staff_member(user_id: Any, field: str) -> User:
    try:
        user = User.objects.get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("请选择服务人员"), field=field) from None
    if user.role not in STAFF_ROLES or not user.is_active:
        raise ValidationFailed(_("回访人须为在职的服务人员"), field=field)
    return user


def _plan_contract(customer: Customer, contract_id: Any) -> Contract | None:
    if not contract_id:
        return None
    contract = Contract.objects.select_related("tier").filter(pk=contract_id).first() if _is_uuid(contract_id) else None
    if contract is None or contract.customer_id != customer.pk:
        raise ValidationFailed(_("该客户没有这个合同"), field="contract_id")
    return contract


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _generate(plan: ReturnVisitPlan, today: dt.date) -> int:
    """Visits of the plan's periods up to today's that do not exist yet; the unique
    (plan, period_start) with ON CONFLICT DO NOTHING settles a race with another run."""
    if not plan.is_active or plan.starts_on > today:
        return 0
    existing = set(ReturnVisit.objects.filter(plan=plan).values_list("period_start", flat=True))
    rows = [
        ReturnVisit(plan=plan, customer_id=plan.customer_id, period_start=start, assignee_id=plan.assignee_id,
                    due_on=periods.period_end(plan.frequency, start))
        for start in periods.periods(plan.frequency, plan.starts_on, today, plan.ends_on)
        if start not in existing
    ]
    if rows:
        ReturnVisit.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def return_visits_generate(*, today: dt.date | None = None) -> int:
    """Visits of every active plan up to the current period, each exactly once (safe when two
    runs overlap). Returns the number of visits this run found missing."""
    today = today or timezone.localdate()
    made = 0
    plans = ReturnVisitPlan.objects.filter(is_active=True, starts_on__lte=today).order_by("pk")
    for plan in plans.iterator():
        with transaction.atomic():
            made += _generate(plan, today)
    return made


@transaction.atomic
def return_visit_plan_create(
    *, actor: User, customer_id: Any, assignee_id: Any, starts_on: dt.date, frequency: str | None = None,
    contract_id: Any = None, ends_on: dt.date | None = None, note: str = "", today: dt.date | None = None,
) -> ReturnVisitPlan:
    """A return-visit plan; without a frequency, a contract's tier gives it (钻石级每季度).
    The visits up to the current period are made at once (the periodic task makes the rest)."""
    require_role(actor, PLANNING_ROLES, doing=_("管理回访计划"))
    customer = Customer.objects.filter(pk=customer_id).first() if _is_uuid(customer_id) else None
    if customer is None:
        raise ValidationFailed(_("没有这个客户"), field="customer_id")
    contract = _plan_contract(customer, contract_id)
    if not frequency and contract is not None and contract.tier is not None:
        frequency = tier_frequency(contract.tier)
    if frequency not in VisitFrequency.values:
        raise ValidationFailed(_("请选择回访频率"), field="frequency")
    assignee = _staff_member(assignee_id, "assignee_id")
    if starts_on is None:
        raise ValidationFailed(_("请填写开始日期"), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed(_("结束日期不能早于开始日期"), field="ends_on")
    plan = ReturnVisitPlan.objects.create(
        customer=customer, contract=contract, frequency=frequency, assignee=assignee, starts_on=starts_on,
        ends_on=ends_on, note=note.strip(), created_by=actor,
    )
    _generate(plan, today or timezone.localdate())
    return plan


def tier_frequency(tier: ServiceTier) -> str | None:
    """The return-visit frequency a tier promises: its own interval when set (a commitment
    import sets it), else the default of its code."""
    if tier.return_visit_months:
        return periods.frequency_for_months(tier.return_visit_months)
    return FREQUENCY_BY_TIER.get(tier.code)


def contract_visit_plan(contract_id: Any) -> ReturnVisitPlan | None:
    """The contract's active return-visit plan (the most recently started one)."""
    return (ReturnVisitPlan.objects.filter(contract_id=contract_id, is_active=True)
            .order_by("-starts_on", "-created_at").first())


@transaction.atomic
def return_visit_plan_set_for_contract(
    *, actor: User, contract: Contract, frequency: str, assignee_id: Any = None, today: dt.date | None = None,
) -> ReturnVisitPlan:
    """Make the contract's return visits run at `frequency`. Its active plan at that frequency
    stays as it is (given an assignee, its visits move to him); one at another frequency is
    stopped and a new plan starts today with the same visitor, so visits already made keep
    their periods; with none, a plan is created and needs an assignee."""
    require_role(actor, PLANNING_ROLES, doing=_("管理回访计划"))
    if frequency not in VisitFrequency.values:
        raise ValidationFailed(_("请选择回访频率"), field="frequency")
    today = today or timezone.localdate()
    current = contract_visit_plan(contract.pk)
    if current is not None and current.frequency == frequency:
        if assignee_id and str(assignee_id) != str(current.assignee_id):
            return return_visit_plan_update(actor=actor, plan_id=current.pk, assignee_id=assignee_id, today=today)
        return current
    starts_on = today
    if current is not None:
        assignee_id = assignee_id or current.assignee_id
        this_period = periods.period_start(frequency, today)
        if ReturnVisit.objects.filter(plan=current, status=VisitStatus.DONE,
                                      done_at__date__gte=this_period).exists():
            # Visited already in this period: the new rhythm begins with the next one.
            starts_on = periods.period_end(frequency, this_period) + dt.timedelta(days=1)
    elif not assignee_id:
        raise ValidationFailed(_("该合同还没有回访计划，请选择回访人"), field="assignee_id")
    if contract.ends_on < starts_on:
        raise ValidationFailed(_("合同已到期，不能再安排回访"), field="contract_id")
    if current is not None:
        return_visit_plan_update(actor=actor, plan_id=current.pk, is_active=False, today=today)
    return return_visit_plan_create(
        actor=actor, customer_id=contract.customer_id, contract_id=contract.pk, assignee_id=assignee_id,
        starts_on=starts_on, frequency=frequency, ends_on=contract.ends_on, today=today,
    )


@transaction.atomic
def return_visit_plan_update(
    *, actor: User, plan_id: Any, expected_version: int | None = None, assignee_id: Any = None,
    ends_on: dt.date | None = None, clear_ends_on: bool = False, note: str | None = None,
    is_active: bool | None = None, today: dt.date | None = None,
) -> ReturnVisitPlan:
    """Change a plan's assignee (its open visits move too), end date or note, or stop it (its
    open visits are cancelled) and start it again."""
    require_role(actor, PLANNING_ROLES, doing=_("管理回访计划"))
    plan = ReturnVisitPlan.objects.select_for_update().filter(pk=plan_id).first() if _is_uuid(plan_id) else None
    if plan is None:
        raise NotFound(_("未找到该回访"), code="return_visit_not_found")
    if expected_version is not None and expected_version != plan.version:
        raise PreconditionFailed(_("回访计划已被他人修改，请刷新后重试"), field="version")
    if assignee_id:
        plan.assignee = _staff_member(assignee_id, "assignee_id")
        ReturnVisit.objects.filter(plan=plan, status=VisitStatus.DUE).update(assignee=plan.assignee,
                                                                              updated_at=timezone.now())
    if clear_ends_on:
        plan.ends_on = None
    elif ends_on is not None:
        if ends_on < plan.starts_on:
            raise ValidationFailed(_("结束日期不能早于开始日期"), field="ends_on")
        plan.ends_on = ends_on
    if note is not None:
        plan.note = note.strip()
    if is_active is not None and is_active != plan.is_active:
        plan.is_active = is_active
        if not is_active:
            ReturnVisit.objects.filter(plan=plan, status=VisitStatus.DUE).update(
                status=VisitStatus.CANCELLED, updated_at=timezone.now())
    plan.version += 1
    plan.save()
    if plan.is_active:
        _generate(plan, today or timezone.localdate())
    return plan


@transaction.atomic
def return_visit_record(
    *, actor: User, visit_id: Any, is_reached: bool, satisfaction: int | None = None, notes: str = "",
    is_follow_up_needed: bool = False, expected_version: int | None = None, now: dt.datetime | None = None,
) -> ReturnVisit:
    """Record a visit's outcome (reached or not, satisfaction 1–5, notes); the visit is done.
    A follow-up needed opens a consultation case assigned to whoever records it (once)."""
    require_role(actor, VISIT_ROLES, doing=_("记录回访"))
    now = now or timezone.now()
    visit = (ReturnVisit.objects.select_for_update().filter(pk=visit_id).first()
             if _is_uuid(visit_id) else None)
    if visit is None:
        raise NotFound(_("未找到该回访"), code="return_visit_not_found")
    if expected_version is not None and expected_version != visit.version:
        raise PreconditionFailed(_("回访已被他人修改，请刷新后重试"), field="version")
    if visit.status != VisitStatus.DUE:
        raise Conflict(_("这次回访已记录或已取消"), code="return_visit_closed")
    if satisfaction is not None:
        if not is_reached:
            raise ValidationFailed(_("未联系上客户时不能填写满意度"), field="satisfaction")
        if not RATING_MIN <= satisfaction <= RATING_MAX:
            raise ValidationFailed(_("满意度须为 1 到 5"), field="satisfaction")
    notes = notes.strip()
    if len(notes) > MAX_TEXT:
        raise ValidationFailed(_("不超过 %(count)d 字") % {"count": MAX_TEXT}, field="notes")
    if is_follow_up_needed and not notes:
        raise ValidationFailed(_("需要跟进时请写明跟进什么"), field="notes")
    visit.is_reached = is_reached
    visit.satisfaction = satisfaction
    visit.notes = notes
    visit.is_follow_up_needed = is_follow_up_needed
    visit.status = VisitStatus.DONE
    visit.done_at = now
    visit.done_by = actor
    visit.version += 1
    if is_follow_up_needed:
        customer = Customer.objects.get(pk=visit.customer_id)
        follow_up, _created = case_open(
            actor=actor, customer_id=visit.customer_id, channel="phone", category="consultation",
            impact="limited",
            title=_("回访跟进：%(customer)s（%(period)s 回访）") % {
                "customer": customer.name, "period": visit.period_start.strftime("%Y-%m")},
            description=notes, assignee_id=actor.pk, idempotency_key=f"return-visit-follow-up:{visit.pk}", now=now,
        )
        visit.follow_up_case = follow_up
    visit.save()
    return visit

