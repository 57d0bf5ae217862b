"""The portal's 培训与资料 page: the organisation's upcoming and past training sessions and the
published materials of the products it owns, with downloads. Everything goes through the
training selectors' scoping: another customer's session or material answers 404."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from aftersales.portal.views import customers_only
from aftersales.training.downloads import material_response
from aftersales.training.selectors import (
    get_material_for_user,
    materials_for_user,
    sessions_for_user,
)

LIMIT = 50


@login_required
@customers_only
def training_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    now = timezone.now()
    return render(request, "portal/training.html", {
        "upcoming": list(sessions_for_user(user, upcoming=True, now=now)[:LIMIT]),
        "past": list(sessions_for_user(user, upcoming=False, now=now)[:LIMIT]),
        "materials": list(materials_for_user(user)[:200]),
    })


@login_required
def material_download(request: HttpRequest, material_id: uuid.UUID) -> FileResponse:
    user: Any = request.user
    if not getattr(user, "is_customer_user", False):
        raise Http404  # as customers_only: staff download from the console
    return material_response(get_material_for_user(user, material_id))
