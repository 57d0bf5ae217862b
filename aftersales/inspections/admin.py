from __future__ import annotations

from django.contrib import admin

from aftersales.inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    InspectionItemResult,
    InspectionOccurrence,
    InspectionPlan,
    InspectionResult,
)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active")
    inlines = [ChecklistItemInline]


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "customer", "frequency", "day_basis", "team", "starts_on", "ends_on", "is_active")
    list_filter = ("kind", "frequency", "is_active")
    search_fields = ("name",)
    raw_id_fields = ("customer", "site", "asset", "assets", "created_by")


@admin.register(InspectionOccurrence)
class InspectionOccurrenceAdmin(admin.ModelAdmin):
    list_display = ("plan", "scheduled_on", "due_at", "status", "work_order", "overdue_at")
    list_filter = ("status",)
    raw_id_fields = ("plan", "case", "work_order")
    date_hierarchy = "scheduled_on"


class InspectionItemResultInline(admin.TabularInline):
    model = InspectionItemResult
    extra = 0
    raw_id_fields = ("item", "photo", "case")


@admin.register(InspectionResult)
class InspectionResultAdmin(admin.ModelAdmin):
    list_display = ("occurrence", "submitted_by", "submitted_at", "is_passed")
    raw_id_fields = ("occurrence", "submitted_by")
    inlines = [InspectionItemResultInline]
