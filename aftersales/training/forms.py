"""Forms of the training pages (console). They parse input only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.training.models import Audience, MaterialKind, SessionStatus

PASSED_CHOICES = [("", _("未考核")), ("yes", _("通过")), ("no", _("未通过"))]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SessionFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部"))] + list(SessionStatus.choices))
    audience = forms.ChoiceField(label=_("对象"), required=False,
                                 choices=[("", _("全部"))] + list(Audience.choices))
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)


class SessionForm(forms.Form):
    product = forms.ChoiceField(label=_("产品"))
    title = forms.CharField(label=_("主题"), max_length=200)
    audience = forms.ChoiceField(label=_("对象"), choices=Audience.choices)
    customer = forms.ChoiceField(label=_("客户"), required=False,
                                 help_text=_("客户培训必填；内部培训留空"))
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=LocalDateTimeInput())
    location = forms.CharField(label=_("地点"), max_length=200, required=False)
    trainer = forms.ChoiceField(label=_("讲师"))
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=10_000, initial=20)
    grants_qualification = forms.BooleanField(label=_("通过者获得上岗资质（仅内部培训）"), required=False)
    qualification_months = forms.IntegerField(label=_("资质有效期（月）"), min_value=1, max_value=120,
                                              required=False, help_text=_("留空表示长期有效"))
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, products: list[tuple[str, str]], customers: list[tuple[str, str]],
                 trainers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = products
        self.fields["customer"].choices = [("", "—")] + customers
        self.fields["trainer"].choices = trainers


class AttendeeForm(forms.Form):
    attendee = forms.ChoiceField(label=_("学员"))

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendee"].choices = people


class AttendanceForm(forms.Form):
    attended = forms.BooleanField(label=_("已出席"), required=False)
    passed = forms.ChoiceField(label=_("考核"), choices=PASSED_CHOICES, required=False)
    score = forms.IntegerField(label=_("成绩"), min_value=0, max_value=100, required=False)

    def clean_passed(self) -> bool | None:
        value = self.cleaned_data.get("passed")
        return {"yes": True, "no": False}.get(value or "")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=2000)


class MaterialFilterForm(forms.Form):
    product = forms.ChoiceField(label=_("产品"), required=False)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, products: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", _("全部"))] + products


class MaterialUploadForm(forms.Form):
    product = forms.ChoiceField(label=_("产品"))
    title = forms.CharField(label=_("标题"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=MaterialKind.choices)
    audience = forms.ChoiceField(label=_("对象"), choices=Audience.choices)
    version = forms.CharField(label=_("版本"), max_length=40, required=False)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、图片、Office 文档或 MP4 视频"))
    publish = forms.BooleanField(label=_("立即发布"), required=False)

    def __init__(self, *args: Any, products: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = products


class QualificationFilterForm(forms.Form):
    product = forms.ChoiceField(label=_("产品"), required=False)
    include_revoked = forms.BooleanField(label=_("含已撤销"), required=False)
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, products: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", _("全部"))] + products


class QualificationGrantForm(forms.Form):
    user = forms.ChoiceField(label=_("员工"))
    product = forms.ChoiceField(label=_("产品"))
    expires_on = forms.DateField(label=_("有效期至"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("留空表示长期有效"))

    def __init__(self, *args: Any, users: list[tuple[str, str]], products: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = users
        self.fields["product"].choices = products


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=2000)
