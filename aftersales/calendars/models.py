from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class HolidaySource(models.TextChoices):
    NONE = "", _("无")
    CN = "CN", _("中国法定节假日（含调休）")


class Calendar(BaseModel):
    """A business calendar (营业日历): the hours in which SLA clocks run.

    `working_hours` maps mon..sun to a list of ["HH:MM", "HH:MM"] intervals; an empty
    mapping means 7x24. `version` grows with every change, so cached calendar values and
    the clocks computed from them know when they are stale.
    """

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    timezone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    working_hours = models.JSONField(_("工作时间"), default=dict, blank=True)
    holiday_source = models.CharField(
        _("节假日来源"), max_length=8, choices=HolidaySource.choices, default="", blank=True
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    # The version for which open cases' clocks were last recomputed (see cases sweep).
    clocks_version = models.PositiveIntegerField(_("时钟已按此版本计算"), default=1)

    class Meta:
        ordering = ["code"]
        verbose_name = _("营业日历")
        verbose_name_plural = _("营业日历")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ExceptionKind(models.TextChoices):
    HOLIDAY = "holiday", _("休息日")
    WORKDAY = "workday", _("工作日")


class CalendarException(BaseModel):
    """An administrator's day: overrides the holiday source, e.g. a year no package knows yet."""

    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, related_name="exceptions", verbose_name=_("日历")
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=ExceptionKind.choices)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("日历例外")
        verbose_name_plural = _("日历例外")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_exception_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
