"""Forms of the return pages (退换货): they parse input; the returns services decide.

Fields are named after the services' inputs without `_id` (`case`, `depot`, `part`), so an
error a service names lands next to its field.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.parts.models import Depot, Part
from aftersales.returns.models import ReturnKind, ReturnStatus, ShippingPayer

ANY = [("", _("全部"))]
Choices = list[tuple[str, str]]
# A three-way choice: empty means "as the policy says".
BY_POLICY = [("", _("按政策"))]
YES_NO = [("yes", _("是")), ("no", _("否"))]


def _select(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class ReturnFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + ReturnStatus.choices)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=ANY + ReturnKind.choices)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)


class ReturnOpenForm(forms.Form):
    """File a return, exchange or repair request for an asset (the asset is in the address)."""

    kind = forms.ChoiceField(label=_("类型"), choices=ReturnKind.choices)
    reason = forms.CharField(label=_("原因"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    is_quality_fault = forms.BooleanField(label=_("质量故障"), required=False)
    case = forms.ChoiceField(label=_("关联服务工单（可选）"), required=False)
    # One key per rendered form: a double submit files one request, not two.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, cases: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "case").choices = [("", "—"), *cases]
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex

    def clean_case(self) -> uuid.UUID | None:
        text = self.cleaned_data["case"]
        return uuid.UUID(text) if text else None


class DecisionForm(forms.Form):
    """Approve or reject; each choice left at 按政策 is the policy's. Deciding otherwise is an
    override: the service asks for a manager and a written reason."""

    decision = forms.ChoiceField(label=_("决定"), required=False,
                                 choices=BY_POLICY + [("approve", _("批准")), ("reject", _("拒绝"))])
    chargeable = forms.ChoiceField(label=_("收费"), required=False, choices=BY_POLICY + YES_NO)
    return_shipping_paid_by = forms.ChoiceField(label=_("退回运费承担方"), required=False,
                                                choices=BY_POLICY + ShippingPayer.choices)
    reason = forms.CharField(label=_("理由（与政策不同时必填）"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean_decision(self) -> bool | None:
        return {"approve": True, "reject": False}.get(self.cleaned_data["decision"])

    def clean_chargeable(self) -> bool | None:
        return _yes_no(self.cleaned_data["chargeable"])

    def clean_return_shipping_paid_by(self) -> str | None:
        return self.cleaned_data["return_shipping_paid_by"] or None


class ReceiveForm(forms.Form):
    """The goods are back: into which depot, as which part."""

    depot = forms.ChoiceField(label=_("收货备件库"))
    part = forms.ChoiceField(label=_("物料（备件）"))
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=1000, initial=1)
    faulty = forms.ChoiceField(label=_("作为故障件入库"), required=False,
                               choices=[("", _("按是否质量故障"))] + YES_NO)
    note = forms.CharField(label=_("说明"), required=False, max_length=2000)

    def __init__(self, *args: Any, depots: Choices, parts: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "depot").choices = [("", "—"), *depots]
        _select(self, "part").choices = [("", "—"), *parts]

    def clean_depot(self) -> Depot:
        depot = Depot.objects.filter(pk=self.cleaned_data["depot"]).first()
        if depot is None:
            raise forms.ValidationError(_("没有这个备件库"))
        return depot

    def clean_part(self) -> Part:
        part = Part.objects.filter(pk=self.cleaned_data["part"]).first()
        if part is None:
            raise forms.ValidationError(_("没有这个备件"))
        return part

    def clean_faulty(self) -> bool | None:
        return _yes_no(self.cleaned_data["faulty"])


class CompleteForm(forms.Form):
    solution = forms.CharField(label=_("处理结果"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
