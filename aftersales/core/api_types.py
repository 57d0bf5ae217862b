"""Types and helpers shared by the apps' API schemas and handlers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Protocol, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema, Status
from ninja.params.functions import Header, Query
from pydantic import AfterValidator, PlainSerializer

from aftersales.core.errors import ValidationFailed

T = TypeVar("T")


class FieldErrorOut(Schema):
    field: str | None
    detail: str


class ErrorOut(Schema):
    """The one error body of the API (`config/api.py` renders every error with it)."""

    detail: str
    code: str
    field: str | None
    # Validation errors only: every offending field, the first of which is `field` above.
    errors: list[FieldErrorOut] | None = None


# Aware datetimes leave the API in the server's time zone, as ISO 8601 with the offset.
LocalDateTime = Annotated[
    dt.datetime, PlainSerializer(lambda v: timezone.localtime(v).isoformat(), return_type=str)
]

MAX_UTC_OFFSET = dt.timedelta(hours=14)  # the widest offset any time zone uses (Kiribati)


def _storable(value: dt.datetime) -> dt.datetime:
    # Every date-time is stored in UTC: an offset no zone uses (PostgreSQL refuses beyond
    # ±15:59) or a moment whose UTC falls outside years 1–9999 is bad input, not a server error.
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValueError(_("UTC 偏移须在 ±14:00 以内"))
    try:
        (value if offset is not None else timezone.make_aware(value)).astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError(_("时间超出可表示的范围")) from exc
    return value


# A date-time in a request: ISO 8601, with an offset (without one, the server's time zone).
InputDateTime = Annotated[dt.datetime, AfterValidator(_storable)]

# The default of a handler's `idempotency_key` parameter: the optional request header. (The
# function behind `ninja.Header`, which mypy sees only as an Annotated alias.)
IdempotencyKey = Header(default=None, alias="Idempotency-Key", min_length=1, max_length=200)


# The largest integer every database column and SQL OFFSET here holds: a larger number in a
# request must be refused as input, not fail in SQL.
SQL_INT_MAX = 2_147_483_647

# The `offset` of list operations that take their window as plain parameters.
OffsetQuery = Query(0, ge=0, le=SQL_INT_MAX)


class PageWindow(Protocol):
    """What a page query gives: each app's `PageQuery` schema."""

    limit: int
    offset: int


def page(rows: QuerySet[Any], query: PageWindow, render: Callable[[Any], Any]) -> dict[str, Any]:
    """One page of `rows`, rendered; one row more is read to tell whether a next page exists."""
    found = list(rows[query.offset : query.offset + query.limit + 1])
    has_more = len(found) > query.limit
    return {
        "items": [render(row) for row in found[: query.limit]],
        "limit": query.limit,
        "offset": query.offset,
        "next_offset": query.offset + query.limit if has_more else None,
    }


def idempotency_key_for_user(request: HttpRequest, value: str | None) -> str | None:
    """The client's key, scoped to the user: two users' keys never collide."""
    if value is None:
        return None
    if not 1 <= len(value) <= 200:
        raise ValidationFailed(_("Idempotency-Key 须为 1 到 200 个字符"), field="Idempotency-Key")
    return f"{request.user.pk}:{value}"


def created_or_replayed(created: bool, body: T) -> Status[T]:
    """201 for what this request created, 200 for a retry answered with the first result."""
    return Status(201 if created else 200, body)
