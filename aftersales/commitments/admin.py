from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.commitments.models import CommitmentImport


@admin.register(CommitmentImport)
class CommitmentImportAdmin(admin.ModelAdmin):
    """Read-only here: imports are reviewed and applied on their console page, through the services."""

    list_display = ("source_name", "source_kind", "status", "created_by", "created_at", "applied_at")
    list_filter = ("status", "source_kind")
    search_fields = ("source_name",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
