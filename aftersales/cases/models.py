from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.contracts.models import Severity
from aftersales.core.models import BaseModel

# Where cases with no running clock (paused, or no target) sort in the queue: after all others.
QUEUE_END = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    EMAIL = "email", _("邮件")
    WEB = "web", _("网站/门户")
    CHAT = "chat", _("在线聊天")
    FAX = "fax", _("传真")
    ONSITE = "onsite", _("现场报修")
    INSPECTION = "inspection", _("巡检发现")
    API = "api", _("接口")


class Category(models.TextChoices):
    FAULT = "fault", _("故障")
    CONSULTATION = "consultation", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    RETURN_EXCHANGE = "return_exchange", _("退换货")
    TRAINING = "training", _("培训")
    MAINTENANCE = "maintenance", _("维护保养")


class Impact(models.TextChoices):
    """Impact on the customer's business (影响程度); it gives the severity (严重等级)."""

    OUTAGE = "outage", _("业务中断/系统瘫痪")
    DEGRADED = "degraded", _("主要功能受损")
    LIMITED = "limited", _("局部影响，有替代办法")
    NONE = "none", _("无业务影响（咨询）")


SEVERITY_BY_IMPACT = {
    Impact.OUTAGE: Severity.P1,
    Impact.DEGRADED: Severity.P2,
    Impact.LIMITED: Severity.P3,
    Impact.NONE: Severity.P4,
}


class Status(models.TextChoices):
    NEW = "new", _("新建")
    ACKNOWLEDGED = "acknowledged", _("已受理")
    IN_PROGRESS = "in_progress", _("处理中")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("等待客户")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("已关闭")


OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER)


class EscalationLevel(models.IntegerChoices):
    HOTLINE = 1, _("一线（热线）")
    ENGINEER = 2, _("二线（工程师）")
    EXPERT = 3, _("三线（技术专家）")


