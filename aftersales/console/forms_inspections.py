"""Forms of the inspection-plan pages (巡检计划与检查表): they parse input; the inspections
services decide.

Fields are named after the services' inputs without `_id` (`site`, `asset`, `template`), so an
error a service names lands next to its field. The forms that create something carry a key in a
hidden input: a second submit of the same form opens what the first one made.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aftersales.calendars.models import Calendar
from aftersales.console.forms_maintenance import asset_choices, site_choices
from aftersales.customers.models import Customer
from aftersales.inspections.models import DayBasis, Frequency, ItemKind, PlanKind
from aftersales.inspections.selectors import checklist_templates
from aftersales.roster.models import Team

ANY = [("", _("全部"))]
NONE = [("", "—")]
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
ITEM_ROWS = 8


def _select(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


def _within_range(day: dt.date | None) -> dt.date | None:
    if day is not None and not EARLIEST <= day <= LATEST:
        raise ValidationError(_("日期须在 %(earliest)s 至 %(latest)s 之间")
                              % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()})
    return day


def template_choices() -> list[tuple[str, str]]:
    return [(t.code, f"{t.code} {t.name}") for t in checklist_templates(active_only=True)]


def team_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {name}") for code, name in
            Team.objects.filter(is_active=True).order_by("code").values_list("code", "name")]


def _keyed(form: forms.Form) -> None:
    if not form.is_bound:
        form.initial["idempotency_key"] = uuid.uuid4().hex


class PlanFilterForm(forms.Form):
    customer = forms.TypedChoiceField(label=_("客户"), required=False, coerce=uuid.UUID, empty_value=None)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=ANY + PlanKind.choices)
    state = forms.ChoiceField(label=_("状态"), required=False, initial="active",
                              choices=[("active", _("启用")), ("inactive", _("已停用")), ("", _("全部"))])
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "customer").choices = [*ANY, *Customer.objects.order_by("name").values_list("pk", "name")]


class PlanCreateForm(forms.Form):
    """A new plan: what (one site, one asset or a group of assets), how often, with which
    checklist and by which team."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=PlanKind.choices, initial=PlanKind.REGULAR)
    site = forms.TypedChoiceField(label=_("站点"), required=False, coerce=uuid.UUID, empty_value=None,
                                  help_text=_("站点、单台设备或设备组，三选一"))
    asset = forms.TypedChoiceField(label=_("设备"), required=False, coerce=uuid.UUID, empty_value=None)
    assets = forms.TypedMultipleChoiceField(label=_("设备组"), required=False, coerce=uuid.UUID,
                                            widget=forms.SelectMultiple(attrs={"size": 6}))
    frequency = forms.ChoiceField(label=_("频率"), choices=Frequency.choices, initial=Frequency.DAILY)
    interval_days = forms.IntegerField(label=_("间隔天数"), required=False, min_value=1, max_value=366,
                                       help_text=_("仅“每 N 天”时填写"))
    day_basis = forms.ChoiceField(label=_("计日方式"), choices=DayBasis.choices, initial=DayBasis.CALENDAR)
    calendar = forms.ChoiceField(label=_("营业日历"), required=False, help_text=_("留空时使用值班组的日历"))
    template = forms.ChoiceField(label=_("检查表模板"))
    team = forms.ChoiceField(label=_("值班组"))
    starts_on = _date(_("开始日期"))
    ends_on = _date(_("结束日期"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _keyed(self)
        sites = site_choices()
        assets = [choice for choice in asset_choices() if choice[0]]
        _select(self, "site").choices = [*NONE, *sites]
        _select(self, "asset").choices = [*NONE, *assets]
        _select(self, "assets").choices = assets
        _select(self, "calendar").choices = [*NONE, *Calendar.objects.order_by("code").values_list("code", "name")]
        _select(self, "template").choices = [*NONE, *template_choices()]
        _select(self, "team").choices = [*NONE, *team_choices()]

    def clean_starts_on(self) -> dt.date | None:
        return _within_range(self.cleaned_data["starts_on"])

    def clean_ends_on(self) -> dt.date | None:
        return _within_range(self.cleaned_data["ends_on"])


class PlanEditForm(forms.Form):
    """What may change in a running plan: its name, checklist, team and end date."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(label=_("名称"), max_length=200)
    template = forms.ChoiceField(label=_("检查表模板"))
    team = forms.ChoiceField(label=_("值班组"))
    ends_on = _date(_("结束日期"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "template").choices = template_choices()
        _select(self, "team").choices = team_choices()

    def clean_ends_on(self) -> dt.date | None:
        return _within_range(self.cleaned_data["ends_on"])


class PlanStateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TemplateForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    code = forms.SlugField(label=_("代码"), max_length=50, help_text=_("字母、数字、- 或 _"))
    name = forms.CharField(label=_("名称"), max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _keyed(self)


class ChecklistItemForm(forms.Form):
    """One line of a new checklist; a line left without a label is skipped."""

    label = forms.CharField(label=_("检查项"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=ItemKind.choices, initial=ItemKind.PASS_FAIL)
    expected_min = forms.DecimalField(label=_("下限"), required=False, max_digits=12, decimal_places=3)
    expected_max = forms.DecimalField(label=_("上限"), required=False, max_digits=12, decimal_places=3)
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    expected_text = forms.CharField(label=_("期望值"), max_length=200, required=False)
    is_photo_required = forms.BooleanField(label=_("须拍照"), required=False)


ChecklistItemFormSet = forms.formset_factory(ChecklistItemForm, extra=ITEM_ROWS, max_num=100, absolute_max=100)
