"""Row locks, always taken in primary-key order so two transactions never deadlock."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def lock_rows(queryset: QuerySet[M], ids: Iterable[Any]) -> dict[Any, M]:
    """Lock the rows with these ids (SELECT ... FOR UPDATE), in id order; caller is atomic.

    On SQLite the transaction already holds the database write lock (IMMEDIATE mode), which
    is stronger; the same code path serves both databases.
    """
    ordered = sorted(set(ids), key=str)
    rows = queryset.select_for_update().filter(pk__in=ordered).order_by("pk")
    return {row.pk: row for row in rows}


def lock_one(queryset: QuerySet[M], pk: Any) -> M:
    return queryset.select_for_update().get(pk=pk)
