"""Forms of the complaint pages (投诉与纠正预防措施、服务质量评价): they parse input; the
complaints services decide. Fields are named after the services' inputs without `_id`, so an
error a service names lands next to its field."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.services import staff_choices
from aftersales.cases.models import Channel
from aftersales.complaints.models import (
    ActionKind,
    ComplaintSeverity,
    RootCauseCategory,
    SubjectKind,
)
from aftersales.customers.models import Customer
from aftersales.roster.models import Team

ANY = [("", _("全部"))]
NONE = [("", "—")]


def _select(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))



class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, initial="open",
                               choices=[("open", _("未关闭")), ("closed", _("已关闭")), ("", _("全部"))])
    overdue = forms.BooleanField(label=_("仅含超期措施"), required=False)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)


class ComplaintCreateForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    customer = forms.TypedChoiceField(label=_("客户"), coerce=uuid.UUID)
    title = forms.CharField(label=_("投诉事由"), max_length=200)
    description = forms.CharField(label=_("详细内容"), required=False, max_length=4000, widget=forms.Textarea)
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices, initial=Channel.PHONE)
    severity = forms.ChoiceField(label=_("投诉等级"), choices=ComplaintSeverity.choices,
                                 initial=ComplaintSeverity.GENERAL)
    subject_case = forms.CharField(label=_("被投诉的工单号"), required=False, max_length=32)
    subject_technician = forms.TypedChoiceField(label=_("被投诉的工程师"), required=False, coerce=int,
                                                empty_value=None)
    subject_team = forms.TypedChoiceField(label=_("被投诉的班组"), required=False, coerce=uuid.UUID,
                                          empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex
        _select(self, "customer").choices = [*NONE, *Customer.objects.order_by("name").values_list("pk", "name")]
        _select(self, "subject_technician").choices = [*NONE, *staff_choices()]
        _select(self, "subject_team").choices = [
            *NONE, *Team.objects.filter(is_active=True).order_by("code").values_list("pk", "name")]


class RootCauseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(label=_("根本原因类别"), choices=RootCauseCategory.choices)
    text = forms.CharField(label=_("根本原因分析"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ActionKind.choices)
    description = forms.CharField(label=_("措施内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.TypedChoiceField(label=_("责任人"), coerce=int)
    due_on = _date(_("完成期限"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "owner").choices = [*NONE, *staff_choices()]


class ActionDoneForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=4000)


class ActionVerifyForm(forms.Form):
    decision = forms.ChoiceField(label=_("验证结论"), choices=[("accept", _("有效，验证通过")),
                                                            ("reject", _("退回重做"))])
    note = forms.CharField(label=_("验证意见"), required=False, max_length=4000)


class PeriodForm(forms.Form):
    start = _date(_("开始日期"))
    end = _date(_("结束日期（不含）"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and (end <= start or (end - start).days > 3 * 366):
            self.add_error("end", _("结束日期须晚于开始日期，期间最长三年"))
        return data


class EvaluationFilterForm(forms.Form):
    period = forms.CharField(label=_("月份"), required=False, widget=forms.DateInput(attrs={"type": "month"}))
    subject_kind = forms.ChoiceField(label=_("对象"), required=False, choices=ANY + SubjectKind.choices)
    start = _date(_("按需计算：开始日期"), required=False)
    end = _date(_("结束日期（不含）"), required=False)

    def clean_period(self) -> dt.date | None:
        value = (self.cleaned_data.get("period") or "").strip()
        if not value:
            return None
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a month, no time
        except ValueError:
            raise forms.ValidationError(_("请按 YYYY-MM 填写月份")) from None
