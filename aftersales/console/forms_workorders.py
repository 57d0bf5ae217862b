"""Forms of the work-order pages (派工单): they parse input; the services decide."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.roles import Role
from aftersales.parts.models import Depot, Part
from aftersales.workorders.models import WorkOrderKind, WorkOrderResult


def _technician_choices() -> list[tuple[Any, str]]:
    engineers = User.objects.filter(role__in=[Role.ENGINEER, Role.EXPERT], is_active=True).order_by("username")
    return [("", "—"), *engineers.values_list("pk", "username")]


class WorkOrderNewForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=WorkOrderKind.choices, initial=WorkOrderKind.REPAIR)
    technician_id = forms.TypedChoiceField(label=_("工程师"), required=False, coerce=int, empty_value=None)
    scheduled_for = forms.DateTimeField(label=_("计划时间"), required=False,
                                        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    summary = forms.CharField(label=_("任务说明"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    # One key per rendered form: a double submit files one work order, not two.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["technician_id"]).choices = _technician_choices()
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class WorkOrderActionForm(forms.Form):
    """Every input a work-order action may take; the service names the one it lacks."""

    technician_id = forms.TypedChoiceField(label=_("工程师"), required=False, coerce=int, empty_value=None)
    note = forms.CharField(label=_("说明"), required=False, max_length=5000)
    diagnosis = forms.CharField(label=_("诊断"), required=False, max_length=20000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    work_performed = forms.CharField(label=_("处理措施"), required=False, max_length=20000,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    result = forms.ChoiceField(label=_("结果"), required=False, choices=[("", "—"), *WorkOrderResult.choices])
    time_spent_minutes = forms.IntegerField(label=_("工时（分钟）"), required=False, min_value=0)
    reason = forms.CharField(label=_("原因"), required=False, max_length=5000)
    signer_name = forms.CharField(label=_("签字人"), required=False, max_length=100)
    # Filled by the signature pad (app.js) with the canvas as a PNG data URL.
    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=1_000_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["technician_id"]).choices = _technician_choices()


class PartsUsedForm(forms.Form):
    """Parts used on the visit: issued from a depot to this work order (备件领用)."""

    depot = forms.TypedChoiceField(label=_("备件库"), coerce=uuid.UUID)
    part = forms.TypedChoiceField(label=_("备件"), coerce=uuid.UUID)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=10_000, initial=1)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["depot"]).choices = list(
            Depot.objects.filter(is_active=True).order_by("code").values_list("pk", "name"))
        cast(forms.ChoiceField, self.fields["part"]).choices = [
            (pk, f"{code} {name}") for pk, code, name in Part.objects.order_by("code").values_list("pk", "code", "name")
        ]
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("现场照片"), widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    caption = forms.CharField(label=_("说明"), required=False, max_length=200)
