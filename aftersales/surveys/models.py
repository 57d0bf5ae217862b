"""Satisfaction surveys (客户满意度调查) and return visits (定期回访).

A questionnaire (`SurveyTemplate`) holds ordered questions; which one a closed case gets is
decided by its contract, else its contract's service tier, else the default template. A
`Survey` is sent once per case (see docs/decisions/0011): only the SHA-256 of its one-time link
token is stored. A `ReturnVisitPlan` makes one `ReturnVisit` per period (unique per period).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel

RATING_MIN, RATING_MAX = 1, 5


class QuestionKind(models.TextChoices):
    RATING = "rating", _("评分（1–5）")
    YES_NO = "yes_no", _("是 / 否")
    TEXT = "text", _("文字")


class SurveyTemplate(BaseModel):
    """A questionnaire. Its questions are fixed once a survey uses it (answers refer to them):
    a change of questions is a new template."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    intro = models.TextField(_("说明"), blank=True)
    # Any rating at or below this opens a follow-up case.
    low_score_threshold = models.PositiveSmallIntegerField(_("低分阈值"), default=2)
    is_default = models.BooleanField(_("默认问卷"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("调查问卷")
        verbose_name_plural = _("调查问卷")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                    name="survey_template_one_default"),
            models.CheckConstraint(condition=models.Q(low_score_threshold__gte=0, low_score_threshold__lte=4),
                                   name="survey_template_threshold_range"),
        ]

    def __str__(self) -> str:
        return self.name


class SurveyQuestion(BaseModel):
    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions",
                                 verbose_name=_("调查问卷"))
    position = models.PositiveSmallIntegerField(_("序号"))
    # Stable across templates (response_speed, attitude …): the summary averages by it.
    code = models.SlugField(_("代码"), max_length=50)
    label = models.CharField(_("问题"), max_length=300)
    kind = models.CharField(_("类型"), max_length=10, choices=QuestionKind.choices)
    is_required = models.BooleanField(_("必答"), default=True)

    class Meta:
        ordering = ["template_id", "position"]
        verbose_name = _("调查问题")
        verbose_name_plural = _("调查问题")
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="survey_question_unique_position"),
            models.UniqueConstraint(fields=["template", "code"], name="survey_question_unique_code"),
        ]

    def __str__(self) -> str:
        return self.label


class SurveyTemplateAssignment(BaseModel):
    """Which questionnaire a contract, or every contract of a service tier, gets."""

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="assignments",
                                 verbose_name=_("调查问卷"))
    tier = models.ForeignKey("contracts.ServiceTier", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("服务等级"))
    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="+", verbose_name=_("合同"))

    class Meta:
        ordering = ["template_id", "created_at"]
        verbose_name = _("问卷适用范围")
        verbose_name_plural = _("问卷适用范围")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(tier__isnull=False, contract__isnull=True)
                           | models.Q(tier__isnull=True, contract__isnull=False)),
                name="survey_assignment_tier_xor_contract",
            ),
            models.UniqueConstraint(fields=["tier"], condition=models.Q(tier__isnull=False),
                                    name="survey_assignment_one_per_tier"),
            models.UniqueConstraint(fields=["contract"], condition=models.Q(contract__isnull=False),
                                    name="survey_assignment_one_per_contract"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} {self.tier_id or self.contract_id}"


class AnsweredVia(models.TextChoices):
    LINK = "link", _("邮件链接")
    PORTAL = "portal", _("客户门户")


class SurveyStatus(models.TextChoices):
    """Derived, never stored: answered, else expired once the link's time is up, else pending."""

    PENDING = "pending", _("待回答")
    ANSWERED = "answered", _("已回答")
    EXPIRED = "expired", _("已过期")


