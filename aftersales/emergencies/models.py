"""Emergency levels (应急响应级别) and the fault classes (故障类别) that map onto them (R10)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.contracts.models import Severity
from aftersales.core.models import BaseModel

TARGET_FIELDS = ("first_response_minutes", "on_site_minutes", "resolution_minutes", "restoration_minutes")


class EmergencyLevel(BaseModel):
    """A response level: the severity it gives a case, its own targets and required actions.

    A target set here replaces the contract policy's target for that clock; an empty one keeps
    the policy's. Minutes count in the policy's calendar, as every other target does.
    """

    level = models.PositiveSmallIntegerField(_("级别"), unique=True)
    name = models.CharField(_("名称"), max_length=60)
    severity = models.CharField(_("严重等级"), max_length=2, choices=Severity.choices)
    first_response_minutes = models.PositiveIntegerField(_("首次响应（分钟）"), null=True, blank=True)
    on_site_minutes = models.PositiveIntegerField(_("到场（分钟）"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("故障修复（分钟）"), null=True, blank=True)
    restoration_minutes = models.PositiveIntegerField(_("恢复正常（分钟）"), null=True, blank=True)
    required_actions = models.JSONField(_("必须采取的措施"), default=list, blank=True)
    breach_reason_required = models.BooleanField(_("超时须书面说明原因"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    clocks_version = models.PositiveIntegerField(_("时钟已按此版本计算"), default=1)

    class Meta:
        ordering = ["level"]
        verbose_name = _("应急响应级别")
        verbose_name_plural = _("应急响应级别")
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=9), name="emergency_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.name}"


class FaultClass(BaseModel):
    """A kind of fault (e.g. 收费车道中断) and the emergency level it calls for."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.ForeignKey(
        EmergencyLevel, on_delete=models.PROTECT, related_name="fault_classes", verbose_name=_("响应级别")
    )
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["level__level", "code"]
        verbose_name = _("故障类别")
        verbose_name_plural = _("故障类别")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
