"""Inspection plans (巡检计划), their occurrences (one per plan and period) and results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class ChecklistTemplate(BaseModel):
    """A checklist (检查表) that plans share; its items are what the technician fills in."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("检查表模板")
        verbose_name_plural = _("检查表模板")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ItemKind(models.TextChoices):
    PASS_FAIL = "pass_fail", _("合格/不合格")
    NUMBER = "number", _("数值")
    TEXT = "text", _("文字")


class ChecklistItem(BaseModel):
    """One line of a checklist: a pass/fail check, or a value with its expected range."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("检查表模板")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("检查项"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=ItemKind.choices, default=ItemKind.PASS_FAIL)
    expected_min = models.DecimalField(_("下限"), max_digits=12, decimal_places=3, null=True, blank=True)
    expected_max = models.DecimalField(_("上限"), max_digits=12, decimal_places=3, null=True, blank=True)
    expected_text = models.CharField(_("期望值"), max_length=200, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    is_photo_required = models.BooleanField(_("须拍照"), default=False)

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="inspection_item_unique_position"),
        ]

    def __str__(self) -> str:
        return self.label


class Frequency(models.TextChoices):
    DAILY = "daily", _("每天")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")
    EVERY_N_DAYS = "every_n_days", _("每 N 天")


class DayBasis(models.TextChoices):
    CALENDAR = "calendar", _("自然日")
    WORKING = "working", _("工作日（按营业日历，含调休）")


class PlanKind(models.TextChoices):
    REGULAR = "regular", _("日常巡检")
    HOLIDAY = "holiday", _("节假日保障")
    MAJOR_EVENT = "major_event", _("重大活动保障")
    SEVERE_WEATHER = "severe_weather", _("恶劣天气保障")


SPECIAL_PLAN_KINDS = frozenset({PlanKind.HOLIDAY, PlanKind.MAJOR_EVENT, PlanKind.SEVERE_WEATHER})


class InspectionPlan(BaseModel):
    """What to inspect (a site, an asset or a group of assets), how often, with which checklist
    and by which team. A special-period plan (节假日、重大活动、恶劣天气) has an end date."""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=PlanKind.choices, default=PlanKind.REGULAR)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    site = models.ForeignKey(
        "customers.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("站点"),
    )
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("设备"),
    )
    assets = models.ManyToManyField("assets.Asset", blank=True, related_name="+", verbose_name=_("设备组"))
    frequency = models.CharField(_("频率"), max_length=20, choices=Frequency.choices)
    interval_days = models.PositiveSmallIntegerField(_("间隔天数"), null=True, blank=True)
    day_basis = models.CharField(_("计日方式"), max_length=10, choices=DayBasis.choices, default=DayBasis.CALENDAR)
    calendar = models.ForeignKey(
        "calendars.Calendar", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("营业日历"), help_text=_("留空时使用值班组的日历"),
    )
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="plans", verbose_name=_("检查表模板")
    )
    team = models.ForeignKey("roster.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("值班组"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    # The last period start for which an occurrence row exists: the next run starts after it.
    planned_through = models.DateField(_("已排期至"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("巡检计划")
        verbose_name_plural = _("巡检计划")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="inspection_plan_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(frequency="every_n_days") | models.Q(interval_days__gte=1),
                name="inspection_plan_interval_days",
            ),
        ]
        indexes = [models.Index(fields=["customer", "name"], name="inspection_plan_customer_idx")]

    def __str__(self) -> str:
        return self.name


class OccurrenceStatus(models.TextChoices):
    PLANNED = "planned", _("待派工")
    SCHEDULED = "scheduled", _("已派工")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


OPEN_OCCURRENCE_STATUSES = (OccurrenceStatus.PLANNED, OccurrenceStatus.SCHEDULED)


class InspectionOccurrence(BaseModel):
    """One period of a plan (巡检任务). The unique (plan, period_start) makes generation
    exactly once however many schedulers run; the work order is created when the period
    comes within the horizon."""

    # No index on plan alone: the unique (plan, period_start) serves it. The customer is the
    # plan's (scoping goes through it): every column and index slows planning millions of rows.
    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.CASCADE, related_name="occurrences", verbose_name=_("巡检计划"),
        db_index=False,
    )
    period_start = models.DateField(_("周期开始"))
    scheduled_on = models.DateField(_("计划日期"))
    due_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=OccurrenceStatus.choices, default=OccurrenceStatus.PLANNED
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("维护工单"), db_index=False,
    )
    # Unique when set (a partial unique index): the many not yet dispatched cost no index entry.
    work_order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("派工单"), db_index=False,
    )
    dispatch_error = models.CharField(_("派工失败原因"), max_length=300, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("超期标记时间"), null=True, blank=True)

    class Meta:
        ordering = ["scheduled_on", "plan_id"]
        verbose_name = _("巡检任务")
        verbose_name_plural = _("巡检任务")
        constraints = [
            models.UniqueConstraint(fields=["plan", "period_start"], name="inspection_occurrence_once_per_period"),
            models.UniqueConstraint(fields=["work_order"], condition=models.Q(work_order__isnull=False),
                                    name="inspection_occurrence_one_work_order"),
        ]
        indexes = [
            # The dispatcher's queue: planned occurrences by date.
            models.Index(fields=["scheduled_on"], name="inspection_occ_planned_idx",
                         condition=models.Q(status="planned")),
            # The overdue scan: open, not yet flagged, by due time.
            models.Index(fields=["due_at"], name="inspection_occ_overdue_idx",
                         condition=models.Q(status__in=["planned", "scheduled"], overdue_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.period_start}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_OCCURRENCE_STATUSES


class InspectionResult(BaseModel):
    """The filled checklist of one occurrence (巡检记录)."""

    occurrence = models.OneToOneField(
        InspectionOccurrence, on_delete=models.PROTECT, related_name="result", verbose_name=_("巡检任务")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("巡检人")
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    is_passed = models.BooleanField(_("全部合格"))
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("巡检记录")
        verbose_name_plural = _("巡检记录")

    def __str__(self) -> str:
        return str(self.occurrence_id)


class InspectionItemResult(BaseModel):
    """One answered item; the item's label and expectation are copied, so that a later
    change of the template does not rewrite what was inspected."""

    result = models.ForeignKey(
        InspectionResult, on_delete=models.CASCADE, related_name="items", verbose_name=_("巡检记录")
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查项")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("检查项"), max_length=200)
    value_number = models.DecimalField(_("数值"), max_digits=12, decimal_places=3, null=True, blank=True)
    value_text = models.CharField(_("文字"), max_length=500, blank=True)
    is_passed = models.BooleanField(_("合格"))
    note = models.TextField(_("备注"), blank=True)
    photo = models.ForeignKey(
        "workorders.WorkOrderPhoto", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("照片"),
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("巡检发现工单"),
    )

    class Meta:
        ordering = ["result", "position"]
        verbose_name = _("检查项结果")
        verbose_name_plural = _("检查项结果")
        constraints = [
            models.UniqueConstraint(fields=["result", "item"], name="inspection_item_result_once"),
        ]

    def __str__(self) -> str:
        return self.label
