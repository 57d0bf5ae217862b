from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "role", "customer", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "email")
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("角色"), {"fields": ("role", "customer")}))
