"""How the pages show a service's refusal: at the field it names (by alias, as named, or
without _id/_ids), above the form for a hidden or unknown field; a 404 is never shown."""

from __future__ import annotations

import pytest
from django import forms
from django.test import RequestFactory

from aftersales.console.views.refusals import flash_refusal, refused_field, show_refusal
from aftersales.core.errors import Conflict, NotFound, ValidationFailed


class _Form(forms.Form):
    site = forms.CharField(required=False)
    assets = forms.CharField(required=False)
    title = forms.CharField(required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    signature = forms.CharField(required=False, widget=forms.HiddenInput)  # a drawn pad shows its errors


@pytest.mark.parametrize(("name", "field"), [
    ("title", "title"), ("site_id", "site"), ("asset_ids", "assets"), ("version", None), ("nope", None),
    ("", None), ("signature", "signature"),
])
def test_the_field_a_refusal_lands_on(name, field):
    assert refused_field(_Form(), name, {"asset_ids": "assets"}) == field


def test_an_alias_to_none_puts_it_above_the_form():
    assert refused_field(_Form(), "title", {"title": None}) is None


def test_show_refusal_marks_the_field_and_answers_the_status():
    form = _Form(data={})
    assert form.is_valid()
    assert show_refusal(form, Conflict("已停用", field="site_id")) == 409
    assert form.errors["site"] == ["已停用"]
    hidden = _Form(data={})
    hidden.is_valid()
    assert show_refusal(hidden, ValidationFailed("版本过期", field="version")) == 422
    assert hidden.non_field_errors() == ["版本过期"]


def test_a_404_goes_on_as_404():
    form = _Form(data={})
    form.is_valid()
    with pytest.raises(NotFound):
        show_refusal(form, NotFound("未找到"))
    with pytest.raises(NotFound):
        flash_refusal(RequestFactory().post("/"), NotFound("未找到"))
