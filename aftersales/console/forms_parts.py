"""Forms of the spare-parts pages (备件): they parse and validate input; the parts services decide.

The stock forms name their fields after the services' inputs without `_id` (`part`,
`work_order`, `to_depot`), so an error a service names lands next to its field.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from aftersales.core.scoping import ScopedUser, scope_to_user
from aftersales.parts.models import (
    Depot,
    MovementKind,
    Part,
    PartKind,
    PartsRequestStatus,
    SuggestionStatus,
)
from aftersales.workorders.models import WorkOrder

ANY = [("", _("全部"))]
Choices = list[tuple[str, str]]


def choices_of(form: forms.Form, name: str) -> forms.ChoiceField:
    """A select of the form, whose options are set when the form is made."""
    return cast(forms.ChoiceField, form.fields[name])


def part_choices() -> Choices:
    """Every part as a select option, read once per page for all of its forms."""
    return [(str(pk), f"{code} {name}") for pk, code, name in
            Part.objects.order_by("code").values_list("pk", "code", "name")]


def depot_choices(*, exclude: Any = None, active_only: bool = True) -> Choices:
    depots = Depot.objects.order_by("code")
    if active_only:
        depots = depots.filter(is_active=True)
    if exclude is not None:
        depots = depots.exclude(pk=exclude)
    return [(str(pk), f"{code} {name}") for pk, code, name in depots.values_list("pk", "code", "name")]


class StockFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.SearchInput(attrs={"placeholder": _("料号或名称"), "autofocus": True}))
    part = forms.ChoiceField(label=_("备件"), required=False)
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=ANY + PartKind.choices)
    below = forms.BooleanField(label=_("仅看低于再订货点"), required=False)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, parts: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_of(self, "part").choices = [*ANY, *parts]


class _MovementForm(forms.Form):
    """What every stock change asks: which part, and a key that makes a second submit of the
    same form (a double click, a reload) a no-op."""

    part = forms.ChoiceField(label=_("备件"))
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, action: str, parts: Choices, user: ScopedUser,
                 depots: Choices | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        choices_of(self, "part").choices = [("", "—"), *parts]
        if "to_depot" in self.fields:
            choices_of(self, "to_depot").choices = [("", "—"), *(depots or [])]
        self.auto_id = f"{action}-%s"  # ids unique on the page: one form per action
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4()
        elif not self.data.get("idempotency_key"):
            # A post without a key gets one, so the form shown again after a refusal has it.
            data = QueryDict(mutable=True)
            data.update(self.data)
            data["idempotency_key"] = str(uuid.uuid4())
            self.data = data

    def clean_part(self) -> Part:
        part = Part.objects.filter(pk=self.cleaned_data["part"]).first()
        if part is None:
            raise forms.ValidationError(_("没有这个备件"))
        return part

    def clean_to_depot(self) -> Depot:
        depot = Depot.objects.filter(pk=self.cleaned_data["to_depot"]).first()
        if depot is None:
            raise forms.ValidationError(_("没有这个备件库"))
        return depot

    def _work_order(self, text: str) -> WorkOrder | None:
        """A work order by its number (派工单号) or its id, among those the user may see."""
        text = text.strip()
        if not text:
            return None
        lookup = Q(number__iexact=text)
        try:
            lookup |= Q(pk=uuid.UUID(text))
        except ValueError:
            pass
        found = (scope_to_user(WorkOrder.objects.all(), self.user, customer_field="case__customer_id")
                 .select_related("case__asset__product", "case__contract").filter(lookup).first())
        if found is None:
            raise forms.ValidationError(_("没有这个派工单"))
        return found


MAX_QUANTITY = 1_000_000


class ReceiveForm(_MovementForm):
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=MAX_QUANTITY)
    reason = forms.CharField(label=_("说明（如采购单号）"), required=False, max_length=2000)


class IssueForm(_MovementForm):
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=MAX_QUANTITY)
    work_order = forms.CharField(label=_("派工单（单号或 ID）"), max_length=64)

    def clean_work_order(self) -> WorkOrder | None:
        return self._work_order(self.cleaned_data["work_order"])


class TransferForm(_MovementForm):
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=MAX_QUANTITY)
    to_depot = forms.ChoiceField(label=_("调入备件库"))
    reason = forms.CharField(label=_("说明"), required=False, max_length=2000)


class ReturnFaultyForm(_MovementForm):
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=MAX_QUANTITY)
    work_order = forms.CharField(label=_("派工单（单号或 ID，可不填）"), required=False, max_length=64)
    reason = forms.CharField(label=_("故障说明"), required=False, max_length=2000)

    def clean_work_order(self) -> WorkOrder | None:
        return self._work_order(self.cleaned_data["work_order"])


class AdjustForm(_MovementForm):
    delta = forms.IntegerField(label=_("调整数量（减少填负数）"), min_value=-MAX_QUANTITY, max_value=MAX_QUANTITY)
    reason = forms.CharField(label=_("调整原因"), max_length=2000)


class LedgerFilterForm(forms.Form):
    depot = forms.ChoiceField(label=_("备件库"), required=False)
    part = forms.ChoiceField(label=_("备件"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=ANY + MovementKind.choices)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, parts: Choices, depots: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_of(self, "part").choices = [*ANY, *parts]
        choices_of(self, "depot").choices = [*ANY, *depots]


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + PartsRequestStatus.choices)
    depot = forms.ChoiceField(label=_("备件库"), required=False)
    breached = forms.ChoiceField(label=_("超时"), required=False,
                                 choices=ANY + [("yes", _("已超时")), ("no", _("未超时"))])
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, depots: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_of(self, "depot").choices = [*ANY, *depots]


class RequestCancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), required=False, max_length=2000)


class SuggestionFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + SuggestionStatus.choices)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)


class SuggestionDecisionForm(forms.Form):
    status = forms.ChoiceField(label=_("处理结果"), choices=[
        (SuggestionStatus.ORDERED, _("标记为已下单")),
        (SuggestionStatus.DISMISSED, _("忽略")),
    ])
