"""Role checks for API handlers and services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from aftersales.core.errors import PermissionDenied


def require_role(user: Any, roles: Iterable[str], *, doing: str) -> None:
    if getattr(user, "role", None) not in set(roles):
        raise PermissionDenied(_("您的角色无权%(doing)s") % {"doing": doing}, code="role_forbidden")
