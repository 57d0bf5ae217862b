"""Admin for the parts master data. Stock, the ledger and requests are read-only here: they
change only through the services, so that every change is a ledger entry."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.parts.models import (
    ContractPartPrice,
    Depot,
    Part,
    PartsDeliveryTarget,
    PartsRequest,
    PurchaseSuggestion,
    Stock,
    StockMovement,
)
from aftersales.parts.services import ledger_balance_check


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Depot)
class DepotAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "is_active")
    list_filter = ("region", "is_active")
    search_fields = ("code", "name", "address")


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "unit",
        "unit_cost",
        "sale_price",
        "reorder_point",
        "reorder_quantity",
    )
    list_filter = ("kind",)
    search_fields = ("code", "name")
    filter_horizontal = ("compatible_products",)


@admin.action(description=gettext_lazy("核对库存与台账"))
def check_ledger(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> None:
    mismatches = ledger_balance_check()
    if mismatches:
        modeladmin.message_user(
            request,
            _("%(count)s 条库存与台账不符") % {"count": len(mismatches)},
            level=messages.ERROR,
        )
    else:
        modeladmin.message_user(request, _("全部库存与台账一致"), level=messages.SUCCESS)


@admin.register(Stock)
class StockAdmin(ReadOnlyAdmin):
    list_display = ("depot", "part", "on_hand", "reserved", "faulty", "version", "updated_at")
    list_filter = ("depot", "part__kind")
    search_fields = ("part__code", "part__name", "depot__code")
    list_select_related = ("depot", "part")
    actions = [check_ledger]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created_at",
        "kind",
        "depot",
        "part",
        "quantity",
        "on_hand_delta",
        "reserved_delta",
        "work_order",
        "actor",
        "is_chargeable",
        "amount",
    )
    list_filter = ("kind", "depot", "is_chargeable")
    search_fields = ("part__code", "reason", "idempotency_key")
    list_select_related = ("depot", "part", "work_order", "actor")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(PartsRequest)
class PartsRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "work_order",
        "part",
        "quantity",
        "depot",
        "status",
        "requested_at",
        "due_at",
        "delivered_at",
        "is_breached",
    )
    list_filter = ("status", "is_breached", "depot", "part__kind")
    search_fields = ("part__code", "work_order__number")
    list_select_related = ("work_order", "part", "depot")


@admin.register(PurchaseSuggestion)
class PurchaseSuggestionAdmin(ReadOnlyAdmin):
    list_display = (
        "depot",
        "part",
        "suggested_quantity",
        "available_at_suggestion",
        "status",
        "created_at",
    )
    list_filter = ("status", "depot")
    search_fields = ("part__code", "part__name")
    list_select_related = ("depot", "part")


@admin.register(PartsDeliveryTarget)
class PartsDeliveryTargetAdmin(admin.ModelAdmin):
    list_display = ("contract", "kind", "minutes", "calendar")
    list_filter = ("kind",)
    search_fields = ("contract__number",)


@admin.register(ContractPartPrice)
class ContractPartPriceAdmin(admin.ModelAdmin):
    list_display = ("contract", "part", "unit_price")
    search_fields = ("contract__number", "part__code")
    list_select_related = ("contract", "part")
