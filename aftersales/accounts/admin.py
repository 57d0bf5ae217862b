from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import SignInThrottle, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "role", "customer", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "email")
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("角色"), {"fields": ("role", "customer", "time_zone")}))


@admin.register(SignInThrottle)
class SignInThrottleAdmin(admin.ModelAdmin):
    """Deleting a row unlocks the username at once."""

    list_display = ("key", "failures", "locked_until", "last_failure_at")
    search_fields = ("key",)
    readonly_fields = ("key", "failures", "locked_until", "last_failure_at")

    def has_add_permission(self, request):
        return False
