from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutboxMessage(BaseModel):
    """A notification written in the same transaction as the change it reports (outbox).

    Workers deliver it at least once; `key` makes a second write of the same notification a
    no-op, so retries and racing sweeps never notify twice.
    """

    key = models.CharField(_("去重键"), max_length=200, unique=True)
    channel = models.CharField(_("渠道"), max_length=20, default="email")
    recipient = models.CharField(_("收件人"), max_length=254)
    subject = models.CharField(_("主题"), max_length=300)
    body = models.TextField(_("正文"))
    status = models.CharField(
        _("状态"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.CharField(_("最后错误"), max_length=300, blank=True)
    # Threading headers of an e-mail. The Message-ID is fixed when the row is written, so a
    # retry after a lost answer sends the same Message-ID and the receiver can tell the copies.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    references = models.TextField(_("References"), blank=True)
    # The mailbox's address for mail a customer may answer (else DEFAULT_FROM_EMAIL).
    from_email = models.CharField(_("发件地址"), max_length=254, blank=True)
    # Further headers, e.g. Auto-Submitted on acknowledgements (RFC 3834: no replies to them).
    headers = models.JSONField(_("其他邮件头"), default=dict, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("待发通知")
        verbose_name_plural = _("待发通知")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return self.key
