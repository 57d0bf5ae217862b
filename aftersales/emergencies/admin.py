from django.contrib import admin

from aftersales.emergencies.models import EmergencyLevel, FaultClass
from aftersales.emergencies.services import emergency_level_touch


class FaultClassInline(admin.TabularInline):
    model = FaultClass
    extra = 0


@admin.register(EmergencyLevel)
class EmergencyLevelAdmin(admin.ModelAdmin):
    list_display = ("level", "name", "severity", "first_response_minutes", "on_site_minutes",
                    "resolution_minutes", "restoration_minutes", "breach_reason_required")
    list_filter = ("severity", "breach_reason_required")
    search_fields = ("name",)
    readonly_fields = ("version", "clocks_version")
    inlines = [FaultClassInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            emergency_level_touch(level=obj)


@admin.register(FaultClass)
class FaultClassAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("level",)
