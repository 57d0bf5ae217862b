from __future__ import annotations

from typing import Any

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


class WorkOrderResult(models.TextChoices):
    FIXED = "fixed", _("已修复")
    TEMPORARILY_RESTORED = "temporarily_restored", _("临时恢复")
    NEEDS_PARTS = "needs_parts", _("待备件")
    NEEDS_RETURN = "needs_return", _("需返厂")
    NOT_FIXED = "not_fixed", _("未修复")


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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("派工人"),
    )
    summary = models.TextField(_("任务说明"), blank=True)
    scheduled_for = models.DateTimeField(_("计划时间"), null=True, blank=True)
    travel_started_at = models.DateTimeField(_("出发时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    work_done_at = models.DateTimeField(_("完工时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    diagnosis = models.TextField(_("诊断"), blank=True)
    work_performed = models.TextField(_("处理措施"), blank=True)
    result = models.CharField(_("结果"), max_length=24, choices=WorkOrderResult.choices, blank=True)
    time_spent_minutes = models.PositiveIntegerField(_("工时（分钟）"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    last_event_sequence = models.PositiveIntegerField(_("最后事件序号"), default=0)

    class Meta:
        ordering = ["-created_at", "number"]
        verbose_name = _("派工单")
        verbose_name_plural = _("派工单")
        indexes = [
            models.Index(fields=["technician", "status"], name="workorder_tech_status_idx"),
            models.Index(fields=["case", "created_at"], name="workorder_case_idx"),
            models.Index(fields=["status", "scheduled_for"], name="workorder_status_sched_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_WORK_ORDER_STATUSES


class WorkOrderEventKind(models.TextChoices):
    CREATED = "created", _("派工")
    ASSIGNED = "assigned", _("指派工程师")
    TRAVEL_STARTED = "travel_started", _("出发")
    CHECKED_IN = "checked_in", _("到场签到")
    RECORDED = "recorded", _("记录处理情况")
    COMPLETED = "completed", _("完工")
    SIGNED = "signed", _("客户签字")
    CLOSED = "closed", _("关闭")
    CANCELLED = "cancelled", _("取消")
    PHOTO_ADDED = "photo_added", _("上传照片")


class WorkOrderEvent(models.Model):
    """One entry of a work order's timeline. Append-only."""

    id = models.BigAutoField(primary_key=True)
    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("派工单")
    )
    sequence = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("事件"), max_length=24, choices=WorkOrderEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"))
    status_before = models.CharField(_("原状态"), max_length=20, blank=True)
    status_after = models.CharField(_("新状态"), max_length=20, blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)

    class Meta:
        ordering = ["work_order", "sequence"]
        verbose_name = _("派工单事件")
        verbose_name_plural = _("派工单事件")
        constraints = [
            models.UniqueConstraint(fields=["work_order", "sequence"], name="workorder_event_unique_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.work_order_id} #{self.sequence} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("work order events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("work order events are append-only")


class WorkOrderNumber(models.Model):
    """Issues work-order numbers: inserting a row is contention-free on every database."""

    id = models.BigAutoField(primary_key=True)

    class Meta:
        verbose_name = _("派工单号序列")
        verbose_name_plural = _("派工单号序列")

    def __str__(self) -> str:
        return str(self.id)


class WorkOrderIdempotencyKey(BaseModel):
    """A client's Idempotency-Key for creating a work order: the same key gives back the same one.

    The cases app's key points at a case, so work orders keep their own.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("幂等键"), max_length=200)
    request_hash = models.CharField(_("请求摘要"), max_length=64)
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("派工幂等键")
        verbose_name_plural = _("派工幂等键")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="workorder_idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


def photo_path(instance: WorkOrderPhoto, filename: str) -> str:
    # Never the uploader's file name on disk: a random name in a folder per month.
    return f"workorders/photos/{instance.created_at:%Y/%m}/{instance.pk.hex}"


def signature_path(instance: WorkOrderSignature, filename: str) -> str:
    return f"workorders/signatures/{instance.created_at:%Y/%m}/{instance.pk.hex}.png"


class WorkOrderPhoto(BaseModel):
    """A photo taken on site (现场照片); its type comes from its content, not its name."""

    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="photos", verbose_name=_("派工单")
    )
    file = models.FileField(_("文件"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )

    class Meta:
        ordering = ["work_order", "created_at"]
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self) -> str:
        return self.caption or self.pk.hex


class WorkOrderSignature(BaseModel):
    """The customer's signature drawn on the technician's phone, stored as a PNG image."""

    work_order = models.OneToOneField(
        WorkOrder, on_delete=models.CASCADE, related_name="signature", verbose_name=_("派工单")
    )
    file = models.FileField(_("签名图片"), upload_to=signature_path, max_length=200)
    signer_name = models.CharField(_("签字人"), max_length=100)
    signed_at = models.DateTimeField(_("签字时间"))
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("采集人")
    )
    width = models.PositiveIntegerField(_("宽（像素）"))
    height = models.PositiveIntegerField(_("高（像素）"))
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("客户签名")
        verbose_name_plural = _("客户签名")

    def __str__(self) -> str:
        return self.signer_name
