"""Special-period support (特殊时期保障, R9/R10): a 保障期 for a holiday, a major event or severe
weather, with its extra duty, its pre-inspection plans and the resources held on stand-by.

The duty shifts and the inspection plans are the roster's and the inspections app's own rows,
made through their services; this app only links them to the period. Every change of the
period is written as an event row (its timeline)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class PeriodKind(models.TextChoices):
    # The same values as the inspections app's special plan kinds, so a period's plans get its kind.
    HOLIDAY = "holiday", _("节假日")
    MAJOR_EVENT = "major_event", _("重大活动")
    SEVERE_WEATHER = "severe_weather", _("恶劣天气")


class PeriodStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    ACTIVE = "active", _("保障中")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


# While a period is being prepared or run, its duty, plans and resources may change.
OPEN_PERIOD_STATUSES = (PeriodStatus.DRAFT, PeriodStatus.ACTIVE)


class SpecialPeriod(BaseModel):
    """One 保障期: what is protected (a customer's sites, or the whole company's), from when to
    when, and its own pre-inspection checklist."""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=PeriodKind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    # Empty: a company-wide period (e.g. 春节保障 for every customer).
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("客户"),
    )
    sites = models.ManyToManyField("customers.Site", blank=True, related_name="+", verbose_name=_("保障站点"))
    teams = models.ManyToManyField(
        "roster.Team", blank=True, related_name="+", verbose_name=_("保障值班组"),
        help_text=_("在保障期内须有人值班的值班组"),
    )
    # Most special periods promise cover around the clock, whatever the team's calendar says.
    is_round_the_clock = models.BooleanField(
        _("7×24 值守"), default=True, help_text=_("否则按各值班组的工作日历判断是否有空档"),
    )
    checklist = models.ForeignKey(
        "inspections.ChecklistTemplate", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("保障检查表"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=PeriodStatus.choices, default=PeriodStatus.DRAFT
    )
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    activated_at = models.DateTimeField(_("启动时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束或取消时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    idempotency_key = models.CharField(_("幂等键"), max_length=250, unique=True, null=True, blank=True)
    request_hash = models.CharField(_("请求摘要"), max_length=64, blank=True)

    class Meta:
        ordering = ["-starts_at", "name"]
        verbose_name = _("保障期")
        verbose_name_plural = _("保障期")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="special_period_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="special_period_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PERIOD_STATUSES


class EventAction(models.TextChoices):
    CREATED = "created", _("创建")
    UPDATED = "updated", _("修改")
    ACTIVATED = "activated", _("启动保障")
    CLOSED = "closed", _("结束保障")
    CANCELLED = "cancelled", _("取消")
    CHECKLIST_CREATED = "checklist_created", _("制定检查表")
    DUTY_ADDED = "duty_added", _("增加值班")
    DUTY_REMOVED = "duty_removed", _("取消值班")
    PLAN_ADDED = "plan_added", _("增加预检计划")
    RESOURCE_ADDED = "resource_added", _("增加保障资源")
    RESOURCE_REMOVED = "resource_removed", _("移除保障资源")


class SpecialPeriodEvent(BaseModel):
    """One change of a period (append-only): its timeline."""

    period = models.ForeignKey(
        SpecialPeriod, on_delete=models.CASCADE, related_name="events", verbose_name=_("保障期")
    )
    action = models.CharField(_("操作"), max_length=20, choices=EventAction.choices)
    from_status = models.CharField(_("原状态"), max_length=12, choices=PeriodStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=PeriodStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"))
    detail = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["created_at", "at"]
        verbose_name = _("保障期记录")
        verbose_name_plural = _("保障期记录")
        indexes = [models.Index(fields=["period", "at"], name="special_period_event_idx")]

    def __str__(self) -> str:
        return f"{self.period_id} {self.action}"


class SpecialPeriodDuty(BaseModel):
    """An extra duty shift (加班值班) of the period: a roster shift of kind holiday."""

    period = models.ForeignKey(
        SpecialPeriod, on_delete=models.PROTECT, related_name="duties", verbose_name=_("保障期")
    )
    # Removing the shift in the roster removes it from the period too.
    shift = models.OneToOneField(
        "roster.Shift", on_delete=models.CASCADE, related_name="special_period_duty", verbose_name=_("班次")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("安排人")
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=250, unique=True, null=True, blank=True)
    request_hash = models.CharField(_("请求摘要"), max_length=64, blank=True)

    class Meta:
        ordering = ["period", "created_at"]
        verbose_name = _("保障值班")
        verbose_name_plural = _("保障值班")

    def __str__(self) -> str:
        return f"{self.period_id} {self.shift_id}"


class SpecialPeriodPlan(BaseModel):
    """A pre-inspection plan (保障前/保障期间巡检) of the period, made with its kind and checklist."""

    period = models.ForeignKey(
        SpecialPeriod, on_delete=models.PROTECT, related_name="plans", verbose_name=_("保障期")
    )
    plan = models.OneToOneField(
        "inspections.InspectionPlan", on_delete=models.PROTECT, related_name="special_period_link",
        verbose_name=_("巡检计划"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("安排人")
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=250, unique=True, null=True, blank=True)
    request_hash = models.CharField(_("请求摘要"), max_length=64, blank=True)

    class Meta:
        ordering = ["period", "created_at"]
        verbose_name = _("保障预检计划")
        verbose_name_plural = _("保障预检计划")

    def __str__(self) -> str:
        return f"{self.period_id} {self.plan_id}"


class ResourceKind(models.TextChoices):
    TECHNICIAN = "technician", _("待命人员")
    SPARE_PART = "spare_part", _("备件")
    SUBSTITUTE_UNIT = "substitute_unit", _("替代设备")
    VEHICLE = "vehicle", _("车辆")
    GENERATOR = "generator", _("发电机")
    OTHER = "other", _("其他")


class StandbyResource(BaseModel):
    """What is held ready for the period (保障资源). A spare part names the depot and how many
    to hold there; a substitute unit, optionally its product and depot; a person on stand-by,
    the user."""

    period = models.ForeignKey(
        SpecialPeriod, on_delete=models.PROTECT, related_name="resources", verbose_name=_("保障期")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ResourceKind.choices)
    description = models.CharField(_("说明"), max_length=200)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    location = models.CharField(_("存放/待命地点"), max_length=200, blank=True)
    depot = models.ForeignKey(
        "parts.Depot", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("备件库"),
    )
    part = models.ForeignKey(
        "parts.Part", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("备件")
    )
    product = models.ForeignKey(
        "assets.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("替代设备型号"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("待命人员"),
    )
    note = models.TextField(_("备注"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=250, unique=True, null=True, blank=True)
    request_hash = models.CharField(_("请求摘要"), max_length=64, blank=True)

    class Meta:
        ordering = ["period", "kind", "created_at"]
        verbose_name = _("保障资源")
        verbose_name_plural = _("保障资源")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="standby_quantity_positive"),
            models.CheckConstraint(
                condition=~models.Q(kind="spare_part") | models.Q(part__isnull=False, depot__isnull=False),
                name="standby_spare_part_has_part_and_depot",
            ),
            models.UniqueConstraint(
                fields=["period", "part", "depot"], condition=models.Q(kind="spare_part"),
                name="standby_spare_part_once_per_depot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.description} ×{self.quantity}"
