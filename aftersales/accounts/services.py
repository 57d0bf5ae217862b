"""Users, roles and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import ApiToken, Role, User
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.customers.models import Customer


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def user_create(
    *, username: str, password: str, role: str, customer: Customer | None = None, email: str = "",
    first_name: str = "",
) -> User:
    if role not in Role.values:
        raise ValidationFailed(f"role must be one of {Role.values}", field="role")
    if role == Role.CUSTOMER and customer is None:
        raise ValidationFailed("a customer user needs a customer", field="customer")
    if role != Role.CUSTOMER and customer is not None:
        raise ValidationFailed("only customer users belong to a customer", field="customer")
    if len(password) < 8:
        raise ValidationFailed("password must have at least 8 characters", field="password")
    if User.objects.filter(username=username).exists():
        raise Conflict(f"user {username!r} exists", code="user_exists", field="username")
    user = User(
        username=username, role=role, customer=customer, email=email, first_name=first_name,
        is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN,
    )
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def api_token_issue(
    *, username: str, password: str, name: str = "", lifetime: dt.timedelta | None = None
) -> tuple[ApiToken, str]:
    """Check the password once and issue a bearer token; only its digest is stored."""
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        raise PermissionDenied("wrong username or password", code="bad_credentials", field="password")
    return api_token_create(user=user, name=name, lifetime=lifetime)


def api_token_create(
    *, user: Any, name: str = "", lifetime: dt.timedelta | None = None
) -> tuple[ApiToken, str]:
    plain = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=token_digest(plain),
        name=name,
        expires_at=timezone.now() + lifetime if lifetime else None,
    )
    return token, plain


# A bearer token is checked on every API request; one indexed read costs about as much as the
# rest of a small request in the ORM. So a process remembers a token's user for a few
# seconds: a deleted token or deactivated user stops working everywhere within
# AFTERSALES_TOKEN_CACHE_SECONDS, and at once in the process that made the change.
_token_cache: dict[str, tuple[float, User, dt.datetime | None]] = {}
_TOKEN_CACHE_MAX = 10_000


def token_cache_clear() -> None:
    _token_cache.clear()


def user_for_token(plain: str) -> User | None:
    digest = token_digest(plain)
    now = time.monotonic()
    cached = _token_cache.get(digest)
    if cached is not None and cached[0] > now:
        user, expires_at = cached[1], cached[2]
    else:
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=digest, user__is_active=True)
            .first()
        )
        if token is None:
            _token_cache.pop(digest, None)
            return None
        user, expires_at = token.user, token.expires_at
        lifetime = settings.AFTERSALES_TOKEN_CACHE_SECONDS
        if lifetime > 0:
            if len(_token_cache) >= _TOKEN_CACHE_MAX:
                _token_cache.clear()
            _token_cache[digest] = (now + lifetime, user, expires_at)
    if expires_at is not None and expires_at <= timezone.now():
        return None
    return user
