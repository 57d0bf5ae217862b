"""Reads of maintenance logs, always through the scoping layer: a customer user sees only its
own organisation's logs; any other answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from aftersales.core.errors import NotFound
from aftersales.core.scoping import ScopedUser, scope_to_user
from aftersales.customers.models import Site
from aftersales.maintenance.models import MaintenanceLog

CUSTOMER_FIELD = "site__customer_id"
DETAIL_RELATED = ("site__customer", "asset__product", "work_order", "technician", "corrects")


def logs_for_user(user: ScopedUser) -> QuerySet[MaintenanceLog]:
    return scope_to_user(MaintenanceLog.objects.all(), user, customer_field=CUSTOMER_FIELD)


def get_log_for_user(user: ScopedUser, log_id: Any) -> MaintenanceLog:
    try:
        return logs_for_user(user).select_related(*DETAIL_RELATED).get(pk=log_id)
    except (MaintenanceLog.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该维修保养记录"), code="maintenance_log_not_found") from None


def get_site_for_user(user: ScopedUser, site_id: Any) -> Site:
    try:
        return scope_to_user(Site.objects.select_related("customer"), user,
                             customer_field="customer_id").get(pk=site_id)
    except (Site.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该站点"), code="site_not_found") from None


def log_list(
    user: ScopedUser, *, site_id: Any = None, status: str | None = None, period_kind: str | None = None,
) -> QuerySet[MaintenanceLog]:
    queryset = logs_for_user(user).select_related("site", "technician")
    if site_id is not None:
        queryset = queryset.filter(site_id=site_id)
    if status:
        queryset = queryset.filter(status=status)
    if period_kind:
        queryset = queryset.filter(period_kind=period_kind)
    return queryset.order_by("-performed_at", "id")


def logbook_logs(site: Site, *, period_kind: str | None, start: dt.datetime, end: dt.datetime) -> list[MaintenanceLog]:
    """Sealed logs of a site performed in [start, end), in chain order: the archived log book."""
    queryset = MaintenanceLog.objects.filter(site=site, sealed_at__isnull=False,
                                             performed_at__gte=start, performed_at__lt=end)
    if period_kind:
        queryset = queryset.filter(period_kind=period_kind)
    return list(queryset.select_related("asset__product", "technician", "corrects").order_by("chain_index"))
