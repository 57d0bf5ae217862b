"""The seed's after-sales service application form (售后服务申请表) and the portal's actions."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.assets.models import Asset
from aftersales.cases.models import Impact
from aftersales.customers.models import Contact, Site
from aftersales.returns.models import ReturnKind


class ServiceRequestForm(forms.Form):
    title = forms.CharField(label=_("故障简述"), max_length=200,
                            widget=forms.TextInput(attrs={"autofocus": True}))
    reporter = forms.CharField(label=_("报修人"), max_length=100)
    contact = forms.ModelChoiceField(label=_("联系人"), queryset=Contact.objects.none(), required=False,
                                     empty_label=_("（同报修人）"))
    site = forms.ModelChoiceField(label=_("设备所在站点"), queryset=Site.objects.none(), required=False,
                                  empty_label="—")
    asset = forms.ModelChoiceField(label=_("设备/序列号"), queryset=Asset.objects.none(), required=False,
                                   empty_label="—")
    description = forms.CharField(label=_("故障现象描述"), max_length=20000, widget=forms.Textarea)
    noticed_at = forms.DateTimeField(label=_("发现时间"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    impact = forms.ChoiceField(label=_("影响程度"), choices=Impact.choices)
    attachment = forms.FileField(label=_("附件（图片或 PDF，可选）"), required=False)

    def __init__(self, *args: Any, customer_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the customer's own contacts, sites and assets can be chosen.
        self.fields["contact"].queryset = Contact.objects.filter(customer_id=customer_id).order_by("name")
        self.fields["site"].queryset = Site.objects.filter(customer_id=customer_id).order_by("name")
        self.fields["asset"].queryset = (
            Asset.objects.filter(customer_id=customer_id).select_related("product").order_by("serial_number")
        )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件（图片或 PDF）"))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新打开的原因"), max_length=5000)


class ReplyForm(forms.Form):
    message = forms.CharField(label=_("回复内容"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))


class ReturnRequestForm(forms.Form):
    """退换货申请: one of the organisation's own assets, what is asked, and why."""

    asset = forms.ModelChoiceField(label=_("设备/序列号"), queryset=Asset.objects.none(), empty_label="—")
    kind = forms.ChoiceField(label=_("申请类型"), choices=ReturnKind.choices)
    reason = forms.CharField(label=_("原因"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    is_quality_fault = forms.BooleanField(label=_("质量故障"), required=False)
    # One key per form shown: a double submit files one request.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, customer_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = (
            Asset.objects.filter(customer_id=customer_id).select_related("product").order_by("serial_number")
        )
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex
