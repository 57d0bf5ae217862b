"""Forms of the knowledge-base pages (知识库): they parse input; the knowledge services decide.

Fields are named after the services' inputs (`products` for `product_ids`), so an error a
service names lands next to its field."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.assets.models import Product
from aftersales.emergencies.models import FaultClass
from aftersales.knowledge.models import ArticleStatus, Visibility

ANY = [("", _("全部"))]
KINDS = [("", _("文章和工单")), ("article", _("知识库文章")), ("case", _("工单"))]
TEXT_MAX = 20_000


def product_choices() -> list[tuple[str, str]]:
    return [(str(pk), f"{model} {name}") for pk, model, name in
            Product.objects.order_by("model").values_list("pk", "model", "name")]


def fault_class_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((code, name) for code, name in
                         FaultClass.objects.filter(is_active=True).order_by("code").values_list("code", "name"))]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("范围"), choices=KINDS, required=False)


class ArticleFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + ArticleStatus.choices)
    mine = forms.BooleanField(label=_("只看我写的"), required=False)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)


class ArticleForm(forms.Form):
    """A new article or an edit; `version` (hidden) guards against a lost update."""

    title = forms.CharField(label=_("标题"), max_length=200)
    problem = forms.CharField(label=_("问题"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))
    symptoms = forms.CharField(label=_("现象"), required=False, max_length=TEXT_MAX,
                               widget=forms.Textarea(attrs={"rows": 3}))
    cause = forms.CharField(label=_("原因"), required=False, max_length=TEXT_MAX,
                            widget=forms.Textarea(attrs={"rows": 3}))
    solution = forms.CharField(label=_("解决办法"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    products = forms.MultipleChoiceField(label=_("适用产品"), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 6}))
    fault_class = forms.ChoiceField(label=_("故障类别"), required=False)
    visibility = forms.ChoiceField(label=_("可见范围"), choices=Visibility.choices, initial=Visibility.INTERNAL)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["products"]).choices = product_choices()
        cast(forms.ChoiceField, self.fields["fault_class"]).choices = fault_class_choices()

    def clean_products(self) -> list[uuid.UUID]:
        return [uuid.UUID(value) for value in self.cleaned_data["products"]]


class CaseChoiceForm(forms.Form):
    """The case an article solved (from the case page's suggestions)."""

    case = forms.UUIDField(widget=forms.HiddenInput)
