"""Role checks for API handlers and services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aftersales.core.errors import PermissionDenied


def require_role(user: Any, roles: Iterable[str], *, doing: str) -> None:
    if getattr(user, "role", None) not in set(roles):
        raise PermissionDenied(f"your role may not {doing}", code="role_forbidden")
