"""Admin for training. Sessions, attendance and qualifications are read-only here: their
status and the qualifications change only through the services (capacity, renewals)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.training.models import (
    Qualification,
    TrainingAttendance,
    TrainingMaterial,
    TrainingSession,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TrainingMaterial)
class TrainingMaterialAdmin(ReadOnlyAdmin):
    list_display = ("title", "product", "kind", "audience", "version", "is_published", "created_at")
    list_filter = ("kind", "audience", "is_published")
    search_fields = ("title", "product__model", "file_name", "sha256")


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnlyAdmin):
    list_display = ("title", "product", "audience", "customer", "starts_at", "status", "capacity")
    list_filter = ("status", "audience", "grants_qualification")
    search_fields = ("title", "product__model", "customer__name", "location")
    date_hierarchy = "starts_at"


@admin.register(TrainingAttendance)
class TrainingAttendanceAdmin(ReadOnlyAdmin):
    list_display = ("session", "user", "contact", "attended", "passed", "score")
    list_filter = ("attended", "passed")
    search_fields = ("session__title", "user__username", "contact__name")


@admin.register(Qualification)
class QualificationAdmin(ReadOnlyAdmin):
    list_display = ("user", "product", "granted_on", "expires_on", "session", "revoked_at")
    list_filter = ("product",)
    search_fields = ("user__username", "product__model", "revoked_reason")
