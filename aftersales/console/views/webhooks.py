"""Webhook pages (Webhook 订阅): the subscriptions, a new one (its secret shown once), a
subscription's page with its delivery log, and its actions (change, rotate the secret, test,
stop and restart, redeliver). Administrators only: other staff get 403, customer users 404.

URLs (console/urls.py):
    path("webhooks/", webhooks.subscription_list_page, name="webhooks"),
    path("webhooks/create/", webhooks.subscription_new, name="webhook-create"),
    path("webhooks/<uuid:subscription_id>/", webhooks.subscription_page, name="webhook"),
    path("webhooks/<uuid:subscription_id>/update/", webhooks.subscription_edit, name="webhook-update"),
    path("webhooks/<uuid:subscription_id>/rotate-secret/", webhooks.subscription_rotate, name="webhook-rotate"),
    path("webhooks/<uuid:subscription_id>/ping/", webhooks.subscription_ping, name="webhook-ping"),
    path("webhooks/<uuid:subscription_id>/deactivate/", webhooks.subscription_set_active,
         {"state": "deactivate"}, name="webhook-deactivate"),
    path("webhooks/<uuid:subscription_id>/activate/", webhooks.subscription_set_active,
         {"state": "activate"}, name="webhook-activate"),
    path("webhooks/deliveries/<uuid:delivery_id>/redeliver/", webhooks.delivery_redeliver,
         name="webhook-redeliver"),
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.models import Role
from aftersales.console.forms_webhooks import (
    DeliveryFilterForm,
    SubscriptionCreateForm,
    SubscriptionEditForm,
    VersionForm,
)
from aftersales.console.views.access import staff_only
from aftersales.console.views.form_keys import made_by_key, remember_key
from aftersales.console.views.refusals import flash_refusal, show_refusal
from aftersales.core.errors import DomainError
from aftersales.webhooks import selectors, services
from aftersales.webhooks.models import Subscription

LOG_ROWS = 50


def _require_admin(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) != Role.ADMIN:
        raise PermissionDenied


def _page_url(subscription_id: Any) -> str:
    return reverse("console:webhook", args=[subscription_id])


@login_required
@staff_only
def subscription_list_page(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(request, "console/webhooks/list.html", {
        "subscriptions": list(selectors.subscription_list(actor=request.user)),
    })


def _secret_page(request: HttpRequest, subscription: Subscription, *, created: bool) -> HttpResponse:
    # Rendered in the answer to the POST, never stored for a later page: the one time it shows.
    response = render(request, "console/webhooks/secret.html", {"subscription": subscription, "created": created},
                      status=201 if created else 200)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@staff_only
def subscription_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = SubscriptionCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")
        made = made_by_key(request, "webhook", key) if key else None
        if made is not None:
            return HttpResponseRedirect(_page_url(made))
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                subscription = services.subscription_create(
                    actor=request.user, name=data["name"], url=data["url"],
                    event_types=data["event_types"], allow_internal=data["allow_internal"],
                )
            except DomainError as refused:
                status = show_refusal(form, refused)
            else:
                remember_key(request, "webhook", data["idempotency_key"], subscription.pk)
                return _secret_page(request, subscription, created=True)
    return render(request, "console/webhooks/new.html", {"form": form}, status=status)


def _page_context(request: HttpRequest, subscription: Subscription,
                  edit_form: SubscriptionEditForm | None = None) -> dict[str, Any]:
    filters = DeliveryFilterForm(request.GET or None)
    status = filters.cleaned_data.get("status") if filters.is_valid() else None
    deliveries = selectors.delivery_list(actor=request.user, subscription_id=subscription.pk,
                                         status=status or None)
    if edit_form is None:
        edit_form = SubscriptionEditForm(initial={
            "version": subscription.version, "name": subscription.name, "url": subscription.url,
            "event_types": list(subscription.event_types or []), "allow_internal": subscription.allow_internal,
        })
    return {"subscription": subscription, "deliveries": list(deliveries[:LOG_ROWS]), "filters": filters,
            "edit_form": edit_form}


@login_required
@staff_only
def subscription_page(request: HttpRequest, subscription_id: uuid.UUID) -> HttpResponse:
    _require_admin(request)
    subscription = services.get_subscription_for_admin(request.user, subscription_id)
    return render(request, "console/webhooks/detail.html", _page_context(request, subscription))


@require_POST
@login_required
@staff_only
def subscription_edit(request: HttpRequest, subscription_id: uuid.UUID) -> HttpResponse:
    _require_admin(request)
    subscription = services.get_subscription_for_admin(request.user, subscription_id)
    form = SubscriptionEditForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.subscription_update(
                actor=request.user, subscription_id=subscription.pk,
                expected_version=data["version"], name=data["name"], url=data["url"],
                event_types=data["event_types"], allow_internal=data["allow_internal"],
            )
        except DomainError as refused:
            status = show_refusal(form, refused)
        else:
            messages.success(request, _("订阅已保存。"))
            return HttpResponseRedirect(_page_url(subscription.pk))
    return render(request, "console/webhooks/detail.html", _page_context(request, subscription, form),
                  status=status)


@require_POST
@login_required
@staff_only
def subscription_rotate(request: HttpRequest, subscription_id: uuid.UUID) -> HttpResponse:
    _require_admin(request)
    try:
        subscription = services.subscription_rotate_secret(actor=request.user,
                                                           subscription_id=subscription_id)
    except DomainError as refused:
        flash_refusal(request, refused)
        return HttpResponseRedirect(_page_url(subscription_id))
    return _secret_page(request, subscription, created=False)


@require_POST
@login_required
@staff_only
def subscription_ping(request: HttpRequest, subscription_id: uuid.UUID) -> HttpResponse:
    _require_admin(request)
    try:
        services.subscription_ping(actor=request.user, subscription_id=subscription_id)
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, _("测试事件已排队，将在一分钟内发送。"))
    return HttpResponseRedirect(_page_url(subscription_id))


@require_POST
@login_required
@staff_only
def subscription_set_active(request: HttpRequest, subscription_id: uuid.UUID, state: str) -> HttpResponse:
    """Stop a subscription (its pending deliveries are given up) or start it again."""
    _require_admin(request)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        if state == "activate":
            services.subscription_update(actor=request.user, subscription_id=subscription_id,
                                         expected_version=version, is_active=True)
        else:
            services.subscription_deactivate(actor=request.user, subscription_id=subscription_id)
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, _("订阅已启用。") if state == "activate"
                         else _("订阅已停用，待发送的推送已放弃。"))
    return HttpResponseRedirect(_page_url(subscription_id))


@require_POST
@login_required
@staff_only
def delivery_redeliver(request: HttpRequest, delivery_id: uuid.UUID) -> HttpResponse:
    _require_admin(request)
    delivery = services.get_delivery_for_admin(request.user, delivery_id)
    try:
        services.delivery_redeliver(actor=request.user, delivery_id=delivery.pk)
    except DomainError as refused:
        flash_refusal(request, refused)
    else:
        messages.success(request, _("已重新排队发送（事件 ID 不变）。"))
    return HttpResponseRedirect(_page_url(delivery.subscription_id))
