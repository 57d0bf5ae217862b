"""Reads for training. Customer users see their own organisation's sessions, and only the
published customer materials of products their organisation owns; the rest answers 404."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.assets.models import Product
from aftersales.core.scoping import ScopedUser, get_scoped_or_404, scope_to_user
from aftersales.customers.models import Contact, Customer
from aftersales.training.models import (
    Audience,
    Qualification,
    TrainingAttendance,
    TrainingMaterial,
    TrainingSession,
)


def valid_qualifications(product_id: uuid.UUID, at: dt.datetime) -> QuerySet[Qualification]:
    """Unrevoked qualifications for the product not expired at `at` (each is valid through its
    `expires_on` day, in the server's time zone). Served by qualification_valid_idx."""
    on = timezone.localdate(at)
    return Qualification.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on),
        product_id=product_id, revoked_at__isnull=True, granted_on__lte=on,
    )


def valid_qualification_user_ids(product_id: uuid.UUID | None, at: dt.datetime) -> set[int]:
    """Users holding a valid qualification for the product at `at`, in one query."""
    if product_id is None:
        return set()
    return set(valid_qualifications(product_id, at).values_list("user_id", flat=True))


# --- sessions -------------------------------------------------------------------------------


def sessions_for_user(
    user: ScopedUser, *, status: str | None = None, product_id: Any = None,
    audience: str | None = None, upcoming: bool | None = None, now: dt.datetime | None = None,
) -> QuerySet[TrainingSession]:
    """Sessions the user may see; `upcoming` True: not yet ended (earliest first), False:
    ended (latest first)."""
    rows = scope_to_user(
        TrainingSession.objects.select_related("product", "customer", "trainer")
        .annotate(registered=Count("attendances")),
        user, customer_field="customer_id",
    )
    if status is not None:
        rows = rows.filter(status=status)
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    if audience is not None:
        rows = rows.filter(audience=audience)
    if upcoming is not None:
        now = now or timezone.now()
        if upcoming:
            return rows.filter(ends_at__gte=now).order_by("starts_at", "pk")
        return rows.filter(ends_at__lt=now).order_by("-starts_at", "pk")
    return rows.order_by("-starts_at", "pk")


def get_session_for_user(user: ScopedUser, session_id: Any) -> TrainingSession:
    return get_scoped_or_404(
        TrainingSession.objects.select_related("product", "customer", "trainer"), user,
        customer_field="customer_id", what="training session", pk=session_id,
    )


def attendances_of(session: TrainingSession) -> QuerySet[TrainingAttendance]:
    """The session's attendees (the caller has fetched the session through the scoping)."""
    return (
        TrainingAttendance.objects.filter(session=session)
        .select_related("user", "contact", "recorded_by")
        .order_by("created_at", "pk")
    )


def get_attendance_for_user(user: ScopedUser, attendance_id: Any) -> TrainingAttendance:
    return get_scoped_or_404(
        TrainingAttendance.objects.select_related("session", "user", "contact"), user,
        customer_field="session__customer_id", what="training session", pk=attendance_id,
    )


# --- materials ------------------------------------------------------------------------------


def _materials(user: ScopedUser) -> QuerySet[TrainingMaterial]:
    rows = TrainingMaterial.objects.select_related("product", "uploaded_by")
    if getattr(user, "is_customer_user", False):
        # Only what is meant for customers; the scoping then keeps the products it owns.
        rows = rows.filter(is_published=True, audience=Audience.CUSTOMER)
    return rows


def materials_for_user(
    user: ScopedUser, *, product_id: Any = None, published: bool | None = None,
) -> QuerySet[TrainingMaterial]:
    rows = scope_to_user(_materials(user), user, customer_field="product__assets__customer_id")
    if getattr(user, "is_customer_user", False):
        rows = rows.distinct()  # several assets of one product would repeat its materials
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    if published is not None:
        rows = rows.filter(is_published=published)
    return rows.order_by("product__model", "title", "-created_at", "pk")


def get_material_for_user(user: ScopedUser, material_id: Any) -> TrainingMaterial:
    return get_scoped_or_404(
        _materials(user).distinct(), user, customer_field="product__assets__customer_id",
        what="training material", pk=material_id,
    )


# --- qualifications -------------------------------------------------------------------------


def qualifications_for_user(
    user: ScopedUser, *, product_id: Any = None, user_id: Any = None, valid_at: dt.datetime | None = None,
    include_revoked: bool = False,
) -> QuerySet[Qualification]:
    """Qualifications are internal: staff see them all, customer users none."""
    rows = Qualification.objects.select_related("user", "product", "session", "granted_by", "revoked_by")
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_customer_user", False):
        return rows.none()
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    if not include_revoked:
        rows = rows.filter(revoked_at__isnull=True)
    if valid_at is not None:
        on = timezone.localdate(valid_at)
        rows = rows.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on), granted_on__lte=on,
                           revoked_at__isnull=True)
    return rows.order_by("user__username", "product__model", "-granted_on", "pk")


def get_qualification_for_user(user: ScopedUser, qualification_id: Any) -> Qualification:
    rows = Qualification.objects.select_related("user", "product", "session")
    if getattr(user, "is_customer_user", False):
        rows = rows.none()
    return get_scoped_or_404(rows, user, customer_field="user__customer_id", what="qualification",
                             pk=qualification_id)


# --- choices for the pages' forms -----------------------------------------------------------


def product_choices() -> list[tuple[str, str]]:
    return [(str(pk), f"{model} {name}") for pk, model, name in
            Product.objects.order_by("model").values_list("pk", "model", "name")]


def customer_choices() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Customer.objects.order_by("name").values_list("pk", "name")]


def staff_choices(roles: Iterable[str]) -> list[tuple[str, str]]:
    """Active staff with one of `roles`, as (id, "name (username)")."""
    rows = (User.objects.filter(is_active=True, role__in=sorted(roles)).order_by("username")
            .values_list("pk", "username", "first_name", "last_name"))
    return [(str(pk), f"{f'{first} {last}'.strip() or username} ({username})")
            for pk, username, first, last in rows]


def contact_choices(customer_id: Any) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in
            Contact.objects.filter(customer_id=customer_id).order_by("name").values_list("pk", "name")]
