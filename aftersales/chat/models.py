"""Chat sessions (在线客服) and their messages. A session is tied to the case it opened: every
message is also an event of that case, so the case timeline holds the transcript."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class SessionStatus(models.TextChoices):
    WAITING = "waiting", _("等待接入")
    ACTIVE = "active", _("会话中")
    ENDED = "ended", _("已结束")


OPEN_SESSION_STATUSES = (SessionStatus.WAITING, SessionStatus.ACTIVE)


class EndReason(models.TextChoices):
    CUSTOMER = "customer", _("客户结束")
    AGENT = "agent", _("客服结束")
    IDLE = "idle", _("长时间无消息")
    CASE_CLOSED = "case_closed", _("工单已解决或关闭")


class Side(models.TextChoices):
    CUSTOMER = "customer", _("客户")
    AGENT = "agent", _("客服")


class ChatSession(BaseModel):
    """One conversation of a customer user with the service desk, from waiting to ended."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="chat_sessions", verbose_name=_("客户")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    # The contact whose e-mail address is the user's, when there is one: the case's contact.
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("联系人"),
    )
    # Opened with the session (not when an agent takes it), so that the first-response clock
    # runs from the moment the customer asked.
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="chat_session", verbose_name=_("工单")
    )
    topic = models.CharField(_("咨询主题"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=SessionStatus.choices,
                              default=SessionStatus.WAITING)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("接待客服"),
    )
    taken_at = models.DateTimeField(_("接入时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("结束人"),
    )
    end_reason = models.CharField(_("结束原因"), max_length=12, choices=EndReason.choices, blank=True)
    # The sequence of the last message; messages are numbered under the session's row lock, so
    # a poll for "after N" never misses one that commits later with a smaller number.
    last_sequence = models.PositiveIntegerField(_("最后消息序号"), default=0)
    # The idle sweep ends sessions by this (an index, not a scan of the messages).
    last_activity_at = models.DateTimeField(_("最后活动时间"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("在线客服会话")
        verbose_name_plural = _("在线客服会话")
        constraints = [
            # At most one open session per customer user: a second start returns this one, also
            # when two starts race (the loser's insert fails and it reads the winner's).
            models.UniqueConstraint(
                fields=["started_by"], condition=models.Q(status__in=["waiting", "active"]),
                name="chat_one_open_session_per_user",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="chat_customer_created_idx"),
            # The console's list and the idle sweep read open sessions only.
            models.Index(fields=["last_activity_at"], condition=models.Q(status__in=["waiting", "active"]),
                         name="chat_open_activity_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SESSION_STATUSES


class ChatMessage(BaseModel):
    """One message of a session, from the customer or an agent. Append-only."""

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages",
                                verbose_name=_("会话"))
    sequence = models.PositiveIntegerField(_("序号"))
    side = models.CharField(_("发送方"), max_length=10, choices=Side.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("发送人"))
    body = models.TextField(_("内容"))
    # Chosen by the sender's page or client for each message: a retried POST carries the same
    # id and gets the first message back instead of a second one.
    client_id = models.CharField(_("客户端消息标识"), max_length=64)

    class Meta:
        ordering = ["session", "sequence"]
        verbose_name = _("在线客服消息")
        verbose_name_plural = _("在线客服消息")
        constraints = [
            models.UniqueConstraint(fields=["session", "sequence"], name="chat_message_unique_sequence"),
            models.UniqueConstraint(fields=["session", "client_id"], name="chat_message_unique_client_id"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} #{self.sequence}"
