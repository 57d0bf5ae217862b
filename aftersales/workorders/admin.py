from typing import Any

from django.contrib import admin

from aftersales.workorders.models import (
    WorkOrder,
    WorkOrderEvent,
    WorkOrderPhoto,
    WorkOrderSignature,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class WorkOrderEventInline(ReadOnlyInline):
    model = WorkOrderEvent
    fields = ("sequence", "kind", "actor", "at", "status_before", "status_after", "data")


class WorkOrderPhotoInline(ReadOnlyInline):
    model = WorkOrderPhoto
    fields = ("caption", "content_type", "size", "uploaded_by", "created_at")


class WorkOrderSignatureInline(ReadOnlyInline):
    model = WorkOrderSignature
    fields = ("signer_name", "signed_at", "captured_by", "width", "height", "size")


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only: work orders change only through their actions, so every change is an event."""

    list_display = ("number", "case", "kind", "status", "technician", "scheduled_for", "checked_in_at", "result")
    list_filter = ("status", "kind", "result", "scheduled_for")
    search_fields = ("number", "case__number", "case__title", "technician__username")
    list_select_related = ("case", "technician")
    date_hierarchy = "created_at"
    inlines = [WorkOrderEventInline, WorkOrderPhotoInline, WorkOrderSignatureInline]
    show_full_result_count = False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(WorkOrderEvent)
class WorkOrderEventAdmin(admin.ModelAdmin):
    """The timeline is append-only: readable here, never edited."""

    list_display = ("work_order", "sequence", "kind", "actor", "at")
    list_filter = ("kind",)
    search_fields = ("work_order__number",)
    list_select_related = ("work_order", "actor")
    show_full_result_count = False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