class Survey(BaseModel):
    """The survey of a closed case. Round 2, 3 … exist only when the case was closed again
    after the previous round expired unanswered."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("工单"))
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    # Copies of the case's, for scoping and the reports without a join.
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("客户"))
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("合同"))
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="surveys",
                                 verbose_name=_("调查问卷"))
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("收件联系人"))
    # SHA-256 of the one-time link's token; the token itself is only in the e-mail.
    token_hash = models.CharField(_("链接令牌摘要"), max_length=64, unique=True)
    sent_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("链接失效时间"))
    answered_at = models.DateTimeField(_("回答时间"), null=True, blank=True)
    answered_via = models.CharField(_("回答方式"), max_length=10, choices=AnsweredVia.choices, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("回答人"))
    is_low_score = models.BooleanField(_("低分"), default=False)
    follow_up_case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("跟进工单"))

    class Meta:
        ordering = ["-sent_at", "id"]
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="survey_unique_case_round"),
            models.UniqueConstraint(fields=["case"], condition=models.Q(answered_at__isnull=False),
                                    name="survey_answered_once_per_case"),
        ]
        indexes = [
            models.Index(fields=["customer", "sent_at"], name="survey_customer_sent_idx"),
            models.Index(fields=["contract", "sent_at"], name="survey_contract_sent_idx"),
            models.Index(fields=["sent_at"], name="survey_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.round}"

    def status_at(self, now: dt.datetime) -> str:
        if self.answered_at is not None:
            return SurveyStatus.ANSWERED
        return SurveyStatus.EXPIRED if self.expires_at <= now else SurveyStatus.PENDING


class SurveyAnswer(BaseModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers", verbose_name=_("调查"))
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("问题"))
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    yes_no = models.BooleanField(_("是否"), null=True, blank=True)
    text = models.TextField(_("文字"), blank=True)

    class Meta:
        ordering = ["survey_id", "question__position"]
        verbose_name = _("调查回答")
        verbose_name_plural = _("调查回答")
        constraints = [
            models.UniqueConstraint(fields=["survey", "question"], name="survey_answer_once_per_question"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="survey_answer_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.question_id}"


class VisitFrequency(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    YEARLY = "yearly", _("每年")


class ReturnVisitPlan(BaseModel):
    """Return visits (定期回访) to a customer, or to the customer of one contract."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("客户"))
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("合同"))
    frequency = models.CharField(_("频率"), max_length=12, choices=VisitFrequency.choices)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("回访人"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("创建人"))

    class Meta:
        ordering = ["customer_id", "starts_on", "id"]
        verbose_name = _("回访计划")
        verbose_name_plural = _("回访计划")
        indexes = [models.Index(fields=["is_active"], name="return_visit_plan_active_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.frequency}"


class VisitStatus(models.TextChoices):
    DUE = "due", _("待回访")
    DONE = "done", _("已回访")
    CANCELLED = "cancelled", _("已取消")


class ReturnVisit(BaseModel):
    """One period of a plan. The unique (plan, period_start) makes generation exactly once
    however many schedulers run; overdue is derived (open with due_on before today)."""

    plan = models.ForeignKey(ReturnVisitPlan, on_delete=models.CASCADE, related_name="visits",
                             verbose_name=_("回访计划"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("客户"))
    period_start = models.DateField(_("周期开始"))
    due_on = models.DateField(_("截止日期"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("回访人"))
    status = models.CharField(_("状态"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.DUE)
    is_reached = models.BooleanField(_("已联系上"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    notes = models.TextField(_("回访记录"), blank=True)
    is_follow_up_needed = models.BooleanField(_("需要跟进"), default=False)
    follow_up_case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("跟进工单"))
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("记录人"))
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["due_on", "plan_id"]
        verbose_name = _("回访任务")
        verbose_name_plural = _("回访任务")
        constraints = [
            models.UniqueConstraint(fields=["plan", "period_start"], name="return_visit_once_per_period"),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=RATING_MIN, satisfaction__lte=RATING_MAX),
                name="return_visit_satisfaction_range",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "due_on"], name="return_visit_assignee_due_idx",
                         condition=models.Q(status="due")),
            models.Index(fields=["customer", "due_on"], name="return_visit_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.period_start}"
