"""Filter forms of the report pages (报表): they parse the query string; the reports' selectors
check the period (and answer the refusal at its field)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import Customer
from aftersales.reports.compliance import contracts_for_user

ANY = [("", _("全部"))]


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=True, widget=forms.DateInput(attrs={"type": "date"}))


def default_period() -> dict[str, dt.date]:
    """This month so far."""
    today = timezone.localdate()
    return {"start": today.replace(day=1), "end": today}


class _PeriodForm(forms.Form):
    start = _date(_("开始日期"))
    end = _date(_("结束日期"))


class ComplianceFilterForm(_PeriodForm):
    contract = forms.ChoiceField(label=_("合同"), choices=())

    field_order = ["contract", "start", "end"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["contract"]).choices = [("", "—")] + [
            (str(c.pk), f"{c.number} · {c.customer.name}") for c in contracts_for_user(user)]


class OperationsFilterForm(_PeriodForm):
    customer = forms.ChoiceField(label=_("客户"), choices=(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["customer"]).choices = ANY + [
            (str(pk), name) for pk, name in Customer.objects.order_by("name").values_list("pk", "name")]
