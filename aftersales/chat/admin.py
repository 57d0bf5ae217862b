from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.chat.models import ChatSession


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin):
    # Read-only: only the chat services change sessions. Message bodies stay out of the admin
    # (personal data); the case's timeline and the console show them to staff.
    list_display = ("created_at", "status", "customer", "case", "agent", "end_reason")
    list_filter = ("status", "end_reason")
    readonly_fields = [f.name for f in ChatSession._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
