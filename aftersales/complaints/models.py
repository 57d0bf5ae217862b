"""Complaints (投诉) with root cause and corrective/preventive actions (纠正预防措施), and the
periodic service-quality evaluation (服务质量评价) of teams and technicians."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.cases.models import Channel
from aftersales.contracts.models import Severity
from aftersales.core.models import BaseModel

# The SLA policy (shipped by migration 0002) whose first-response and resolution targets are a
# complaint's "acknowledge within" and "resolve within".
COMPLAINT_POLICY_CODE = "complaint"


class ComplaintSeverity(models.TextChoices):
    GENERAL = "general", _("一般投诉")
    SERIOUS = "serious", _("严重投诉")
    CRITICAL = "critical", _("重大投诉")


# The case's severity, which picks the complaint policy's targets.
CASE_SEVERITY = {
    ComplaintSeverity.GENERAL: Severity.P3,
    ComplaintSeverity.SERIOUS: Severity.P2,
    ComplaintSeverity.CRITICAL: Severity.P1,
}


class RootCauseCategory(models.TextChoices):
    PRODUCT_QUALITY = "product_quality", _("产品质量")
    WORKMANSHIP = "workmanship", _("维修/施工质量")
    RESPONSE_DELAY = "response_delay", _("响应或处理不及时")
    ATTITUDE = "attitude", _("服务态度")
    COMMUNICATION = "communication", _("沟通不到位")
    SPARE_PARTS = "spare_parts", _("备件供应")
    PROCESS = "process", _("流程与管理")
    OTHER = "other", _("其他")


class Complaint(BaseModel):
    """The complaint part of a complaint case: what it is about, its own deadlines, its root
    cause. One per case; the case carries the status and the timeline."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="complaint", verbose_name=_("投诉工单")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("客户")
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    severity = models.CharField(_("投诉等级"), max_length=10, choices=ComplaintSeverity.choices,
                                default=ComplaintSeverity.GENERAL)
    # What the complaint is about: all optional.
    subject_case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="complaints_about",
        verbose_name=_("被投诉的工单"),
    )
    subject_work_order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="complaints",
        verbose_name=_("被投诉的派工单"),
    )
    subject_technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="complaints_about", verbose_name=_("被投诉的工程师"),
    )
    subject_team = models.ForeignKey(
        "roster.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="complaints",
        verbose_name=_("被投诉的班组"),
    )
    filed_at = models.DateTimeField(_("投诉时间"))
    acknowledge_due_at = models.DateTimeField(_("应受理时间"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("应处理完毕时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("处理完毕时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    root_cause_category = models.CharField(_("根本原因类别"), max_length=20, choices=RootCauseCategory.choices,
                                           blank=True)
    root_cause = models.TextField(_("根本原因分析"), blank=True)
    root_cause_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("分析人"),
    )
    root_cause_at = models.DateTimeField(_("分析时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        indexes = [
            models.Index(fields=["customer", "filed_at"], name="complaint_customer_filed_idx"),
            models.Index(fields=["filed_at"], name="complaint_filed_idx"),
            models.Index(fields=["subject_technician", "filed_at"], name="complaint_technician_idx"),
            models.Index(fields=["subject_team", "filed_at"], name="complaint_team_idx"),
        ]

    def __str__(self) -> str:
        return str(self.case_id)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def acknowledge_breached(self, now: dt.datetime | None = None) -> bool:
        if self.acknowledge_due_at is None:
            return False
        return (self.acknowledged_at or now or timezone.now()) > self.acknowledge_due_at

    def resolve_breached(self, now: dt.datetime | None = None) -> bool:
        if self.resolve_due_at is None:
            return False
        return (self.resolved_at or now or timezone.now()) > self.resolve_due_at


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", _("纠正措施")
    PREVENTIVE = "preventive", _("预防措施")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("待完成")
    DONE = "done", _("已完成待验证")
    VERIFIED = "verified", _("已验证")


class CorrectiveAction(BaseModel):
    """A corrective or preventive action (CAPA) of a complaint: its owner does it by the due
    date, then a manager other than the owner verifies it. Overdue: not done by the due date."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="actions",
                                  verbose_name=_("投诉"))
    kind = models.CharField(_("类型"), max_length=12, choices=ActionKind.choices)
    description = models.TextField(_("措施内容"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="capa_actions",
                              verbose_name=_("责任人"))
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("制定人"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("完成人"))
    done_note = models.TextField(_("完成说明"), blank=True)
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("验证人"))
    verification_note = models.TextField(_("验证意见"), blank=True)

    class Meta:
        ordering = ["complaint", "due_on", "created_at"]
        verbose_name = _("纠正预防措施")
        verbose_name_plural = _("纠正预防措施")
        indexes = [
            models.Index(fields=["status", "due_on"], name="capa_status_due_idx"),
            models.Index(fields=["owner", "status"], name="capa_owner_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < (today or timezone.localdate())


class SubjectKind(models.TextChoices):
    TEAM = "team", _("班组")
    TECHNICIAN = "technician", _("工程师")


class QualityEvaluation(BaseModel):
    """A service-quality evaluation (服务质量评价) of one team or technician over one period,
    kept as a snapshot of the figures and the score's parts. Exactly one per subject and period
    (`subject_key` is "team:<id>" or "technician:<id>")."""

    subject_kind = models.CharField(_("对象类型"), max_length=12, choices=SubjectKind.choices)
    subject_key = models.CharField(_("对象键"), max_length=60)
    subject_name = models.CharField(_("对象"), max_length=150)
    team = models.ForeignKey("roster.Team", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="quality_evaluations", verbose_name=_("班组"))
    technician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="quality_evaluations", verbose_name=_("工程师"))
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束（不含）"))
    clocks_met = models.PositiveIntegerField(_("时效达成"), default=0)
    clocks_breached = models.PositiveIntegerField(_("时效超时"), default=0)
    work_orders_done = models.PositiveIntegerField(_("完工派工单"), default=0)
    complaints = models.PositiveIntegerField(_("被投诉次数"), default=0)
    satisfaction_average = models.DecimalField(_("满意度均分"), max_digits=4, decimal_places=2, null=True,
                                               blank=True)
    satisfaction_responses = models.PositiveIntegerField(_("满意度答卷数"), default=0)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    parts = models.JSONField(_("得分构成"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ["-period_start", "subject_kind", "subject_name"]
        verbose_name = _("服务质量评价")
        verbose_name_plural = _("服务质量评价")
        constraints = [
            models.UniqueConstraint(fields=["subject_key", "period_start"], name="quality_evaluation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.period_start}"
