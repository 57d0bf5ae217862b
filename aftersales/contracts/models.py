from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class Severity(models.TextChoices):
    P1 = "P1", _("P1 紧急（业务中断）")
    P2 = "P2", _("P2 严重（功能受损）")
    P3 = "P3", _("P3 一般")
    P4 = "P4", _("P4 咨询/轻微")


class SlaPolicy(BaseModel):
    """An SLA policy (服务时效策略): a calendar and per-severity targets."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    calendar = models.ForeignKey(
        "calendars.Calendar", on_delete=models.PROTECT, related_name="policies", verbose_name=_("日历")
    )
    warning_percent = models.PositiveSmallIntegerField(_("预警阈值（%）"), default=80)
    is_default = models.BooleanField(_("无合同时的默认策略"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)
    clocks_version = models.PositiveIntegerField(_("时钟已按此版本计算"), default=1)

    class Meta:
        ordering = ["code"]
        verbose_name = _("SLA 策略")
        verbose_name_plural = _("SLA 策略")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_policy"
            ),
            models.CheckConstraint(
                condition=models.Q(warning_percent__gte=1, warning_percent__lte=99),
                name="policy_warning_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SlaTarget(BaseModel):
    """Targets in minutes of the policy's calendar for one severity; empty means no clock.

    A row with a region (e.g. "北京") holds what differs for cases at a site of that region
    ("京津 2 小时到场，其他地区 48 小时"): its filled targets replace the default row's, its
    empty ones keep them."""

    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.CASCADE, related_name="targets", verbose_name=_("策略")
    )
    severity = models.CharField(_("严重等级"), max_length=2, choices=Severity.choices)
    first_response_minutes = models.PositiveIntegerField(_("首次响应（分钟）"), null=True, blank=True)
    on_site_minutes = models.PositiveIntegerField(_("到场（分钟）"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("故障修复（分钟）"), null=True, blank=True)
    restoration_minutes = models.PositiveIntegerField(_("恢复正常（分钟）"), null=True, blank=True)
    region = models.CharField(_("地区"), max_length=100, blank=True, default="",
                              help_text=_("留空为默认目标；填写时，该地区站点的工单使用此行已填写的目标"))

    class Meta:
        ordering = ["policy", "severity", "region"]
        verbose_name = _("SLA 目标")
        verbose_name_plural = _("SLA 目标")
        constraints = [
            models.UniqueConstraint(fields=["policy", "severity", "region"], name="sla_target_unique_severity_region")
        ]

    def __str__(self) -> str:
        return f"{self.policy.code} {self.severity}{' ' + self.region if self.region else ''}"


class ServiceTier(BaseModel):
    """A service tier (服务等级): diamond, gold, silver — a bundle, never split (R3)."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.PROTECT, related_name="tiers", verbose_name=_("SLA 策略")
    )
    included_services = models.JSONField(_("包含的服务"), default=list, blank=True)
    description = models.TextField(_("说明"), blank=True)
    # Months between return visits promised to the tier's customers; empty: the built-in
    # default of the tier's code (diamond quarterly, gold half-yearly, silver yearly).
    return_visit_months = models.PositiveSmallIntegerField(
        _("回访间隔（月）"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)])

    class Meta:
        ordering = ["code"]
        verbose_name = _("服务等级")
        verbose_name_plural = _("服务等级")

    def __str__(self) -> str:
        return self.name


class Contract(BaseModel):
    """A service contract (服务合同): a customer, a tier, and the dates it is in force."""

    number = models.CharField(_("合同编号"), max_length=50, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("客户")
    )
    tier = models.ForeignKey(
        ServiceTier, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("服务等级")
    )
    # A contract may negotiate its own targets; otherwise the tier's policy applies.
    policy_override = models.ForeignKey(
        SlaPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("专用 SLA 策略"),
    )
    starts_on = models.DateField(_("生效日期"))
    ends_on = models.DateField(_("到期日期"))

    class Meta:
        ordering = ["customer", "-starts_on"]
        verbose_name = _("服务合同")
        verbose_name_plural = _("服务合同")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="contract_dates_ordered"
            )
        ]
        indexes = [models.Index(fields=["customer", "starts_on", "ends_on"], name="contract_in_force_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def policy(self) -> SlaPolicy:
        return self.policy_override or self.tier.policy
