from django.contrib import admin

from aftersales.contracts.models import Contract, ServiceTier, SlaPolicy, SlaTarget
from aftersales.contracts.services import sla_policy_touch


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "calendar", "warning_percent", "is_default", "version")
    list_filter = ("calendar", "is_default")
    search_fields = ("code", "name")
    inlines = [SlaTargetInline]
    readonly_fields = ("version", "clocks_version")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            sla_policy_touch(policy=form.instance)


@admin.register(ServiceTier)
class ServiceTierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "policy")
    list_filter = ("policy",)
    search_fields = ("code", "name")


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("number", "customer", "tier", "starts_on", "ends_on")
    list_filter = ("tier",)
    search_fields = ("number", "customer__name")
    list_select_related = ("customer", "tier")
