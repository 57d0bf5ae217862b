"""Forms of the webhook pages (Webhook 订阅): they parse input; the webhooks services decide.

Fields carry the services' input names (`name`, `url`, `event_types`, `allow_internal`), so an
error a service names lands next to its field.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.webhooks.models import DeliveryStatus
from aftersales.webhooks.services import EVENT_PATTERNS, EVENT_TYPES

PATTERN_LABELS = {"*": _("全部事件"), "case.*": _("全部服务工单事件"), "work_order.*": _("全部派工单事件")}


def event_type_choices() -> list[tuple[str, Any]]:
    return [*((p, f"{p}（{PATTERN_LABELS[p]}）") for p in EVENT_PATTERNS), *((t, t) for t in EVENT_TYPES)]


class SubscriptionFields(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    url = forms.CharField(label=_("接收地址"), max_length=2000,
                          help_text=_("http 或 https；不跟随重定向"))
    event_types = forms.MultipleChoiceField(label=_("事件类型"), choices=event_type_choices,
                                            widget=forms.CheckboxSelectMultiple)
    allow_internal = forms.BooleanField(label=_("允许内网地址"), required=False,
                                        help_text=_("仅当接收方在内网且您确认安全时勾选"))


class SubscriptionCreateForm(SubscriptionFields):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class SubscriptionEditForm(SubscriptionFields):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *DeliveryStatus.choices])
