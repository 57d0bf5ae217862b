"""Forms of the duty roster pages (值班): they parse and validate input; the roster services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import STAFF_ROLES, User
from aftersales.roster.models import ShiftKind, TeamKind

ANY = [("", _("全部"))]
# What a datetime-local input shows and sends back.
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


# Dates a roster page may be asked about: beyond them is a typo (and date arithmetic overflows).
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def _within_range(day: dt.date | None) -> None:
    if day is not None and not EARLIEST <= day <= LATEST:
        raise ValidationError(_("日期须在 %(earliest)s 至 %(latest)s 之间")
                              % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()})


def _select(form: forms.Form, name: str) -> forms.ChoiceField:
    """A select of the form, whose options are set when the form is made."""
    return cast(forms.ChoiceField, form.fields[name])


def _local_input(**attrs: Any) -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local", **attrs}, format=LOCAL_INPUT)


class OnDutyFilterForm(forms.Form):
    """Who is on duty: now, or at the time asked for; all teams or one kind of team."""

    at = forms.DateTimeField(label=_("时间（不填为现在）"), required=False,
                             widget=_local_input(autofocus=True))
    kind = forms.ChoiceField(label=_("值班组类型"), required=False, choices=ANY + TeamKind.choices)

    def clean_at(self) -> dt.datetime | None:
        at: dt.datetime | None = self.cleaned_data["at"]
        _within_range(at.date() if at else None)
        return at


class WeekForm(forms.Form):
    """Which week of a team's roster to show: any day of it (the week starts on Monday)."""

    week = forms.DateField(label=_("周"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_week(self) -> dt.date | None:
        week: dt.date | None = self.cleaned_data["week"]
        _within_range(week)
        return week


class ShiftAddForm(forms.Form):
    """Put someone on duty for the team of the page."""

    user = forms.TypedChoiceField(label=_("值班人"), coerce=int)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=_local_input())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=_local_input())
    kind = forms.ChoiceField(label=_("班次类型"), choices=ShiftKind.choices, initial=ShiftKind.REGULAR)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Plain choices read with one ordinary query (see console.forms.ActionForm).
        staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("username")
        _select(self, "user").choices = [("", "—"), *staff.values_list("pk", "username")]
        self.auto_id = "shift-%s"

    def clean_starts_at(self) -> dt.datetime:
        starts_at: dt.datetime = self.cleaned_data["starts_at"]
        _within_range(starts_at.date())
        return starts_at

    def clean_ends_at(self) -> dt.datetime:
        ends_at: dt.datetime = self.cleaned_data["ends_at"]
        _within_range(ends_at.date())
        return ends_at


class TechnicianFilterForm(forms.Form):
    team = forms.ChoiceField(label=_("值班组"), required=False)
    region = forms.CharField(label=_("地区"), required=False, max_length=100,
                             widget=forms.TextInput(attrs={"autofocus": True}))

    def __init__(self, *args: Any, teams: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "team").choices = [*ANY, *teams]
