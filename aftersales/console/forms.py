"""Forms of the console pages: they parse and validate input; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import STAFF_ROLES, User
from aftersales.cases.models import Channel, ClockTarget, Status
from aftersales.contracts.models import Severity
from aftersales.customers.models import Customer

ANY = [("", _("全部"))]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.SearchInput(attrs={"placeholder": _("工单号或标题"), "accesskey": "s"}))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部未结"))] + Status.choices)
    severity = forms.ChoiceField(label=_("严重等级"), required=False, choices=ANY + Severity.choices)
    customer = forms.ModelChoiceField(label=_("客户"), required=False, queryset=Customer.objects.order_by("name"),
                                      empty_label=_("全部"))
    assignee = forms.ModelChoiceField(label=_("处理人"), required=False, empty_label=_("全部"),
                                      queryset=User.objects.filter(role__in=STAFF_ROLES, is_active=True))
    breached = forms.ChoiceField(label=_("超时"), required=False,
                                 choices=ANY + [("yes", _("已超时")), ("no", _("未超时"))])
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=ANY + Channel.choices)
    mine = forms.BooleanField(label=_("我的工单"), required=False)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)


class ActionForm(forms.Form):
    """Every input an action may take; the service says which it needs (and names the field)."""

    message = forms.CharField(label=_("答复内容"), required=False, max_length=20000, widget=forms.Textarea)
    assignee_id = forms.ModelChoiceField(label=_("处理人"), required=False,
                                         queryset=User.objects.filter(role__in=STAFF_ROLES, is_active=True))
    reason = forms.CharField(label=_("原因"), required=False, max_length=5000)
    note = forms.CharField(label=_("说明"), required=False, max_length=5000)
    resolution = forms.CharField(label=_("解决方案"), required=False, max_length=20000, widget=forms.Textarea)
    target = forms.ChoiceField(label=_("时效目标"), required=False, choices=[("", "—")] + ClockTarget.choices)
    due_at = forms.DateTimeField(label=_("约定期限"), required=False,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    contact_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
