from typing import Any

from django.contrib import admin

from aftersales.cases.models import Case, CaseClock, CaseEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class CaseClockInline(ReadOnlyInline):
    model = CaseClock
    fields = ("target", "state", "due_at", "met_at", "is_breached")


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("sequence", "kind", "actor", "at", "status_before", "status_after", "data")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change only through their actions (API), so every change is an event."""

    list_display = ("number", "title", "customer", "severity", "status", "next_due_at", "is_breached")
    list_filter = ("status", "severity", "channel", "is_breached")
    search_fields = ("number", "title")
    list_select_related = ("customer",)
    inlines = [CaseClockInline, CaseEventInline]
    show_full_result_count = False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
