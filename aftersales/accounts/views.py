"""Sign-in and sign-out pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aftersales.accounts.services import sign_in_check
from aftersales.core.errors import PermissionDenied
from aftersales.core.roles import Role


class SignInForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("密码"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def home_for(user: object) -> str:
    """Where a user lands after signing in: customers in the portal, managers on their
    dashboard, the other staff on the queue."""
    if getattr(user, "is_customer_user", False):
        return reverse("portal:home")
    if getattr(user, "role", None) == Role.MANAGER:
        return reverse("console:report-dashboard")
    return reverse("console:queue")


def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    if request.user.is_authenticated and request.method == "GET":
        return HttpResponseRedirect(next_url or home_for(request.user))
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in_check(username=form.cleaned_data["username"],
                                 password=form.cleaned_data["password"], request=request)
        except PermissionDenied as refused:
            form.add_error(None, refused.detail)
            status = 429 if refused.code == "locked_out" else 403
        else:
            login(request, user)
            return HttpResponseRedirect(next_url or home_for(user))
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("accounts:sign_in"))
