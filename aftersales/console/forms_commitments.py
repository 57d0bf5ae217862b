"""Forms of the commitment import pages (服务承诺导入): they parse input; the commitments
services decide. Fields are named after the services' inputs, so a refusal lands at its field."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.services import staff_choices
from aftersales.assets.models import Product
from aftersales.commitments.documents import MAX_TEXT_CHARS, MAX_UPLOAD_BYTES
from aftersales.commitments.models import ItemKind
from aftersales.contracts.models import Contract, ServiceTier

SEVERITY_CHOICES = [("", _("全部")), ("P1", "P1"), ("P2", "P2"), ("P3", "P3"), ("P4", "P4")]


class ImportCreateForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    name = forms.CharField(label=_("来源名称"), max_length=200, required=False)
    text = forms.CharField(label=_("承诺书文字"), required=False, max_length=MAX_TEXT_CHARS,
                           widget=forms.Textarea(attrs={"rows": 12}))
    file = forms.FileField(label=_("或上传文件（.txt、.docx、.pdf）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件过大（最多 %(limit)s MB）") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)})
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_text = bool((data.get("text") or "").strip())
        if not has_text and not data.get("file"):
            self.add_error("text", _("请粘贴文字或上传文件"))
        elif has_text and data.get("file"):
            self.add_error("file", _("粘贴文字与上传文件只能选一个"))
        return data


class ItemForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    kind = forms.ChoiceField(label=_("类型"), choices=ItemKind.choices)
    severity = forms.ChoiceField(label=_("严重等级"), choices=SEVERITY_CHOICES, required=False)
    regions = forms.CharField(label=_("地区"), max_length=500, required=False,
                              help_text=_("站点地区名称，用逗号分隔；留空为默认"))
    value = forms.IntegerField(label=_("数值"), min_value=0, required=False)
    is_included = forms.BooleanField(label=_("应用"), required=False)

    def clean_regions(self) -> list[str]:
        raw = self.cleaned_data.get("regions") or ""
        return [part.strip() for part in raw.replace("，", ",").replace("、", ",").split(",") if part.strip()]


def _tier_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(t.code, f"{t.code} {t.name}") for t in ServiceTier.objects.order_by("code")]


def _contract_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(c.number, f"{c.number} {c.customer.name}") for c in
                          Contract.objects.select_related("customer").order_by("number")[:500]]


def _product_choices() -> list[tuple[str, str]]:
    return [(p.model, f"{p.model} {p.name}") for p in Product.objects.order_by("model")[:500]]


class ApplyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    policy_code = forms.SlugField(label=_("SLA 策略代码"), max_length=50,
                                  help_text=_("已有策略的代码，或新策略的代码"))
    policy_name = forms.CharField(label=_("新策略名称"), max_length=100, required=False)
    tier_code = forms.ChoiceField(label=_("设为服务等级的策略"), required=False)
    contract_number = forms.ChoiceField(label=_("设为合同的专属策略"), required=False)
    product_models = forms.MultipleChoiceField(label=_("写入保修条款的产品"), required=False,
                                               widget=forms.CheckboxSelectMultiple)
    visit_assignee_id = forms.ChoiceField(label=_("回访人"), required=False,
                                          help_text=_("合同还没有回访计划时，由谁回访"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier_code"].choices = _tier_choices()  # type: ignore[attr-defined]
        self.fields["contract_number"].choices = _contract_choices()  # type: ignore[attr-defined]
        self.fields["product_models"].choices = _product_choices()  # type: ignore[attr-defined]
        self.fields["visit_assignee_id"].choices = [  # type: ignore[attr-defined]
            ("", "—"), *((str(pk), name) for pk, name in staff_choices())]
