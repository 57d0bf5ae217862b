"""The page an owner's representative reaches from the e-mailed one-time link (业主签字): the
maintenance log to read, a name and a signature drawn on the screen. No sign-in: the token is
the only key, single use and expiring (maintenance.services)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from aftersales.core.errors import DomainError, NotFound
from aftersales.maintenance.services import log_for_owner_token, owner_sign_with_token
from aftersales.workorders.images import signature_png_from_text


class OwnerSignatureForm(forms.Form):
    signer_name = forms.CharField(label=_("签字人姓名"), max_length=100)
    # Filled by the signature pad (app.js) with the canvas as a PNG data URL.
    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=1_000_000)


@never_cache
def owner_sign(request: HttpRequest, token: str) -> HttpResponse:
    status = 200
    form = OwnerSignatureForm(request.POST or None)
    try:
        log = log_for_owner_token(token)
    except NotFound:
        raise
    except DomainError as refused:  # used or expired: say so, sign nothing
        return render(request, "portal/owner_sign.html", {"refused": refused.detail}, status=refused.status)
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                png = signature_png_from_text(form.cleaned_data["signature"] or "")
                signed = owner_sign_with_token(token, form.cleaned_data["signer_name"], png)
            except DomainError as refused:
                if refused.status == 404:
                    raise
                status = refused.status
                form.add_error(refused.field if refused.field in form.fields else None, refused.detail)
            else:
                return render(request, "portal/owner_sign.html", {"log": signed, "signed": True})
    return render(request, "portal/owner_sign.html", {"log": log, "form": form}, status=status)
