"""Forms of the survey and return-visit pages (满意度调查与回访): they parse input; the surveys
services decide. Fields are named after the services' inputs without `_id`, so an error a
service names lands next to its field; forms that create something carry a key against double
submits."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.services import staff_choices
from aftersales.contracts.models import Contract, ServiceTier
from aftersales.customers.models import Customer
from aftersales.surveys.models import QuestionKind, SurveyTemplate, VisitFrequency

ANY = [("", _("全部"))]
NONE = [("", "—")]
QUESTION_ROWS = 8


def _select(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


def _keyed(form: forms.Form) -> None:
    if not form.is_bound:
        form.initial["idempotency_key"] = uuid.uuid4().hex


def customer_choices() -> list[tuple[Any, str]]:
    return list(Customer.objects.order_by("name").values_list("pk", "name"))


def contract_choices() -> list[tuple[Any, str]]:
    return [(pk, f"{number} · {customer}") for pk, number, customer in
            Contract.objects.order_by("number").values_list("pk", "number", "customer__name")]



class SurveyFilterForm(forms.Form):
    customer = forms.TypedChoiceField(label=_("客户"), required=False, coerce=uuid.UUID, empty_value=None)
    contract = forms.TypedChoiceField(label=_("合同"), required=False, coerce=uuid.UUID, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[
        *ANY, ("pending", _("待回答")), ("answered", _("已回答")), ("expired", _("已过期")), ("low", _("低分"))])
    start = _date(_("发送日期从"), required=False)
    end = _date(_("至"), required=False)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "customer").choices = [*ANY, *customer_choices()]
        _select(self, "contract").choices = [*ANY, *contract_choices()]


class TemplateForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    code = forms.SlugField(label=_("代码"), max_length=50)
    name = forms.CharField(label=_("名称"), max_length=200)
    intro = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    low_score_threshold = forms.IntegerField(
        label=_("低分阈值"), min_value=0, max_value=4, initial=2,
        help_text=_("任一评分不高于此值即自动创建跟进工单；0 表示不自动跟进"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _keyed(self)


class QuestionForm(forms.Form):
    code = forms.SlugField(label=_("代码"), max_length=50, required=False)
    label = forms.CharField(label=_("问题"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=QuestionKind.choices, initial=QuestionKind.RATING)
    is_required = forms.BooleanField(label=_("必答"), required=False, initial=True)


QuestionFormSet = forms.formset_factory(QuestionForm, extra=QUESTION_ROWS, max_num=30, absolute_max=30)


class AssignForm(forms.Form):
    template = forms.ChoiceField(label=_("问卷"))
    tier = forms.ChoiceField(label=_("服务等级"), required=False)
    contract = forms.TypedChoiceField(label=_("合同"), required=False, coerce=uuid.UUID, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "template").choices = list(
            SurveyTemplate.objects.filter(is_active=True).order_by("code").values_list("code", "name"))
        _select(self, "tier").choices = [*NONE, *ServiceTier.objects.order_by("code").values_list("code", "name")]
        _select(self, "contract").choices = [*NONE, *contract_choices()]


class VisitFilterForm(forms.Form):
    who = forms.ChoiceField(label=_("回访人"), required=False, initial="mine",
                            choices=[("mine", _("我的")), ("all", _("全部"))])
    state = forms.ChoiceField(label=_("状态"), required=False, initial="open", choices=[
        ("open", _("待回访")), ("overdue", _("已超期")), ("done", _("已回访")), ("", _("全部"))])
    customer = forms.TypedChoiceField(label=_("客户"), required=False, coerce=uuid.UUID, empty_value=None)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "customer").choices = [*ANY, *customer_choices()]


YES_NO = [("yes", _("已联系上")), ("no", _("未联系上"))]
SATISFACTION = [("", "—"), *[(str(n), str(n)) for n in range(1, 6)]]


class VisitOutcomeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    is_reached = forms.ChoiceField(label=_("联系结果"), choices=YES_NO, widget=forms.RadioSelect)
    satisfaction = forms.TypedChoiceField(label=_("满意度（1–5）"), choices=SATISFACTION, required=False,
                                          coerce=int, empty_value=None)
    notes = forms.CharField(label=_("回访记录"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 4}))
    is_follow_up_needed = forms.BooleanField(label=_("需要跟进（将创建咨询工单）"), required=False)


class ReturnPlanCreateForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    customer = forms.TypedChoiceField(label=_("客户"), coerce=uuid.UUID, empty_value=None)
    contract = forms.TypedChoiceField(label=_("合同"), required=False, coerce=uuid.UUID, empty_value=None)
    frequency = forms.ChoiceField(
        label=_("频率"), required=False, choices=[("", _("按合同的服务等级")), *VisitFrequency.choices],
        help_text=_("钻石级每季度、金牌级每半年、银牌级每年"))
    assignee = forms.TypedChoiceField(label=_("回访人"), coerce=int, empty_value=None)
    starts_on = _date(_("开始日期"))
    ends_on = _date(_("结束日期"), required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _keyed(self)
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate().isoformat())
        _select(self, "customer").choices = [*NONE, *customer_choices()]
        _select(self, "contract").choices = [*NONE, *contract_choices()]
        _select(self, "assignee").choices = [*NONE, *staff_choices()]


class ReturnPlanEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assignee = forms.TypedChoiceField(label=_("回访人"), coerce=int, empty_value=None)
    ends_on = _date(_("结束日期"), required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _select(self, "assignee").choices = staff_choices()


class VersionForm(forms.Form):
    version = forms.IntegerField(required=False)
