"""Users, roles and API tokens."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.accounts.models import STAFF_ROLES, ApiToken, Role, SignInThrottle, User
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
        raise ValidationFailed(
            _("%(field)s必须是以下之一：%(choices)s")
            % {"field": _("角色"), "choices": ", ".join(Role.values)},
            field="role",
        )
    if role == Role.CUSTOMER and customer is None:
        raise ValidationFailed(_("客户用户必须属于一个客户"), field="customer")
    if role != Role.CUSTOMER and customer is not None:
        raise ValidationFailed(_("只有客户用户才属于客户"), field="customer")
    if len(password) < 8:
        raise ValidationFailed(_("密码至少需要 8 个字符"), field="password")
    if User.objects.filter(username=username).exists():
        raise Conflict(
            _("用户“%(username)s”已存在") % {"username": username},
            code="user_exists", field="username",
        )
    user = User(
        username=username, role=role, customer=customer, email=email, first_name=first_name,
        is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN,
    )
    user.set_password(password)
    user.save()
    return user


# After SIGN_IN_FAILURES_BEFORE_LOCK wrong passwords in a row, a username is locked for
# SIGN_IN_LOCK_MINUTES, doubling with each further lock (up to a day). A success clears it.
SIGN_IN_FAILURES_BEFORE_LOCK = 5
SIGN_IN_LOCK_MINUTES = 5
SIGN_IN_LOCK_MAX = dt.timedelta(days=1)


def _throttle_key(username: str) -> str:
    return username.strip().lower()[:150]


def sign_in_check(*, username: str, password: str, request: Any = None, now: dt.datetime | None = None) -> User:
    """The active user with these credentials, or PermissionDenied; counts failures per
    username and refuses a locked username without checking its password."""
    now = now or timezone.now()
    key = _throttle_key(username)
    throttle = SignInThrottle.objects.filter(key=key).first()
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        minutes = max(1, int((throttle.locked_until - now).total_seconds() // 60) + 1)
        raise PermissionDenied(
            ngettext("登录失败次数过多，请 %(minutes)d 分钟后再试。", "登录失败次数过多，请 %(minutes)d 分钟后再试。",
                     minutes) % {"minutes": minutes},
            code="locked_out", field="username",
        )
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        _sign_in_failed(key, now)
        raise PermissionDenied(_("用户名或密码错误。"), code="bad_credentials", field="password")
    if throttle is not None:
        SignInThrottle.objects.filter(key=key).delete()
    return user  # type: ignore[return-value]


@transaction.atomic
def _sign_in_failed(key: str, now: dt.datetime) -> None:
    throttle, _created = SignInThrottle.objects.select_for_update().get_or_create(key=key)
    throttle.failures += 1
    throttle.last_failure_at = now
    over = throttle.failures - SIGN_IN_FAILURES_BEFORE_LOCK
    if over >= 0:
        lock = dt.timedelta(minutes=SIGN_IN_LOCK_MINUTES) * (2 ** min(over, 10))
        throttle.locked_until = now + min(lock, SIGN_IN_LOCK_MAX)
    throttle.save()


def api_token_issue(
    *, username: str, password: str, name: str = "", lifetime: dt.timedelta | None = None
) -> tuple[ApiToken, str]:
    """Check the password once (with the sign-in lock-out) and issue a bearer token; only its
    digest is stored."""
    user = sign_in_check(username=username, password=password)
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
    _session_user_cache.clear()
    _staff_choices.clear()


_staff_choices: dict[str, tuple[float, list[tuple[int, str]]]] = {}


def staff_choices() -> list[tuple[int, str]]:
    """(id, username) of the active staff, by username, for the "assign to" selects of every case
    page: remembered for AFTERSALES_TOKEN_CACHE_SECONDS, forgotten when a user is saved."""
    now = time.monotonic()
    cached = _staff_choices.get("staff")
    if cached is not None and cached[0] > now:
        return cached[1]
    rows = list(User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("username")
                .values_list("pk", "username"))
    if settings.AFTERSALES_TOKEN_CACHE_SECONDS > 0:
        _staff_choices["staff"] = (now + settings.AFTERSALES_TOKEN_CACHE_SECONDS, rows)
    return rows


# A signed-in page reads its user by the id in the session on every request: the same few
# seconds of memory as for tokens (a deactivated user, a changed password take effect
# everywhere within AFTERSALES_TOKEN_CACHE_SECONDS, at once in the process that saved them).
_session_user_cache: dict[Any, tuple[float, User]] = {}


def session_user(user_id: Any, load: Callable[[Any], User | None]) -> User | None:
    """The user of a session, remembered for a few seconds; `load` reads it when not."""
    now = time.monotonic()
    cached = _session_user_cache.get(user_id)
    if cached is not None and cached[0] > now:
        return copy.copy(cached[1])  # each request its own object: views may set attributes
    user = load(user_id)
    lifetime = settings.AFTERSALES_TOKEN_CACHE_SECONDS
    if user is not None and lifetime > 0:
        if len(_session_user_cache) >= _TOKEN_CACHE_MAX:
            _session_user_cache.clear()
        _session_user_cache[user_id] = (now + lifetime, user)
        return copy.copy(user)
    return user


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
