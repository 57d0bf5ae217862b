from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from aftersales.accounts.services import user_for_token


class BearerTokenAuth(HttpBearer):
    """Authorization: Bearer <token>. One indexed lookup of the token's SHA-256; no hashing
    of passwords on the request path."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user
