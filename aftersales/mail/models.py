from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.cases.models import Category
from aftersales.core.models import BaseModel
from aftersales.customers.models import Language


class Mailbox(BaseModel):
    """An IMAP mailbox (邮箱) customers write to; polled every minute while active.

    The password is never stored: `password_env` names the environment variable that holds it,
    so a database copy or the admin never shows it."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    address = models.EmailField(_("邮箱地址"), help_text=_("确认和回复邮件的发件地址，客户回信回到此邮箱。"))
    host = models.CharField(_("IMAP 服务器"), max_length=200)
    port = models.PositiveIntegerField(_("端口"), default=993)
    use_tls = models.BooleanField(_("使用 TLS"), default=True)
    username = models.CharField(_("用户名"), max_length=200)
    password_env = models.CharField(
        _("密码环境变量"), max_length=100, help_text=_("保存密码的环境变量名，例如 AFTERSALES_MAILBOX_SERVICE_PASSWORD。")
    )
    folder = models.CharField(_("文件夹"), max_length=200, default="INBOX")
    default_category = models.CharField(
        _("默认类别"), max_length=20, choices=Category.choices, default=Category.FAULT
    )
    # Used when a message's own language cannot be told (see parsing.guess_language).
    default_language = models.CharField(
        _("默认语言"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    is_active = models.BooleanField(_("启用"), default=True)
    # The IMAP position: UIDs are only comparable within one UIDVALIDITY; when it changes the
    # folder is read again from the start and the Message-ID dedupe drops what was seen.
    uid_validity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    last_uid = models.BigIntegerField(_("已处理的最大 UID"), default=0)
    last_polled_at = models.DateTimeField(_("上次收取"), null=True, blank=True)
    last_error = models.CharField(_("最后错误"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("邮箱")
        verbose_name_plural = _("邮箱")

    def __str__(self) -> str:
        return self.name


class InboundStatus(models.TextChoices):
    OPENED = "opened", _("已建工单")
    THREADED = "threaded", _("已归入工单")
    AUTOMATIC = "automatic", _("自动回复/退信（不处理）")
    TRIAGE = "triage", _("待分拣")
    DISCARDED = "discarded", _("已丢弃")
    TOO_LARGE = "too_large", _("邮件过大")


class InboundMessage(BaseModel):
    """One received e-mail, kept once per Message-ID: fetching it again changes nothing."""

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.PROTECT, null=True, blank=True, related_name="messages", verbose_name=_("邮箱")
    )
    status = models.CharField(_("状态"), max_length=12, choices=InboundStatus.choices)
    sender = models.CharField(_("发件人"), max_length=254)
    sender_name = models.CharField(_("发件人姓名"), max_length=200, blank=True)
    subject = models.CharField(_("主题"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    references = models.TextField(_("References"), blank=True)
    body_text = models.TextField(_("正文"), blank=True)
    # Sanitised with nh3 (no scripts, styles, event attributes); the console shows body_text.
    body_html = models.TextField(_("HTML 正文（已净化）"), blank=True)
    language = models.CharField(_("语言"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)
    automatic_reason = models.CharField(_("自动邮件原因"), max_length=100, blank=True)
    # Why attachments or parts were not kept, for the agent (e.g. a file type refused).
    notes = models.JSONField(_("处理说明"), default=list, blank=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("工单")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("客户"),
    )
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("联系人"),
    )
    # The raw message, kept for triage: assigning it later files the case from it.
    raw = models.BinaryField(_("原始邮件"), blank=True)
    received_at = models.DateTimeField(_("收取时间"))
    handled_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("分拣人"),
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("收到的邮件")
        verbose_name_plural = _("收到的邮件")
        indexes = [
            models.Index(fields=["received_at"], condition=models.Q(status="triage"), name="mail_triage_idx"),
            models.Index(fields=["case", "received_at"], name="mail_inbound_case_idx"),
        ]

    def __str__(self) -> str:
        return self.message_id


class OutboundKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("受理确认")
    REPLY = "reply", _("回复")
    STATUS = "status", _("状态通知")


class OutboundMessage(BaseModel):
    """An e-mail we sent about a case (its copy in the outbox is delivered by the workers); its
    Message-ID threads the customer's answer back into the case."""

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("工单"))
    kind = models.CharField(_("类型"), max_length=20, choices=OutboundKind.choices)
    recipient = models.CharField(_("收件人"), max_length=254)
    outbox_key = models.CharField(_("去重键"), max_length=200, unique=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    language = models.CharField(_("语言"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)
    sent_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("发送人"),
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("发出的邮件")
        verbose_name_plural = _("发出的邮件")

    def __str__(self) -> str:
        return self.message_id
