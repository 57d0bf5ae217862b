from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.knowledge.models import Article, CaseSolution


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-only here: articles change through the services, which keep the search index."""

    list_display = ("number", "title", "status", "visibility", "solved_count", "updated_at")
    list_filter = ("status", "visibility")
    search_fields = ("number", "title")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CaseSolution)
class CaseSolutionAdmin(admin.ModelAdmin):
    list_display = ("case", "article", "recorded_by", "created_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
