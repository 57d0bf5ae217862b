"""Admin for special periods: read-only. A period changes only through its services, which
lock it, keep its version and write its timeline; duty and plans live in the roster and the
inspections app."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.special_periods.models import (
    SpecialPeriod,
    SpecialPeriodDuty,
    SpecialPeriodEvent,
    SpecialPeriodPlan,
    StandbyResource,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = SpecialPeriodEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "detail")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SpecialPeriod)
class SpecialPeriodAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "status", "starts_at", "ends_at", "customer")
    list_filter = ("status", "kind")
    search_fields = ("name", "customer__name")
    date_hierarchy = "starts_at"
    exclude = ("idempotency_key", "request_hash")
    inlines = (EventInline,)


@admin.register(SpecialPeriodDuty)
class SpecialPeriodDutyAdmin(ReadOnlyAdmin):
    list_display = ("period", "shift", "added_by", "created_at")
    search_fields = ("period__name", "shift__user__username")


@admin.register(SpecialPeriodPlan)
class SpecialPeriodPlanAdmin(ReadOnlyAdmin):
    list_display = ("period", "plan", "added_by", "created_at")
    search_fields = ("period__name", "plan__name")


@admin.register(StandbyResource)
class StandbyResourceAdmin(ReadOnlyAdmin):
    list_display = ("period", "kind", "description", "quantity", "depot", "location")
    list_filter = ("kind",)
    search_fields = ("period__name", "description", "part__code")
