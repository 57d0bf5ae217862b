"""Returns and exchanges (退换货, R11): the policy, and each request with its decision,
solution and the stock movement of the goods that came back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel

DEFAULT_WINDOW_DAYS = 7


class ReturnPolicy(BaseModel):
    """The return rules of one contract, or (no contract) the company's default. Without any
    row the built-in rules apply: the product's return days, free repair or replacement of
    quality faults in warranty, return shipping paid by the seller."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.CASCADE, null=True, blank=True,
        related_name="return_policy", verbose_name=_("合同"),
    )
    # True exactly when there is no contract; lets the database keep a single default.
    is_default = models.BooleanField(_("默认政策"), default=False, editable=False)
    # Empty: the product's 退换货期限 (7 days unless the product says otherwise).
    window_days = models.PositiveSmallIntegerField(_("退换货期限（天）"), null=True, blank=True)
    is_quality_fault_free_in_warranty = models.BooleanField(_("保修期内质量故障免费修换"), default=True)
    is_return_shipping_paid_by_seller = models.BooleanField(_("质量故障退回运费由卖方承担"), default=True)

    class Meta:
        ordering = ["contract"]
        verbose_name = _("退换货政策")
        verbose_name_plural = _("退换货政策")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True),
                name="return_policy_one_default",
            ),
            models.CheckConstraint(
                condition=models.Q(is_default=True, contract__isnull=True)
                | models.Q(is_default=False, contract__isnull=False),
                name="return_policy_default_has_no_contract",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id or '-'} {self.window_days}"


class ReturnKind(models.TextChoices):
    RETURN = "return", _("退货")
    EXCHANGE = "exchange", _("换货")
    REPAIR = "repair", _("返修")


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已拒绝")
    RECEIVED = "received", _("已收货")
    COMPLETED = "completed", _("已完成")


class Decision(models.TextChoices):
    APPROVED = "approved", _("批准")
    REJECTED = "rejected", _("拒绝")


class ShippingPayer(models.TextChoices):
    SELLER = "seller", _("卖方")
    CUSTOMER = "customer", _("客户")


class ReturnRequest(BaseModel):
    """A return, exchange or repair request (退换货申请), checked against the policy when filed
    and decided by staff: requested → approved / rejected → received → completed."""

    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.PROTECT, related_name="return_requests", verbose_name=_("设备")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="return_requests",
        verbose_name=_("服务工单"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="return_requests",
        verbose_name=_("客户"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ReturnKind.choices)
    reason = models.TextField(_("原因"))
    is_quality_fault = models.BooleanField(_("质量故障"), default=False)
    requested_at = models.DateTimeField(_("申请时间"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED
    )
    # The policy's answer when filed, kept so that a later override is visible as one.
    policy_outcome = models.CharField(_("政策结论"), max_length=40)
    is_policy_eligible = models.BooleanField(_("符合政策"))
    decision = models.CharField(_("决定"), max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    is_override = models.BooleanField(_("经理特批（与政策不同）"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    return_shipping_paid_by = models.CharField(
        _("退回运费承担方"), max_length=20, choices=ShippingPayer.choices, blank=True
    )
    is_chargeable = models.BooleanField(_("收费"), default=False)
    received_at = models.DateTimeField(_("收货时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("收货人"),
    )
    received_depot = models.ForeignKey(
        "parts.Depot", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("收货备件库"),
    )
    stock_movement = models.ForeignKey(
        "parts.StockMovement", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("库存流水"),
    )
    solution = models.TextField(_("处理结果"), blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("完成人"),
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=250, unique=True, null=True, blank=True)
    request_hash = models.CharField(_("请求摘要"), max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("退换货申请")
        verbose_name_plural = _("退换货申请")
        indexes = [
            models.Index(fields=["customer", "requested_at"], name="return_customer_idx"),
            models.Index(fields=["status", "requested_at"], name="return_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="") | ~models.Q(decision_reason=""),
                name="return_decision_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.asset_id} {self.status}"
