"""The customer archive (客户档案): customers, their contacts, sites, assets, contracts and cases."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from aftersales.assets.models import Asset
from aftersales.assets.services import asset_warranty
from aftersales.cases.selectors import QueueFilters, case_queue, cases_for_user
from aftersales.console.views.access import staff_only
from aftersales.contracts.models import Contract
from aftersales.core.scoping import get_scoped_or_404
from aftersales.customers.masking import contact_fields_for
from aftersales.customers.models import Contact, Site
from aftersales.customers.selectors import customers_for_user, get_customer_for_user

PAGE = 50


def _offset(request: HttpRequest) -> int:
    try:
        return max(0, min(int(request.GET.get("offset", 0)), 100_000))
    except ValueError:
        return 0


@login_required
@staff_only
def customer_list(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:100]
    customers = customers_for_user(request.user)
    if text:
        customers = customers.filter(Q(name__icontains=text) | Q(code__istartswith=text) | Q(region__icontains=text))
    offset = _offset(request)
    rows = list(customers.order_by("name")[offset:offset + PAGE + 1])
    return render(request, "console/customers.html", {
        "customers": rows[:PAGE], "q": text, "offset": offset,
        "next_offset": offset + PAGE if len(rows) > PAGE else None,
        "previous_offset": max(0, offset - PAGE) if offset else None,
    })


@login_required
@staff_only
def customer_page(request: HttpRequest, customer_id: uuid.UUID) -> HttpResponse:
    customer = get_customer_for_user(request.user, customer_id)
    today = timezone.localdate()
    contacts = []
    for contact in Contact.objects.filter(customer=customer).order_by("-is_primary", "name"):
        phone, email = contact_fields_for(request.user, contact.phone, contact.email)
        contacts.append({"name": contact.name, "title": contact.title, "phone": phone, "email": email,
                         "is_primary": contact.is_primary, "language": contact.get_language_display()})
    assets = Asset.objects.filter(customer=customer).select_related("product", "site").order_by("serial_number")
    offset = _offset(request)
    cases = case_queue(request.user, QueueFilters(customer_id=customer.pk, open_only=False), limit=25, offset=offset)
    return render(request, "console/customer.html", {
        "customer": customer, "contacts": contacts,
        "sites": Site.objects.filter(customer=customer).order_by("name"),
        "assets": [(asset, asset_warranty(asset, on=today)) for asset in assets[:200]],
        "contracts": Contract.objects.filter(customer=customer).select_related("tier").order_by("-starts_on"),
        "cases": cases[:25], "now": timezone.now(), "today": today, "offset": offset,
        "next_offset": offset + 25 if len(cases) > 25 else None,
        "previous_offset": max(0, offset - 25) if offset else None,
    })


@login_required
@staff_only
def asset_page(request: HttpRequest, asset_id: uuid.UUID) -> HttpResponse:
    asset = get_scoped_or_404(Asset.objects.select_related("product", "customer", "site"), request.user,
                              customer_field="customer_id", what="asset", pk=asset_id)
    cases = list(cases_for_user(request.user).filter(asset=asset).select_related("customer")
                 .order_by("-opened_at")[:50])
    return render(request, "console/asset.html", {
        "asset": asset, "warranty": asset_warranty(asset, on=timezone.localdate()), "cases": cases,
    })
