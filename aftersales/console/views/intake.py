"""Phone intake (热线受理): find the caller while they talk, see what they have, file the case."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import ARCHIVE_ROLES
from aftersales.assets.models import Asset
from aftersales.assets.services import asset_warranty
from aftersales.cases import services
from aftersales.cases.selectors import QueueFilters, caller_search, case_queue
from aftersales.console.forms import IntakeForm
from aftersales.console.views.access import staff_only
from aftersales.contracts.services import contract_in_force
from aftersales.core.errors import DomainError
from aftersales.customers.selectors import get_customer_for_user


def _intake_roles_only(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) not in ARCHIVE_ROLES:
        raise Http404


@login_required
@staff_only
def callers(request: HttpRequest) -> HttpResponse:
    """Type-ahead answers for the search box (an htmx fragment)."""
    _intake_roles_only(request)
    matches = caller_search(request.user, request.GET.get("q", "")[:100])
    return render(request, "console/_callers.html", {"matches": matches})


def _customer_panel(request: HttpRequest, customer: Any) -> dict[str, Any]:
    today = timezone.localdate()
    assets = list(Asset.objects.filter(customer=customer).select_related("product", "site")
                  .order_by("serial_number")[:50])
    return {
        "customer": customer,
        "contract": contract_in_force(customer_id=customer.pk, on=today),
        "assets": [(asset, asset_warranty(asset, on=today)) for asset in assets],
        "open_cases": case_queue(request.user, QueueFilters(customer_id=customer.pk), limit=10, offset=0)[:10],
        "now": timezone.now(),
    }


@login_required
@staff_only
def intake(request: HttpRequest) -> HttpResponse:
    _intake_roles_only(request)
    customer_id = request.POST.get("customer") or request.GET.get("customer")
    if not customer_id:
        return render(request, "console/intake.html", {"q": request.GET.get("q", "")})
    try:
        customer = get_customer_for_user(request.user, uuid.UUID(str(customer_id)))
    except ValueError:
        raise Http404 from None
    initial = {"contact": request.GET.get("contact"), "asset": request.GET.get("asset")}
    form = IntakeForm(request.POST or None, customer_id=customer.pk, initial=initial)
    key = request.POST.get("idempotency_key") or str(uuid.uuid4())
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                filed = services.case_file(
                    actor=request.user, customer_id=customer.pk, channel=data["channel"],
                    category=data["category"], title=data["title"], description=data["description"],
                    impact=data["impact"], severity=data["severity"] or None,
                    fault_class=data["fault_class"] or None,
                    contact_id=data["contact"].pk if data["contact"] else None,
                    site_id=data["site"].pk if data["site"] else None,
                    asset_id=data["asset"].pk if data["asset"] else None,
                    idempotency_key=f"intake:{key}",
                    fingerprint=services.request_fingerprint({k: str(v) for k, v in data.items()}),
                )
            except DomainError as refused:
                field = (refused.field or "").removesuffix("_id")
                form.add_error(field if field in form.fields else None, refused.detail)
                status = refused.status
            else:
                messages.success(request, _("已受理，工单号 %(number)s。") % {"number": filed.case.number})
                return HttpResponseRedirect(reverse("console:case", args=[filed.case.pk]))
    context = {"form": form, "idempotency_key": key, **_customer_panel(request, customer)}
    return render(request, "console/intake.html", context, status=status)
