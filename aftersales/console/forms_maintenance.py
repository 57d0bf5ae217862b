"""Forms of the maintenance-log pages (维修保养记录): they parse input; the maintenance services
decide.

Fields are named after the services' inputs without `_id` (`site`, `asset`), so an error a
service names lands next to its field. Forms that create a log carry a key in a hidden input:
a second submit of the same form (a double click, a reload) opens the log the first one made.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.assets.models import Asset
from aftersales.customers.models import Site
from aftersales.maintenance.models import LogStatus, MaintenanceLog, PeriodKind

ANY = [("", _("全部"))]
TEXT_MAX = 10_000
MAX_MINUTES = 7 * 24 * 60
CONTENT_FIELDS = ("problem", "symptom", "diagnosis", "treatment", "state_after", "parts_used")


def _select(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def site_choices() -> list[tuple[Any, str]]:
    return [(pk, f"{customer} · {name}") for pk, customer, name in
            Site.objects.order_by("customer__name", "name").values_list("pk", "customer__name", "name")]


def asset_choices(site_id: Any = None) -> list[tuple[Any, str]]:
    assets = Asset.objects.filter(site__isnull=False)
    if site_id is not None:
        assets = assets.filter(site_id=site_id)
    rows = assets.order_by("site__name", "serial_number").values_list(
        "pk", "site__name", "product__model", "serial_number")
    return [("", "—"), *((pk, f"{site} · {model} {serial}") for pk, site, model, serial in rows)]


def _text(label: Any, rows: int = 2) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": rows}))


class LogFilterForm(forms.Form):
    site = forms.TypedChoiceField(label=_("站点"), required=False, coerce=uuid.UUID, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + LogStatus.choices)
    period_kind = forms.ChoiceField(label=_("记录类别"), required=False, choices=ANY + PeriodKind.choices)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "site").choices = [*ANY, *site_choices()]


class LogContentForm(forms.Form):
    """What a draft holds; the edit form of a draft, and the body of the new-log form."""

    asset = forms.TypedChoiceField(label=_("设备"), required=False, coerce=uuid.UUID, empty_value=None)
    period_kind = forms.ChoiceField(label=_("记录类别"), choices=PeriodKind.choices, initial=PeriodKind.AD_HOC)
    performed_at = forms.DateTimeField(label=_("维护时间"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                  format="%Y-%m-%dT%H:%M"))
    problem = _text(_("问题"))
    symptom = _text(_("现象"))
    diagnosis = _text(_("诊断"))
    treatment = _text(_("处理措施"), rows=3)
    state_after = _text(_("处理后状态"))
    parts_used = _text(_("使用备件"))
    time_spent_minutes = forms.IntegerField(label=_("耗时（分钟）"), min_value=0, max_value=MAX_MINUTES, initial=0)

    def __init__(self, *args: Any, site_id: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "asset").choices = asset_choices(site_id)
        self.fields["parts_used"].help_text = _("每行一种备件，例如：天线板 RSU-ANT-01 ×1")
        if not self.is_bound and "performed_at" not in self.initial:
            self.initial["performed_at"] = timezone.localtime().replace(second=0, microsecond=0)

    @classmethod
    def of_log(cls, log: MaintenanceLog, **kwargs: Any) -> LogContentForm:
        initial = {name: getattr(log, name) for name in CONTENT_FIELDS}
        initial.update(asset=log.asset_id, period_kind=log.period_kind, time_spent_minutes=log.time_spent_minutes,
                       performed_at=timezone.localtime(log.performed_at))
        return cls(initial=initial, site_id=log.site_id, **kwargs)

    def changes(self) -> dict[str, Any]:
        """The cleaned values as the services name them."""
        data = self.cleaned_data
        values = {name: data[name] for name in CONTENT_FIELDS}
        values.update(asset_id=data["asset"], period_kind=data["period_kind"], performed_at=data["performed_at"],
                      time_spent_minutes=data["time_spent_minutes"] or 0)
        return values


class LogNewForm(LogContentForm):
    site = forms.TypedChoiceField(label=_("站点"), coerce=uuid.UUID)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # The work order the log records (an inspection or a repair), when opened from it.
    work_order = forms.UUIDField(required=False, widget=forms.HiddenInput)

    field_order = ["site", "asset", "period_kind", "performed_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "site").choices = [("", "—"), *site_choices()]
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex

    def changes(self) -> dict[str, Any]:
        values = super().changes()
        values["work_order_id"] = self.cleaned_data.get("work_order")
        return values


class SignForm(forms.Form):
    """A signature drawn on the pad (app.js fills the hidden input) and the signer's name."""

    signer_name = forms.CharField(label=_("签字人"), required=False, max_length=100)
    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=1_000_000)


class OwnerSignForm(SignForm):
    signer_name = forms.CharField(label=_("业主代表姓名"), max_length=100)


class OwnerLinkForm(forms.Form):
    email = forms.EmailField(label=_("业主代表电子邮箱"), max_length=254)


class CorrectForm(forms.Form):
    """Opening a correction: keyed, so a double submit opens one new draft, not two."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class LogbookForm(forms.Form):
    """The archived log book of a site over a period: its inputs are the export's parameters."""

    site = forms.TypedChoiceField(label=_("站点"), coerce=uuid.UUID)
    period_kind = forms.ChoiceField(label=_("记录类别"), required=False, choices=ANY + PeriodKind.choices)
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "logbook-%s")
        super().__init__(*args, **kwargs)
        _select(self, "site").choices = [("", "—"), *site_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and (end < start or (end - start).days > 366 * 5):
            self.add_error("end", _("日期范围无效（结束不早于开始，最长五年）"))
        return data


class VerifyForm(forms.Form):
    site = forms.TypedChoiceField(label=_("站点"), required=False, coerce=uuid.UUID, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "verify-%s")
        super().__init__(*args, **kwargs)
        _select(self, "site").choices = [("", _("全部站点")), *site_choices()]
