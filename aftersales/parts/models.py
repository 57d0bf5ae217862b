"""Spare parts (备品备件, R8): depots, parts, stock per depot, the append-only ledger of stock
movements, parts requests with their delivery clock, and purchase suggestions.

Stock rows are a cache of the ledger: every change to a Stock row is made by one service
transaction that also appends the StockMovement carrying the same deltas, so the sum of a
(depot, part)'s ledger always equals its Stock row (`services.ledger_balance_check`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class PartKind(models.TextChoices):
    REGULAR = "regular", _("常规")
    NON_REGULAR = "non_regular", _("非常规")
    CONSUMABLE = "consumable", _("耗材")


class Depot(BaseModel):
    """A spare-parts depot (备件库), with its location for picking the nearest one."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    region = models.CharField(_("区域"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("备件库")
        verbose_name_plural = _("备件库")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Part(BaseModel):
    """A part number (备件料号) with its prices and replenishment rule."""

    code = models.CharField(_("料号"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(
        _("类别"), max_length=20, choices=PartKind.choices, default=PartKind.REGULAR
    )
    unit = models.CharField(_("单位"), max_length=20, default="件")
    unit_cost = models.DecimalField(_("成本单价"), max_digits=12, decimal_places=2, default=0)
    sale_price = models.DecimalField(_("销售单价"), max_digits=12, decimal_places=2, default=0)
    # Available stock at or below the point opens a purchase suggestion; 0 quantity = never.
    reorder_point = models.PositiveIntegerField(_("再订货点"), default=0)
    reorder_quantity = models.PositiveIntegerField(_("再订货量"), default=0)
    compatible_products = models.ManyToManyField(
        "assets.Product", blank=True, related_name="spare_parts", verbose_name=_("适用产品")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("备件")
        verbose_name_plural = _("备件")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit_cost__gte=0, sale_price__gte=0),
                name="part_prices_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Stock(BaseModel):
    """Stock of one part in one depot. Changed only by the stock services (row locked)."""

    depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, related_name="stock", verbose_name=_("备件库")
    )
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="stock", verbose_name=_("备件")
    )
    on_hand = models.IntegerField(_("在库数量"), default=0)
    reserved = models.IntegerField(_("已预留"), default=0)
    # Faulty parts returned from the field: in the depot, but never available to issue.
    faulty = models.IntegerField(_("故障件"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["depot", "part"]
        verbose_name = _("库存")
        verbose_name_plural = _("库存")
        constraints = [
            models.UniqueConstraint(fields=["depot", "part"], name="stock_unique_depot_part"),
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=0), name="stock_on_hand_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(reserved__gte=0), name="stock_reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(reserved__lte=models.F("on_hand")),
                name="stock_reserved_within_on_hand",
            ),
            models.CheckConstraint(
                condition=models.Q(faulty__gte=0), name="stock_faulty_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.depot_id} {self.part_id}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("入库")
    RESERVATION = "reservation", _("预留")
    RELEASE = "release", _("释放预留")
    ISSUE = "issue", _("领用出库")
    TRANSFER_OUT = "transfer_out", _("调拨出库")
    TRANSFER_IN = "transfer_in", _("调拨入库")
    FAULTY_RETURN = "faulty_return", _("故障件返还")
    ADJUSTMENT = "adjustment", _("盘点调整")


class AppendOnlyQuerySet(models.QuerySet["StockMovement"]):
    """Bulk update and delete are refused too, not only Model.save and Model.delete."""

    def update(self, **kwargs: Any) -> int:
        raise ValueError("stock movements are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("stock movements are append-only")


class StockMovement(models.Model):
    """One entry of the stock ledger (库存台账). Append-only: a mistake is corrected by an
    adjustment, never by editing history. The deltas are what the entry did to the Stock row."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("类型"), max_length=20, choices=MovementKind.choices)
    depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, related_name="movements", verbose_name=_("备件库")
    )
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="movements", verbose_name=_("备件")
    )
    quantity = models.PositiveIntegerField(_("数量"))
    on_hand_delta = models.IntegerField(_("在库变动"), default=0)
    reserved_delta = models.IntegerField(_("预留变动"), default=0)
    faulty_delta = models.IntegerField(_("故障件变动"), default=0)
    on_hand_after = models.IntegerField(_("变动后在库"))
    reserved_after = models.IntegerField(_("变动后预留"))
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movements",
        verbose_name=_("派工单"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movements",
        verbose_name=_("服务工单"),
    )
    parts_request = models.ForeignKey(
        "PartsRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("备件申请"),
    )
    # Links the two entries of one transfer.
    transfer_id = models.UUIDField(_("调拨批次"), null=True, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    idempotency_key = models.CharField(
        _("幂等键"), max_length=250, unique=True, null=True, blank=True
    )
    request_hash = models.CharField(_("请求摘要"), max_length=64, blank=True)
    # Issues only: what the part costs us and what the customer is charged (0 in warranty).
    unit_cost = models.DecimalField(
        _("成本单价"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    warranty_state = models.CharField(_("保修状态"), max_length=10, blank=True)
    is_chargeable = models.BooleanField(_("收费"), default=False)
    unit_price = models.DecimalField(
        _("收费单价"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(_("收费金额"), max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("库存流水")
        verbose_name_plural = _("库存流水")
        indexes = [
            models.Index(fields=["depot", "part", "id"], name="movement_depot_part_idx"),
            models.Index(fields=["part", "id"], name="movement_part_idx"),
            models.Index(fields=["created_at"], name="movement_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="adjustment") | ~models.Q(reason=""),
                name="movement_adjustment_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.quantity}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("stock movements are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("stock movements are append-only")


class ContractPartPrice(BaseModel):
    """A price agreed in a contract for a part; without one, the part's sale price applies."""

    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        related_name="part_prices",
        verbose_name=_("合同"),
    )
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="contract_prices", verbose_name=_("备件")
    )
    unit_price = models.DecimalField(_("合同单价"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["contract", "part"]
        verbose_name = _("合同备件价格")
        verbose_name_plural = _("合同备件价格")
        constraints = [
            models.UniqueConstraint(fields=["contract", "part"], name="contract_part_price_unique"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="contract_part_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.part_id} {self.unit_price}"


# The seed's promise: regular parts within 2 hours, others within 48 hours, in natural time.
DEFAULT_DELIVERY_MINUTES = {
    PartKind.REGULAR: 2 * 60,
    PartKind.NON_REGULAR: 48 * 60,
    PartKind.CONSUMABLE: 48 * 60,
}


class PartsDeliveryTarget(BaseModel):
    """How long delivering a kind of part may take: for one contract, or (no contract) the
    company's default. Without a calendar the minutes are natural time."""

    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="parts_delivery_targets",
        verbose_name=_("合同"),
    )
    kind = models.CharField(_("备件类别"), max_length=20, choices=PartKind.choices)
    minutes = models.PositiveIntegerField(_("送达时限（分钟）"))
    calendar = models.ForeignKey(
        "calendars.Calendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("日历"),
    )

    class Meta:
        ordering = ["contract", "kind"]
        verbose_name = _("备件送达时限")
        verbose_name_plural = _("备件送达时限")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "kind"], name="delivery_target_unique_contract_kind"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(contract__isnull=True),
                name="delivery_target_unique_default",
            ),
            models.CheckConstraint(
                condition=models.Q(minutes__gt=0), name="delivery_target_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id or '-'} {self.kind} {self.minutes}"


class PartsRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    RESERVED = "reserved", _("已预留")
    DISPATCHED = "dispatched", _("已发出")
    DELIVERED = "delivered", _("已送达")
    CANCELLED = "cancelled", _("已取消")


OPEN_REQUEST_STATUSES = (
    PartsRequestStatus.REQUESTED,
    PartsRequestStatus.RESERVED,
    PartsRequestStatus.DISPATCHED,
)


class DeliveryState(models.TextChoices):
    RUNNING = "running", _("计时中")
    OVERDUE = "overdue", _("已超时未送达")
    MET = "met", _("按时送达")
    BREACHED = "breached", _("超时送达")
    CANCELLED = "cancelled", _("已取消")


class PartsRequest(BaseModel):
    """Parts requested for a work order (备件申请), with a delivery clock like a case's clocks:
    `due_at` is stored and indexed; the sweep records a breach exactly once."""

    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        on_delete=models.PROTECT,
        related_name="parts_requests",
        verbose_name=_("派工单"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        related_name="parts_requests",
        verbose_name=_("服务工单"),
    )
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="requests", verbose_name=_("备件")
    )
    depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, related_name="requests", verbose_name=_("备件库")
    )
    quantity = models.PositiveIntegerField(_("数量"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=PartsRequestStatus.choices,
        default=PartsRequestStatus.REQUESTED,
    )
    # Mirrors status in OPEN_REQUEST_STATUSES as a bare flag, so that the sweep's partial
    # index matches on SQLite too (see Case.in_queue).
    is_open = models.BooleanField(_("未结束"), default=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"))
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("合同"),
    )
    target_minutes = models.PositiveIntegerField(_("送达时限（分钟）"))
    calendar = models.ForeignKey(
        "calendars.Calendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("日历"),
    )
    due_at = models.DateTimeField(_("应送达时间"))
    dispatched_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    is_breached = models.BooleanField(_("已超时"), default=False)
    breach_recorded_at = models.DateTimeField(_("已记录超时"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    idempotency_key = models.CharField(
        _("幂等键"), max_length=250, unique=True, null=True, blank=True
    )
    request_hash = models.CharField(_("请求摘要"), max_length=64, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["due_at", "created_at"]
        verbose_name = _("备件申请")
        verbose_name_plural = _("备件申请")
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(is_open=True, breach_recorded_at__isnull=True),
                name="parts_request_breach_due_idx",
            ),
            models.Index(fields=["work_order", "created_at"], name="parts_request_work_order_idx"),
            models.Index(fields=["status", "due_at"], name="parts_request_status_idx"),
            models.Index(fields=["requested_at"], name="parts_request_requested_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.part_id} x{self.quantity} {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.is_open = self.status in OPEN_REQUEST_STATUSES
        update_fields = kwargs.get("update_fields")
        if (
            update_fields is not None
            and "status" in update_fields
            and "is_open" not in update_fields
        ):
            kwargs["update_fields"] = [*update_fields, "is_open"]
        super().save(*args, **kwargs)

    def delivery_state(self, now: dt.datetime) -> DeliveryState:
        """Met or breached for reports; while open, whether the due time has passed."""
        if self.status == PartsRequestStatus.CANCELLED:
            return DeliveryState.CANCELLED
        if self.delivered_at is not None:
            return DeliveryState.MET if self.delivered_at <= self.due_at else DeliveryState.BREACHED
        return DeliveryState.OVERDUE if now > self.due_at else DeliveryState.RUNNING


class SuggestionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ORDERED = "ordered", _("已下单")
    DISMISSED = "dismissed", _("已忽略")


class PurchaseSuggestion(BaseModel):
    """A suggestion to buy a part for a depot (采购建议), opened when available stock falls to
    the reorder point. At most one open per depot and part."""

    depot = models.ForeignKey(
        Depot, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("备件库")
    )
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("备件")
    )
    suggested_quantity = models.PositiveIntegerField(_("建议数量"))
    available_at_suggestion = models.IntegerField(_("建议时可用数量"))
    status = models.CharField(
        _("状态"), max_length=20, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("采购建议")
        verbose_name_plural = _("采购建议")
        constraints = [
            models.UniqueConstraint(
                fields=["depot", "part"],
                condition=models.Q(status="open"),
                name="suggestion_one_open_per_stock",
            )
        ]

    def __str__(self) -> str:
        return f"{self.depot_id} {self.part_id} {self.suggested_quantity}"
