from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class WorkOrderKind(models.TextChoices):
    REPAIR = "repair", _("维修")
    INSTALLATION = "installation", _("安装")
    INSPECTION = "inspection", _("巡检")


class WorkOrderStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已派工")
    TRAVELLING = "travelling", _("在途")
    ON_SITE = "on_site", _("已到场")
    WORK_DONE = "work_done", _("已完工")
    SIGNED = "signed", _("客户已签字")
    CLOSED = "closed", _("已关闭")
    CANCELLED = "cancelled", _("已取消")


OPEN_WORK_ORDER_STATUSES = frozenset(
    {WorkOrderStatus.SCHEDULED, WorkOrderStatus.TRAVELLING, WorkOrderStatus.ON_SITE, WorkOrderStatus.WORK_DONE}
)


class WorkOrder(BaseModel):
    """A work order (派工单): one visit or job of a technician for a case."""

    number = models.CharField(_("派工单号"), max_length=32, unique=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("服务工单")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=WorkOrderKind.choices, default=WorkOrderKind.REPAIR)
    status = models.CharField(
        _("状态"), max_length=20, choices=WorkOrderStatus.choices, default=WorkOrderStatus.SCHEDULED
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="work_orders", verbose_name=_("工程师"),
    )
    scheduled_for = models.DateTimeField(_("计划时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("派工单")
        verbose_name_plural = _("派工单")
        indexes = [
            models.Index(fields=["technician", "status"], name="workorder_tech_status_idx"),
            models.Index(fields=["case", "created_at"], name="workorder_case_idx"),
        ]

    def __str__(self) -> str:
        return self.number
