"""The duty roster (值班, R15): teams, technicians' profiles, and shifts as absolute time ranges.

Holidays need no rule of their own: a holiday is covered by ordinary shifts on that day, so
"who is on duty at T" is always one range query over shifts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class TeamKind(models.TextChoices):
    HOTLINE = "hotline", _("热线")
    FIELD = "field", _("现场工程师")
    EXPERT = "expert", _("技术专家")


class Team(BaseModel):
    """A team that keeps a roster (值班组).

    Without a calendar the team promises 7×24 cover: every minute needs someone on duty, and
    nothing is ever "out of hours". With a calendar, the calendar's working hours need cover
    and the rest of the week is out of hours (covered, if at all, by on-call shifts).
    """

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=TeamKind.choices)
    region = models.CharField(_("地区"), max_length=100, blank=True)
    calendar = models.ForeignKey(
        "calendars.Calendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("工作日历"),
        help_text=_("留空表示 7×24 值班"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("值班组")
        verbose_name_plural = _("值班组")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Technician(BaseModel):
    """A technician's profile (工程师档案): where they start from and what they can repair."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="technician_profile",
        verbose_name=_("用户"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="technicians",
        verbose_name=_("值班组"),
    )
    region = models.CharField(_("地区"), max_length=100, blank=True)
    base_latitude = models.DecimalField(
        _("常驻地纬度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    base_longitude = models.DecimalField(
        _("常驻地经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    products = models.ManyToManyField(
        "assets.Product", blank=True, related_name="technicians", verbose_name=_("擅长产品")
    )
    # Product.category is free text, so the skill is the same text, matched exactly.
    product_categories = models.JSONField(_("擅长产品类别"), default=list, blank=True)
    max_concurrent_work_orders = models.PositiveSmallIntegerField(_("最大并行派工单数"), default=5)
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("工程师档案")
        verbose_name_plural = _("工程师档案")
        indexes = [models.Index(fields=["region"], name="technician_region_idx")]

    def __str__(self) -> str:
        return str(self.user)


class ShiftKind(models.TextChoices):
    REGULAR = "regular", _("正常班")
    ON_CALL = "on_call", _("备班（on-call）")
    HOLIDAY = "holiday", _("节假日值班")


class Shift(BaseModel):
    """One person on duty for one team from `starts_at` until `ends_at` (excluded)."""

    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("值班组")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="shifts",
        verbose_name=_("值班人"),
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    kind = models.CharField(
        _("班次类型"), max_length=10, choices=ShiftKind.choices, default=ShiftKind.REGULAR
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "team"]
        verbose_name = _("值班班次")
        verbose_name_plural = _("值班班次")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]
        indexes = [
            # "On duty at T" is starts_at <= T < ends_at; for T near now, the ends_at range
            # holds only current and future shifts, so it is the selective end.
            models.Index(fields=["ends_at", "starts_at"], name="shift_on_duty_idx"),
            models.Index(fields=["team", "starts_at"], name="shift_team_start_idx"),
            models.Index(fields=["user", "starts_at"], name="shift_user_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.team.code} {self.user} {self.starts_at:%Y-%m-%d %H:%M}"


class RosterAlertMark(BaseModel):
    """How far a periodic roster scan has got (高水位), so each run reads only new rows."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    high_water_mark = models.DateTimeField(_("已扫描至"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("值班提醒进度")
        verbose_name_plural = _("值班提醒进度")

    def __str__(self) -> str:
        return self.name