class Case(BaseModel):
    """A service case (服务工单): one request of a customer, from filing to consented closure."""

    number = models.CharField(_("工单号"), max_length=32, unique=True)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    impact = models.CharField(_("影响程度"), max_length=20, choices=Impact.choices, blank=True)
    severity = models.CharField(_("严重等级"), max_length=2, choices=Severity.choices)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="cases", verbose_name=_("客户")
    )
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("联系人"),
    )
    site = models.ForeignKey(
        "customers.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
        verbose_name=_("站点"),
    )
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
        verbose_name=_("设备"),
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
        verbose_name=_("合同"),
    )
    policy = models.ForeignKey(
        "contracts.SlaPolicy", on_delete=models.PROTECT, related_name="cases", verbose_name=_("SLA 策略")
    )
    status = models.CharField(_("状态"), max_length=24, choices=Status.choices, default=Status.NEW)
    escalation_level = models.PositiveSmallIntegerField(
        _("升级级别"), choices=EscalationLevel.choices, default=EscalationLevel.HOTLINE
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="assigned_cases", verbose_name=_("处理人"),
    )
    # Sets the severity and (where its emergency level has them) the targets of the clocks.
    fault_class = models.ForeignKey(
        "emergencies.FaultClass", on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
        verbose_name=_("故障类别"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="reported_cases", verbose_name=_("登记人"),
    )
    opened_at = models.DateTimeField(_("受理时间"))
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    # Derived from the clocks by the clock service; kept on the row so the queue is one index.
    next_due_at = models.DateTimeField(_("最近到期"), null=True, blank=True)
    queue_at = models.DateTimeField(_("队列排序时间"), default=QUEUE_END)
    # Mirrors is_open. A stored flag, not a status list, so that the default queue is one
    # range of one index on every database: SQLite cannot match a partial index against the
    # status IN (...) that Django sends with bound parameters.
    in_queue = models.BooleanField(_("在队列中"), default=True, editable=False)
    is_breached = models.BooleanField(_("已超时"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)
    last_event_sequence = models.PositiveIntegerField(_("最后事件序号"), default=0)

    class Meta:
        ordering = ["queue_at", "number"]
        verbose_name = _("服务工单")
        verbose_name_plural = _("服务工单")
        indexes = [
            # Partial, on the bare flag: Django writes filter(in_queue=True) as WHERE "in_queue",
            # which only an index with that same condition can serve.
            models.Index(fields=["queue_at", "number"], condition=models.Q(in_queue=True),
                         name="case_open_queue_idx"),
            models.Index(fields=["customer", "queue_at"], name="case_customer_queue_idx"),
            models.Index(fields=["assignee", "queue_at"], name="case_assignee_queue_idx"),
            models.Index(fields=["status", "queue_at"], name="case_status_queue_idx"),
            models.Index(fields=["severity", "queue_at"], name="case_severity_queue_idx"),
            models.Index(
                fields=["queue_at"], condition=models.Q(is_breached=True), name="case_breached_queue_idx"
            ),
            models.Index(fields=["opened_at"], name="case_opened_idx"),
            # Cases resolved per day (the dashboard's backlog trend); partial, so that filing a
            # case (not resolved yet) writes nothing here.
            models.Index(fields=["resolved_at"], condition=models.Q(resolved_at__isnull=False),
                         name="case_resolved_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.in_queue = self.is_open
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "status" in update_fields and "in_queue" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "in_queue"]
        super().save(*args, **kwargs)


class EventKind(models.TextChoices):
    OPENED = "opened", _("登记")
    ACKNOWLEDGED = "acknowledged", _("确认受理")
    RESPONDED = "responded", _("首次响应/答复")
    ASSIGNED = "assigned", _("指派")
    ESCALATED = "escalated", _("升级")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("等待客户")
    RESUMED = "resumed", _("恢复处理")
    CHECKED_IN = "checked_in", _("到场签到")
    RESOLVED = "resolved", _("已解决")
    RESTORED = "restored", _("恢复正常运行")
    DEADLINE_AGREED = "deadline_agreed", _("与业主约定期限")
    CLOSURE_CONSENTED = "closure_consented", _("客户同意关闭")
    REOPENED = "reopened", _("重新打开")
    UPDATED = "updated", _("修改")
    SLA_WARNING = "sla_warning", _("时效预警")
    SLA_BREACHED = "sla_breached", _("时效超时")
    NOTE = "note", _("内部备注")
    CUSTOMER_REPLIED = "customer_replied", _("客户回复")
    ATTACHED = "attached", _("上传附件")
    BREACH_EXPLAINED = "breach_explained", _("说明超时原因")


class CaseEvent(models.Model):
    """One entry of a case's history: who, when, what, before/after. Append-only."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("工单"))
    sequence = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("事件"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"))
    status_before = models.CharField(_("原状态"), max_length=24, blank=True)
    status_after = models.CharField(_("新状态"), max_length=24, blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)

    class Meta:
        ordering = ["case", "sequence"]
        verbose_name = _("工单事件")
        verbose_name_plural = _("工单事件")
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="case_event_unique_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.sequence} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("case events are append-only")


class ClockTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("首次响应")
    ON_SITE = "on_site", _("到场")
    RESOLUTION = "resolution", _("故障修复")
    RESTORATION = "restoration", _("恢复正常")


class ClockState(models.TextChoices):
    RUNNING = "running", _("计时中")
    PAUSED = "paused", _("暂停")
    MET = "met", _("已达成")
    NOT_REQUIRED = "not_required", _("无需")


class CaseClock(BaseModel):
    """One SLA clock of a case. Every field is derived from the case's events by
    `cases.clocks.clocks_sync`; only the sweep's two marks are set elsewhere."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks", verbose_name=_("工单"))
    target = models.CharField(_("目标"), max_length=20, choices=ClockTarget.choices)
    target_minutes = models.PositiveIntegerField(_("目标时长（分钟）"))
    state = models.CharField(_("状态"), max_length=20, choices=ClockState.choices)
    started_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    calendar_due_at = models.DateTimeField(_("按日历的到期时间"), null=True, blank=True)
    agreed_due_at = models.DateTimeField(_("约定到期时间"), null=True, blank=True)
    agreed_reason = models.TextField(_("约定原因"), blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    met_at = models.DateTimeField(_("达成时间"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    is_breached = models.BooleanField(_("已超时"), default=False)
    # What the reports' times are made of: the working time the clock ran, exactly, by its
    # calendar and without its pauses.
    elapsed_seconds = models.PositiveIntegerField(_("实际用时（工作秒）"), null=True, blank=True)
    warning_recorded_at = models.DateTimeField(_("已预警"), null=True, blank=True)
    breach_recorded_at = models.DateTimeField(_("已记录超时"), null=True, blank=True)

    class Meta:
        ordering = ["case", "target"]
        verbose_name = _("SLA 时钟")
        verbose_name_plural = _("SLA 时钟")
        constraints = [models.UniqueConstraint(fields=["case", "target"], name="case_clock_unique_target")]
        indexes = [
            models.Index(
                fields=["warn_at"],
                condition=models.Q(state="running", warning_recorded_at__isnull=True),
                name="clock_warning_due_idx",
            ),
            models.Index(
                fields=["due_at"],
                condition=models.Q(state="running", breach_recorded_at__isnull=True),
                name="clock_breach_due_idx",
            ),
            # Breaches by due time (the dashboard's "breached this week"): only breached clocks.
            models.Index(fields=["due_at"], condition=models.Q(is_breached=True), name="clock_breached_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.target}"


class ConsentMethod(models.TextChoices):
    PORTAL = "portal", _("门户确认")
    PHONE = "phone", _("电话确认（坐席记录）")
    SIGNED_LINK = "signed_link", _("一次性签名链接")
    ONSITE_SIGNATURE = "onsite_signature", _("现场签字")


class ClosureConsent(BaseModel):
    """The customer's consent to close (只有客户同意方可结束): without it a case stays open."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents", verbose_name=_("工单"))
    method = models.CharField(_("方式"), max_length=20, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("同意人"),
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["case", "created_at"]
        verbose_name = _("关闭同意")
        verbose_name_plural = _("关闭同意")

    def __str__(self) -> str:
        return f"{self.case_id} {self.method}"


class IdempotencyKey(BaseModel):
    """A client's Idempotency-Key for case filing: the same key gives back the same case."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("幂等键"), max_length=200)
    request_hash = models.CharField(_("请求摘要"), max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return self.key


class CaseNumber(models.Model):
    """Issues case numbers: inserting a row is contention-free on every database."""

    id = models.BigAutoField(primary_key=True)

    class Meta:
        verbose_name = _("工单号序列")
        verbose_name_plural = _("工单号序列")

    def __str__(self) -> str:
        return str(self.id)


def attachment_path(instance: CaseAttachment, filename: str) -> str:
    # Never the uploader's file name on disk: a random name in a folder per month.
    return f"cases/{instance.created_at:%Y/%m}/{instance.pk.hex}"


class CaseAttachment(BaseModel):
    """A file added to a case (附件): a photo of the fault, a PDF report. Type and size checked."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("工单"))
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    visible_to_customer = models.BooleanField(_("客户可见"), default=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name
