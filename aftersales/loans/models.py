"""Substitute units (替代设备, R7): the depot's loan pool, loans to customers, and the
proposals that offer a unit when a case's repair will not be finished in time."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class UnitStatus(models.TextChoices):
    AVAILABLE = "available", _("可借用")
    ON_LOAN = "on_loan", _("借出中")
    IN_REPAIR = "in_repair", _("维修中")
    RETIRED = "retired", _("已报废")


class SubstituteUnit(BaseModel):
    """A unit kept in a depot to lend while a customer's own unit is repaired. Its status
    changes only through the loan services."""

    product = models.ForeignKey(
        "assets.Product", on_delete=models.PROTECT, related_name="substitute_units",
        verbose_name=_("产品"),
    )
    serial_number = models.CharField(_("序列号"), max_length=100)
    depot = models.ForeignKey(
        "parts.Depot", on_delete=models.PROTECT, related_name="substitute_units",
        verbose_name=_("所在备件库"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=UnitStatus.choices, default=UnitStatus.AVAILABLE
    )
    condition_note = models.TextField(_("状况说明"), blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=250, unique=True, null=True, blank=True)
    request_hash = models.CharField(_("请求摘要"), max_length=64, blank=True)

    class Meta:
        ordering = ["product", "serial_number"]
        verbose_name = _("替代设备")
        verbose_name_plural = _("替代设备")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "serial_number"], name="substitute_serial_unique_per_product"
            )
        ]
        indexes = [models.Index(fields=["product", "status"], name="substitute_product_status_idx")]

    def __str__(self) -> str:
        return f"{self.serial_number} ({self.get_status_display()})"


class LoanStatus(models.TextChoices):
    OUT = "out", _("借出中")
    RETURNED = "returned", _("已归还")


class ProposalReason(models.TextChoices):
    RESOLUTION_AT_RISK = "resolution_at_risk", _("修复时限将超时")
    UNIT_TAKEN_AWAY = "unit_taken_away", _("设备需带回维修")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACCEPTED = "accepted", _("已借出")
    DECLINED = "declined", _("已拒绝")


class SubstituteProposal(BaseModel):
    """The system's (or an engineer's) proposal to lend a unit for a case. At most one open
    proposal per case; accepting it is lending the unit (`loan_out`)."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="substitute_proposals",
        verbose_name=_("服务工单"),
    )
    unit = models.ForeignKey(
        SubstituteUnit, on_delete=models.PROTECT, related_name="proposals",
        verbose_name=_("建议设备"),
    )
    proposed_at = models.DateTimeField(_("建议时间"))
    reason = models.CharField(_("原因"), max_length=30, choices=ProposalReason.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    # Empty when the periodic scan proposed it.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("建议人"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decline_reason = models.TextField(_("拒绝原因"), blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=250, unique=True, null=True, blank=True)
    request_hash = models.CharField(_("请求摘要"), max_length=64, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("替代设备建议")
        verbose_name_plural = _("替代设备建议")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="open"), name="proposal_one_open_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.unit_id} {self.status}"


class Loan(BaseModel):
    """One lending of a substitute unit (借用记录): out, where, due back, returned, condition."""

    unit = models.ForeignKey(
        SubstituteUnit, on_delete=models.PROTECT, related_name="loans", verbose_name=_("替代设备")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="substitute_loans",
        verbose_name=_("服务工单"),
    )
    proposal = models.OneToOneField(
        SubstituteProposal, on_delete=models.PROTECT, null=True, blank=True, related_name="loan",
        verbose_name=_("来自建议"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="substitute_loans",
        verbose_name=_("客户"),
    )
    site = models.ForeignKey(
        "customers.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("使用站点"),
    )
    lent_at = models.DateTimeField(_("借出时间"))
    due_back_at = models.DateTimeField(_("应归还时间"))
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)
    condition_out = models.TextField(_("借出时状况"))
    condition_in = models.TextField(_("归还时状况"), blank=True)
    is_returned_faulty = models.BooleanField(_("归还时有故障"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=LoanStatus.choices, default=LoanStatus.OUT
    )
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("借出经办人"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("归还接收人"),
    )
    # Set once by the overdue scan, so that each overdue loan is announced exactly once.
    overdue_recorded_at = models.DateTimeField(_("已记录逾期"), null=True, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=250, unique=True, null=True, blank=True)
    request_hash = models.CharField(_("请求摘要"), max_length=64, blank=True)

    class Meta:
        ordering = ["-lent_at"]
        verbose_name = _("替代设备借用")
        verbose_name_plural = _("替代设备借用")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=models.Q(status="out"), name="loan_one_open_per_unit"
            ),
            models.CheckConstraint(
                condition=models.Q(due_back_at__gt=models.F("lent_at")),
                name="loan_due_back_after_lent",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_back_at"],
                condition=models.Q(status="out", overdue_recorded_at__isnull=True),
                name="loan_overdue_due_idx",
            ),
            models.Index(fields=["customer", "lent_at"], name="loan_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.case_id}"

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.status == LoanStatus.OUT and now > self.due_back_at

    def display_status(self, now: dt.datetime) -> str:
        """out / returned, or overdue: derived from the due time, never stored."""
        return "overdue" if self.is_overdue(now) else self.status
