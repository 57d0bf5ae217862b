from django.contrib import admin

from aftersales.customers.models import Contact, Customer, Site


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "region")
    list_filter = ("kind", "region")
    search_fields = ("name", "code")
    inlines = [ContactInline, SiteInline]
