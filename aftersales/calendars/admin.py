from django.contrib import admin

from aftersales.calendars.models import Calendar, CalendarException
from aftersales.calendars.services import calendar_touch


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "timezone", "holiday_source", "version")
    list_filter = ("holiday_source", "timezone")
    search_fields = ("code", "name")
    inlines = [CalendarExceptionInline]
    readonly_fields = ("version", "clocks_version")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            calendar_touch(calendar=form.instance)
