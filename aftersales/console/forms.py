"""Forms of the console pages: they parse and validate input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import STAFF_ROLES, User
from aftersales.accounts.services import staff_choices
from aftersales.assets.models import Asset
from aftersales.cases.models import Category, Channel, ClockTarget, Impact, Status
from aftersales.contracts.models import Severity
from aftersales.customers.models import Contact, Customer, Site
from aftersales.emergencies.models import FaultClass

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
    # Plain choices read with one ordinary query (a ModelChoiceField iterates a server-side
    # cursor on PostgreSQL: three round trips on every case page).
    assignee_id = forms.TypedChoiceField(label=_("处理人"), required=False, coerce=int, empty_value=None)
    reason = forms.CharField(label=_("原因"), required=False, max_length=5000)
    note = forms.CharField(label=_("说明"), required=False, max_length=5000)
    resolution = forms.CharField(label=_("解决方案"), required=False, max_length=20000, widget=forms.Textarea)
    target = forms.ChoiceField(label=_("时效目标"), required=False, choices=[("", "—")] + ClockTarget.choices)
    due_at = forms.DateTimeField(label=_("约定期限"), required=False,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    contact_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee_id"].choices = [("", "—"), *staff_choices()]


class IntakeForm(forms.Form):
    """The phone intake (热线受理) form, in the order an agent fills it while listening."""

    title = forms.CharField(label=_("故障简述"), max_length=200)
    impact = forms.ChoiceField(label=_("影响程度"), choices=Impact.choices, initial=Impact.DEGRADED)
    # An emergency fault class (e.g. 收费车道中断) sets the severity and the level's targets.
    fault_class = forms.ChoiceField(label=_("故障类别（应急）"), required=False)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices, initial=Category.FAULT)
    asset = forms.ModelChoiceField(label=_("设备/序列号"), queryset=Asset.objects.none(), required=False,
                                   empty_label="—")
    contact = forms.ModelChoiceField(label=_("联系人"), queryset=Contact.objects.none(), required=False,
                                     empty_label="—")
    site = forms.ModelChoiceField(label=_("站点"), queryset=Site.objects.none(), required=False, empty_label="—")
    description = forms.CharField(label=_("故障现象描述"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices, initial=Channel.PHONE)
    severity = forms.ChoiceField(label=_("严重等级（不填则按影响程度）"), required=False,
                                 choices=[("", "—")] + Severity.choices)

    def __init__(self, *args: Any, customer_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = (
            Asset.objects.filter(customer_id=customer_id).select_related("product").order_by("serial_number")
        )
        self.fields["contact"].queryset = Contact.objects.filter(customer_id=customer_id).order_by("name")
        self.fields["site"].queryset = Site.objects.filter(customer_id=customer_id).order_by("name")
        self.fields["title"].widget.attrs["autofocus"] = True
        self.fields["fault_class"].choices = [("", "—"), *(
            (code, _("%(name)s（%(level)s 级响应）") % {"name": name, "level": level})
            for code, name, level in FaultClass.objects.filter(is_active=True)
            .order_by("level__level", "code").values_list("code", "name", "level__level")
        )]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件（图片或 PDF）"))
    visible_to_customer = forms.BooleanField(label=_("客户可见"), required=False, initial=True)
