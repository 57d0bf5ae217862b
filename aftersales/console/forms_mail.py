"""Forms of the mail triage pages (待分拣邮件): they parse input; the mail services decide.

Fields are named after the services' inputs without `_id` (`customer`), so an error a service
names lands next to its field. The assign form carries a key: a second submit opens the case
the first one filed."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.cases.models import Category
from aftersales.customers.models import Customer


class TriageAssignForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    customer = forms.ChoiceField(label=_("客户"))
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices, initial=Category.FAULT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customer = self.fields["customer"]
        assert isinstance(customer, forms.ChoiceField)  # noqa: S101 - declared above
        customer.choices = [("", "—"), *((str(pk), name) for pk, name in
                                         Customer.objects.order_by("name").values_list("pk", "name"))]
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class MailReplyForm(forms.Form):
    """A reply to the customer of a case by e-mail (the case page). The key makes a second
    submit of the same form send nothing more (mail_reply's idempotency key)."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    body = forms.CharField(label=_("回复内容"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex
