"""Maintenance logs (维修保养记录): drafted by the technician, signed by the technician and the
owner's representative (业主), then sealed into a per-site hash chain.

A sealed log never changes: the model, its queryset and a database trigger (migration 0002)
all refuse updates and deletes of sealed rows; a correction is a new log that `corrects` it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict
from aftersales.core.models import BaseModel


class SealedLogError(Conflict):
    """A write to a sealed maintenance log."""

    default_code = "log_sealed"


def _sealed_error() -> SealedLogError:
    from django.utils.translation import gettext

    return SealedLogError(gettext("维修保养记录已封存，不能修改；请新建更正记录"), code="log_sealed")


class PeriodKind(models.TextChoices):
    DAILY = "daily", _("日常")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    YEARLY = "yearly", _("每年")
    AD_HOC = "ad_hoc", _("临时")


class LogStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    AWAITING_OWNER = "awaiting_owner", _("待业主签字")
    SEALED = "sealed", _("已封存")


class OwnerSignedVia(models.TextChoices):
    DRAWN = "drawn", _("现场手写签名")
    LINK = "link", _("一次性链接签名")


def technician_signature_path(instance: MaintenanceLog, filename: str) -> str:
    return f"maintenance/signatures/{instance.created_at:%Y/%m}/{instance.pk.hex}-technician.png"


def owner_signature_path(instance: MaintenanceLog, filename: str) -> str:
    return f"maintenance/signatures/{instance.created_at:%Y/%m}/{instance.pk.hex}-owner.png"


class MaintenanceLogQuerySet(models.QuerySet["MaintenanceLog"]):
    """Bulk writes refuse to touch sealed rows (the database trigger is the last guard)."""

    def update(self, **kwargs: Any) -> int:
        if self.filter(sealed_at__isnull=False).exists():
            raise _sealed_error()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(sealed_at__isnull=False).exists():
            raise _sealed_error()
        return super().delete()


class MaintenanceLog(BaseModel):
    """One maintenance record of a site; sealed once both parties signed."""

    site = models.ForeignKey(
        "customers.Site", on_delete=models.PROTECT, related_name="maintenance_logs", verbose_name=_("站点")
    )
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.PROTECT, null=True, blank=True, related_name="maintenance_logs",
        verbose_name=_("设备"),
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.PROTECT, null=True, blank=True,
        related_name="maintenance_logs", verbose_name=_("派工单"),
    )
    period_kind = models.CharField(_("记录类别"), max_length=16, choices=PeriodKind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=LogStatus.choices, default=LogStatus.DRAFT)
    performed_at = models.DateTimeField(_("维护时间"))
    problem = models.TextField(_("问题"), blank=True)
    symptom = models.TextField(_("现象"), blank=True)
    diagnosis = models.TextField(_("诊断"), blank=True)
    treatment = models.TextField(_("处理措施"), blank=True)
    state_after = models.TextField(_("处理后状态"), blank=True)
    # Free text, one part a line ("天线板 RSU-ANT-01 ×1"): a log also records parts that never
    # went through our ledger (the owner's own spares); the ledger keeps its own issue records.
    parts_used = models.TextField(_("使用备件"), blank=True)
    time_spent_minutes = models.PositiveIntegerField(_("耗时（分钟）"), default=0)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("维护人员")
    )
    technician_name = models.CharField(_("维护人员签字人"), max_length=100, blank=True)
    technician_signature = models.FileField(
        _("维护人员签名"), upload_to=technician_signature_path, max_length=200, blank=True
    )
    technician_signature_sha256 = models.CharField(_("维护人员签名 SHA-256"), max_length=64, blank=True)
    technician_signed_at = models.DateTimeField(_("维护人员签字时间"), null=True, blank=True)
    owner_name = models.CharField(_("业主代表"), max_length=100, blank=True)
    owner_signature = models.FileField(
        _("业主签名"), upload_to=owner_signature_path, max_length=200, blank=True
    )
    owner_signature_sha256 = models.CharField(_("业主签名 SHA-256"), max_length=64, blank=True)
    owner_signed_at = models.DateTimeField(_("业主签字时间"), null=True, blank=True)
    owner_signed_via = models.CharField(
        _("业主签字方式"), max_length=8, choices=OwnerSignedVia.choices, blank=True
    )
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections",
        verbose_name=_("更正的记录"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    sealed_at = models.DateTimeField(_("封存时间"), null=True, blank=True)
    chain_index = models.PositiveIntegerField(_("链序号"), null=True, blank=True)
    previous_hash = models.CharField(_("前一记录哈希"), max_length=64, blank=True)
    content_hash = models.CharField(_("内容哈希"), max_length=64, blank=True)

    objects = MaintenanceLogQuerySet.as_manager()

    class Meta:
        ordering = ["site", "-performed_at"]
        verbose_name = _("维修保养记录")
        verbose_name_plural = _("维修保养记录")
        constraints = [
            # Two seals of one site never share an index: the chain cannot fork.
            models.UniqueConstraint(fields=["site", "chain_index"], name="maintenance_log_chain_unique"),
            models.CheckConstraint(
                condition=(models.Q(sealed_at__isnull=True, chain_index__isnull=True, status__in=["draft", "awaiting_owner"])
                           | models.Q(sealed_at__isnull=False, chain_index__isnull=False, status="sealed")),
                name="maintenance_log_sealed_has_index",
            ),
        ]
        indexes = [models.Index(fields=["site", "period_kind", "performed_at"], name="maintenance_log_book")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.performed_at:%Y-%m-%d} {self.get_period_kind_display()}"

    @property
    def is_sealed(self) -> bool:
        return self.sealed_at is not None

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Checked against the stored row, not this instance: sealing itself saves a draft.
        if not self._state.adding and type(self).objects.filter(pk=self.pk, sealed_at__isnull=False).exists():
            raise _sealed_error()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if type(self).objects.filter(pk=self.pk, sealed_at__isnull=False).exists():
            raise _sealed_error()
        return super().delete(*args, **kwargs)


class OwnerSignatureLink(BaseModel):
    """A one-time link e-mailed to the owner's representative: only the token's SHA-256 is kept."""

    log = models.ForeignKey(
        MaintenanceLog, on_delete=models.CASCADE, related_name="owner_links", verbose_name=_("维修保养记录")
    )
    token_hash = models.CharField(_("令牌哈希"), max_length=64, unique=True)
    email = models.EmailField(_("收件人"))
    expires_at = models.DateTimeField(_("过期时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发送人")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("业主签字链接")
        verbose_name_plural = _("业主签字链接")

    def __str__(self) -> str:
        return f"{self.log_id} → {self.email}"
