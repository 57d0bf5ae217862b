"""Forms of the substitute-unit pages (替代设备): they parse input; the loans services decide.

Fields are named after the services' inputs without `_id` (`unit`), so an error a service
names lands next to its field. Forms that create something carry a key in a hidden input: a
second submit of the same form (a double click, a reload) is answered with the first result.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.loans.models import ProposalReason, UnitStatus

ANY = [("", _("全部"))]
Choices = list[tuple[str, str]]

LOAN_STATES = [("out", _("借出中")), ("overdue", _("已逾期")), ("returned", _("已归还"))]


def _select(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class _KeyedForm(forms.Form):
    """A form whose submit happens once: the key is made when the form is shown."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class LoanFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + LOAN_STATES)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)


class UnitFilterForm(forms.Form):
    depot = forms.ChoiceField(label=_("备件库"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + UnitStatus.choices)

    def __init__(self, *args: Any, depots: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "depot").choices = [*ANY, *depots]


class ProposalFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=ANY + [("open", _("待处理")), ("accepted", _("已借出")),
                                              ("declined", _("已拒绝"))])
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)


class LoanReturnForm(forms.Form):
    condition_in = forms.CharField(label=_("归还时状况"), max_length=5000,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    faulty = forms.BooleanField(label=_("有故障，送修"), required=False)


class ProposalAcceptForm(_KeyedForm):
    """Accepting a proposal is lending its unit (借出)."""

    due_back_at = forms.DateTimeField(label=_("应归还时间"),
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    condition_out = forms.CharField(label=_("借出时状况"), max_length=5000,
                                    widget=forms.Textarea(attrs={"rows": 2}))


class ProposalDeclineForm(forms.Form):
    reason = forms.CharField(label=_("拒绝原因"), max_length=5000)


class ProposeForm(_KeyedForm):
    """Propose a substitute for a case: one of its candidates, or the nearest."""

    unit = forms.ChoiceField(label=_("替代设备"), required=False)
    reason = forms.ChoiceField(label=_("原因"), choices=ProposalReason.choices,
                               initial=ProposalReason.UNIT_TAKEN_AWAY)

    def __init__(self, *args: Any, units: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "unit").choices = [("", _("就近自动选择")), *units]

    def clean_unit(self) -> uuid.UUID | None:
        text = self.cleaned_data["unit"]
        return uuid.UUID(text) if text else None
