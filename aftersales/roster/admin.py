from django.contrib import admin

from aftersales.roster.models import RosterAlertMark, Shift, Team, Technician


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "region", "calendar", "is_active")
    list_filter = ("kind", "region", "is_active")
    search_fields = ("code", "name", "region")
    list_select_related = ("calendar",)


@admin.register(Technician)
class TechnicianAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "region", "max_concurrent_work_orders", "is_active")
    list_filter = ("team", "region", "is_active")
    search_fields = ("user__username", "user__first_name", "user__last_name", "region")
    list_select_related = ("user", "team")
    filter_horizontal = ("products",)
    raw_id_fields = ("user",)


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    """Shifts are added through the roster service, which refuses overlapping shifts of one
    person; the admin site only reads and removes them."""

    list_display = ("team", "user", "kind", "starts_at", "ends_at", "note")
    list_filter = ("team", "kind")
    search_fields = ("user__username", "team__code", "team__name", "note")
    list_select_related = ("team", "user")
    date_hierarchy = "starts_at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RosterAlertMark)
class RosterAlertMarkAdmin(admin.ModelAdmin):
    list_display = ("name", "high_water_mark", "updated_at")
