"""Forms of the special-period pages (特殊时期保障): they parse input; the services decide.

Fields are named after the services' inputs without `_id` (`site`, `person`), so an error a
service names lands next to its field. Forms that create something carry a key in a hidden
input: a second submit of the same form (a double click, a reload) is answered once.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import STAFF_ROLES, User
from aftersales.assets.models import Product
from aftersales.customers.models import Customer, Site
from aftersales.inspections.models import ChecklistTemplate
from aftersales.parts.models import Depot, Part
from aftersales.roster.models import Team
from aftersales.special_periods.models import PeriodKind, PeriodStatus, ResourceKind, SpecialPeriod

ANY = [("", _("全部"))]
NONE = [("", "—")]
LOCAL_INPUT = "%Y-%m-%dT%H:%M"
Choices = list[tuple[Any, str]]


def _local_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _select(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def team_choices() -> Choices:
    return list(Team.objects.filter(is_active=True).order_by("code").values_list("code", "name"))


def staff_choices() -> Choices:
    return [(pk, f"{username} {first_name}".strip()) for pk, username, first_name in
            User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("username")
            .values_list("pk", "username", "first_name")]


class _KeyedForm(forms.Form):
    """A form whose submit happens once: the key is made when the form is shown."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class PeriodFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + PeriodStatus.choices)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=ANY + PeriodKind.choices)
    q = forms.CharField(label=_("名称"), required=False, max_length=100)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)


class PeriodForm(_KeyedForm):
    """Create a period, or (with `period`) change one."""

    name = forms.CharField(label=_("名称"), max_length=200,
                           widget=forms.TextInput(attrs={"placeholder": _("例如：2027 年春节保障")}))
    kind = forms.ChoiceField(label=_("类型"), choices=PeriodKind.choices)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=_local_input())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=_local_input())
    customer = forms.ChoiceField(label=_("客户"), required=False, help_text=_("留空表示全公司的保障期"))
    sites = forms.MultipleChoiceField(label=_("保障站点"), required=False)
    teams = forms.MultipleChoiceField(label=_("保障值班组"), required=False,
                                      help_text=_("保障期内须有人值班的值班组"))
    checklist = forms.ChoiceField(label=_("保障检查表"), required=False)
    is_round_the_clock = forms.BooleanField(label=_("7×24 值守"), required=False, initial=True)
    note = forms.CharField(label=_("备注"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, period: SpecialPeriod | None = None, **kwargs: Any) -> None:
        if period is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {
                "name": period.name, "kind": period.kind, "starts_at": period.starts_at,
                "ends_at": period.ends_at, "customer": period.customer_id or "",
                "sites": [str(pk) for pk in period.sites.values_list("pk", flat=True)],
                "teams": list(period.teams.values_list("code", flat=True)),
                "checklist": period.checklist.code if period.checklist else "",
                "is_round_the_clock": period.is_round_the_clock, "note": period.note,
            }
        super().__init__(*args, **kwargs)
        if period is not None:
            # A change is not a creation: the version guards it instead of a key.
            del self.fields["idempotency_key"]
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=period.version)
        _select(self, "customer").choices = NONE + [
            (str(pk), name) for pk, name in Customer.objects.order_by("name").values_list("pk", "name")]
        _select(self, "sites").choices = [
            (str(pk), f"{customer} · {name}") for pk, customer, name in
            Site.objects.order_by("customer__name", "name").values_list("pk", "customer__name", "name")[:1000]]
        _select(self, "teams").choices = team_choices()
        _select(self, "checklist").choices = NONE + list(
            ChecklistTemplate.objects.filter(is_active=True).order_by("code").values_list("code", "name"))
        self.auto_id = "period-%s"


class TransitionForm(forms.Form):
    reason = forms.CharField(label=_("原因"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ChecklistForm(forms.Form):
    """The period's own checklist: one pass/fail item per line."""

    name = forms.CharField(label=_("检查表名称"), max_length=100)
    items = forms.CharField(label=_("检查项"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 5}),
                            help_text=_("每行一项，按合格/不合格检查"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = "checklist-%s"

    def clean_items(self) -> list[dict[str, Any]]:
        lines = [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError(_("检查表至少要有一项"))
        return [{"label": line[:200], "kind": "pass_fail"} for line in lines]


class DutyForm(_KeyedForm):
    team = forms.ChoiceField(label=_("值班组"))
    user = forms.TypedChoiceField(label=_("值班人"), coerce=int)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=_local_input())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=_local_input())
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "team").choices = NONE + team_choices()
        _select(self, "user").choices = NONE + staff_choices()
        self.auto_id = "duty-%s"


class PlanForm(_KeyedForm):
    team = forms.ChoiceField(label=_("执行值班组"))
    site = forms.ChoiceField(label=_("站点"))
    name = forms.CharField(label=_("名称"), required=False, max_length=200, help_text=_("留空按保障期命名"))
    frequency = forms.ChoiceField(label=_("频率"), choices=[("daily", _("每天")), ("weekly", _("每周"))])
    starts_on = forms.DateField(label=_("开始日期"), widget=_date_input())
    ends_on = forms.DateField(label=_("结束日期"), widget=_date_input())

    def __init__(self, *args: Any, period: SpecialPeriod, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "team").choices = NONE + team_choices()
        sites = Site.objects.order_by("customer__name", "name")
        if period.sites.exists():
            sites = sites.filter(pk__in=period.sites.values("pk"))
        elif period.customer_id is not None:
            sites = sites.filter(customer_id=period.customer_id)
        _select(self, "site").choices = NONE + [
            (str(pk), f"{customer} · {name}")
            for pk, customer, name in sites.values_list("pk", "customer__name", "name")[:1000]]
        self.auto_id = "plan-%s"


class ResourceForm(_KeyedForm):
    kind = forms.ChoiceField(label=_("类型"), choices=ResourceKind.choices)
    description = forms.CharField(label=_("说明"), required=False, max_length=200,
                                  help_text=_("备件、人员、替代设备可留空"))
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=100_000, initial=1)
    location = forms.CharField(label=_("存放/待命地点"), required=False, max_length=200)
    depot = forms.ChoiceField(label=_("备件库"), required=False)
    part = forms.ChoiceField(label=_("备件"), required=False)
    product = forms.ChoiceField(label=_("替代设备型号"), required=False)
    person = forms.ChoiceField(label=_("待命人员"), required=False)
    note = forms.CharField(label=_("备注"), required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "depot").choices = NONE + [
            (str(pk), f"{code} {name}") for pk, code, name in
            Depot.objects.filter(is_active=True).order_by("code").values_list("pk", "code", "name")]
        _select(self, "part").choices = NONE + [
            (str(pk), f"{code} {name}") for pk, code, name in
            Part.objects.order_by("code").values_list("pk", "code", "name")[:2000]]
        _select(self, "product").choices = NONE + [
            (str(pk), f"{model} {name}") for pk, model, name in
            Product.objects.order_by("model").values_list("pk", "model", "name")[:2000]]
        _select(self, "person").choices = NONE + [(str(pk), label) for pk, label in staff_choices()]
        self.auto_id = "resource-%s"
