from __future__ import annotations

from typing import Any

from django.contrib import admin

from aftersales.maintenance.models import MaintenanceLog, OwnerSignatureLink


@admin.register(MaintenanceLog)
class MaintenanceLogAdmin(admin.ModelAdmin):
    """Drafts may be tidied here; a sealed log is read-only and cannot be deleted."""

    list_display = ("site", "performed_at", "period_kind", "status", "technician", "chain_index", "sealed_at")
    list_filter = ("status", "period_kind")
    search_fields = ("site__name", "problem", "treatment", "owner_name", "technician_name")
    list_select_related = ("site", "technician")
    readonly_fields = (
        "status", "technician_name", "technician_signature", "technician_signature_sha256",
        "technician_signed_at", "owner_name", "owner_signature", "owner_signature_sha256", "owner_signed_at",
        "owner_signed_via", "sealed_at", "chain_index", "previous_hash", "content_hash", "created_by",
    )
    show_full_result_count = False

    def has_add_permission(self, request: Any) -> bool:
        return False  # logs start through the service, which checks the links

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        if obj is not None and obj.is_sealed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        if obj is not None and obj.is_sealed:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(OwnerSignatureLink)
class OwnerSignatureLinkAdmin(admin.ModelAdmin):
    list_display = ("log", "email", "expires_at", "used_at")
    readonly_fields = ("log", "token_hash", "email", "expires_at", "used_at", "created_by")

    def has_add_permission(self, request: Any) -> bool:
        return False
