"""Admin for returns. Requests are read-only here: their status changes only through the
services, which check the policy and move stock."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.returns.models import ReturnPolicy, ReturnRequest


@admin.register(ReturnPolicy)
class ReturnPolicyAdmin(admin.ModelAdmin):
    list_display = ("contract", "is_default", "window_days", "is_quality_fault_free_in_warranty",
                    "is_return_shipping_paid_by_seller")
    list_filter = ("is_default",)
    search_fields = ("contract__number",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # through the API: the service keeps one default and one per contract


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    list_display = ("asset", "customer", "kind", "status", "decision", "is_override", "requested_at")
    list_filter = ("status", "kind", "decision", "is_quality_fault", "is_override")
    search_fields = ("asset__serial_number", "customer__name", "case__number", "reason")
    date_hierarchy = "requested_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
