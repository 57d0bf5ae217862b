"""A commitment import (服务承诺导入): a written document, the draft parsed from it, and one
reviewed row per extracted figure; applied once, through the owning apps' services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class SourceKind(models.TextChoices):
    TEXT = "text", _("文本")
    DOCX = "docx", _("Word 文档")
    PDF = "pdf", _("PDF")


class ImportStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    APPLIED = "applied", _("已应用")


class ItemKind(models.TextChoices):
    """The parser's kinds (`parser.Kind`), with names for the review table."""

    FIRST_RESPONSE = "first_response", _("首次响应")
    PHONE_RESPONSE = "phone_response", _("电话响应")
    REPLY = "reply", _("书面回复")
    ON_SITE = "on_site", _("到场")
    RESOLUTION = "resolution", _("故障修复")
    RESTORATION = "restoration", _("恢复正常")
    NEGOTIATED_RESOLUTION = "negotiated_resolution", _("超时协商处理")
    PARTS_DELIVERY = "parts_delivery", _("备件到位")
    SUBSTITUTE_UNIT = "substitute_unit", _("替代设备")
    WARRANTY = "warranty", _("保修期")
    TRIAL_PERIOD = "trial_period", _("试用期")
    RETURN_WINDOW = "return_window", _("退换货期限")
    RETURN_VISIT_FREQUENCY = "return_visit_frequency", _("回访")
    INSPECTION_FREQUENCY = "inspection_frequency", _("巡检")
    SURVEY = "survey", _("满意度调查")
    TRAINING = "training", _("培训")
    SERVICE_HOURS_24X7 = "service_hours_24x7", _("7×24 服务")
    LIFETIME_SUPPORT = "lifetime_support", _("终身支持")


class CommitmentImport(BaseModel):
    """One document read into a draft. Its text is kept exactly as read, so the items' offsets
    point into it; `version` moves on with every review edit (optimistic concurrency)."""

    source_name = models.CharField(_("来源名称"), max_length=200)
    source_kind = models.CharField(_("来源类型"), max_length=10, choices=SourceKind.choices)
    text = models.TextField(_("原文"))
    draft = models.JSONField(_("解析结果"), default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("导入人"),
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("应用人"),
    )
    applied_at = models.DateTimeField(_("应用时间"), null=True, blank=True)
    target_policy = models.ForeignKey(
        "contracts.SlaPolicy", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("目标 SLA 策略"),
    )
    target_tier = models.ForeignKey(
        "contracts.ServiceTier", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("绑定的服务等级"),
    )
    target_contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("绑定的合同"),
    )
    # What apply was asked to do (target, products) and the reviewed items, hashed: the same
    # request again is answered from `applied_changes` without touching anything.
    applied_fingerprint = models.CharField(_("应用指纹"), max_length=64, blank=True)
    applied_changes = models.JSONField(_("已应用的变更"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("服务承诺导入")
        verbose_name_plural = _("服务承诺导入")

    def __str__(self) -> str:
        return self.source_name


class CommitmentItem(BaseModel):
    """One extracted figure (or figure-less promise) as reviewed: what it is, whom it applies
    to, its value as edited, whether it is applied, and where it came from in the text."""

    commitment_import = models.ForeignKey(
        CommitmentImport, on_delete=models.CASCADE, related_name="items",
        verbose_name=_("服务承诺导入"),
    )
    position = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("类型"), max_length=30, choices=ItemKind.choices)
    # "" = every severity not set by a figure of its own (P1..P4 otherwise).
    severity = models.CharField(_("严重等级"), max_length=2, blank=True)
    # Site region names; empty = the policy's default row.
    regions = models.JSONField(_("地区"), default=list, blank=True)
    value = models.PositiveIntegerField(_("数值"), null=True, blank=True)
    value_unit = models.CharField(_("单位"), max_length=10, blank=True)  # minutes, days, months
    original_value = models.PositiveIntegerField(_("原文数值"), null=True, blank=True)
    basis = models.CharField(_("时间口径"), max_length=10, default="natural")
    conditions = models.JSONField(_("条件"), default=dict, blank=True)
    start_event = models.CharField(_("起算事件"), max_length=30, blank=True)
    subject = models.CharField(_("对象"), max_length=50, blank=True)
    is_included = models.BooleanField(_("应用"), default=True)
    # Why the item is unticked (or only shown) by default; empty when it is simply applied.
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    span_start = models.PositiveIntegerField(_("片段起点"))
    span_end = models.PositiveIntegerField(_("片段终点"))
    span_text = models.TextField(_("原文片段"))
    figure_text = models.CharField(_("原文数字"), max_length=100, blank=True)
    sentence_start = models.PositiveIntegerField(_("句子起点"))
    sentence_end = models.PositiveIntegerField(_("句子终点"))
    rule = models.CharField(_("规则"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        ordering = ["commitment_import", "position"]
        verbose_name = _("承诺条目")
        verbose_name_plural = _("承诺条目")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment_import", "position"], name="commitment_item_unique_position"
            ),
            models.CheckConstraint(
                condition=models.Q(span_end__gte=models.F("span_start")),
                name="commitment_item_span_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"
