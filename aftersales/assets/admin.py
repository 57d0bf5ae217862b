from django.contrib import admin

from aftersales.assets.models import Asset, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("model", "name", "category", "has_acceptance", "trial_months", "warranty_months")
    list_filter = ("category", "has_acceptance")
    search_fields = ("model", "name")


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("serial_number", "product", "customer", "site", "final_acceptance_on")
    list_filter = ("product",)
    search_fields = ("serial_number",)
    autocomplete_fields = ()
    list_select_related = ("product", "customer", "site")
