"""Webhook subscriptions (订阅) and their deliveries (推送记录)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class Subscription(BaseModel):
    """A receiver of events. The secret is a shared secret (the receiver checks our HMAC with
    it), so it is stored as is, not hashed; it is shown once, at creation and at rotation."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.CharField(_("接收地址"), max_length=2000)
    secret = models.CharField(_("签名密钥"), max_length=100)
    # Patterns: "*", "case.*", "work_order.*" or exact types such as "case.created".
    event_types = models.JSONField(_("事件类型"), default=list)
    is_active = models.BooleanField(_("启用"), default=True)
    # Set only by an administrator who means it: lets the URL point at internal addresses.
    allow_internal = models.BooleanField(_("允许内网地址"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("创建人"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["name", "created_at"]
        verbose_name = _("Webhook 订阅")
        verbose_name_plural = _("Webhook 订阅")

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("已放弃")


class Delivery(BaseModel):
    """One event for one subscription. The event id is the receiver's dedupe key: every attempt
    and every manual redelivery sends the same one."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("订阅")
    )
    event_id = models.UUIDField(_("事件 ID"))
    event_type = models.CharField(_("事件类型"), max_length=64)
    payload = models.JSONField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    last_status_code = models.PositiveSmallIntegerField(_("最后状态码"), null=True, blank=True)
    # The kind of failure only (an exception's class, a refused address): never a response body.
    last_error = models.CharField(_("最后错误"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_delivery_unique_event"),
        ]
        indexes = [
            # The sender's claim reads only pending rows that are due.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_delivery_due_idx"),
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
