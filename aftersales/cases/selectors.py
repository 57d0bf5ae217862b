"""Reads of cases, always through the scoping layer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from aftersales.accounts.models import User
from aftersales.assets.models import Asset
from aftersales.cases.models import Case, CaseClock, CaseEvent
from aftersales.contracts.models import Contract, SlaPolicy
from aftersales.core.scoping import ScopedUser, get_scoped_or_404, scope_to_user
from aftersales.customers.masking import contact_fields_for
from aftersales.customers.models import Contact, Customer
from aftersales.emergencies.models import FaultClass

CASE_NUMBER = re.compile(r"^AS\d", re.IGNORECASE)


def cases_for_user(user: ScopedUser) -> QuerySet[Case]:
    return scope_to_user(Case.objects.all(), user, customer_field="customer_id")


def get_case_for_user(user: ScopedUser, case_id: Any) -> Case:
    return get_scoped_or_404(
        Case.objects.select_related("customer", "policy", "assignee"),
        user, customer_field="customer_id", what="case", pk=case_id,
    )


def get_case_with_context(user: ScopedUser, case_id: Any) -> Case:
    """The case with what its page shows beside it (asset and product, contract and tier)."""
    # Asset and contract come in their own small queries: joined into one, the eight tables cost
    # PostgreSQL's planner about 2 ms for every page, ten times the query itself.
    return get_scoped_or_404(
        Case.objects.select_related("customer", "policy", "assignee").prefetch_related(
            Prefetch("asset", queryset=Asset.objects.select_related("product")),
            Prefetch("contract", queryset=Contract.objects.select_related("tier")),
        ),
        user, customer_field="customer_id", what="case", pk=case_id,
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    severity: str | None = None
    customer_id: Any = None
    assignee_id: Any = None
    breached: bool | None = None
    channel: str | None = None
    open_only: bool = True
    text: str = ""


def case_queue(user: ScopedUser, filters: QueueFilters, *, limit: int, offset: int,
               clock_summary: bool = False, fields: Sequence[str] | None = None) -> list[Case]:
    """Cases ordered by what breaks next (paused and clockless cases last).

    Reads `limit + 1` rows so the caller knows whether another page exists without counting.
    `clock_summary`: the caller reads the clocks with clock_summaries() or clock_values().
    `fields`: only these fields of each case are read (and only the related rows among them).
    """
    queryset = cases_for_user(user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    elif filters.open_only:
        queryset = queryset.filter(in_queue=True)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.customer_id:
        queryset = queryset.filter(customer_id=filters.customer_id)
    if filters.assignee_id:
        queryset = queryset.filter(assignee_id=filters.assignee_id)
    if filters.breached is not None:
        queryset = queryset.filter(is_breached=filters.breached)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    text = filters.text.strip()
    if text:
        if CASE_NUMBER.match(text):
            # A number or its beginning: a range on the unique index, not a LIKE.
            queryset = queryset.filter(number__gte=text.upper(), number__lt=text.upper() + "\uffff")
        else:
            queryset = queryset.filter(title__icontains=text)
    # The related rows come by id in separate small queries, not joins: a join lets SQLite's
    # planner (without statistics) scan the whole table and sort instead of walking the index.
    # A summary (for pages) reads only what a row shows: no policy, a few fields of each clock.
    # Without clocks: the caller takes them from clock_summaries() or clock_values() in one query.
    if clock_summary:
        related: list[Any] = [
            Prefetch("customer", queryset=Customer.objects.only("id", "name")),
            Prefetch("assignee", queryset=User.objects.only("id", "username")),
            Prefetch("policy", queryset=SlaPolicy.objects.only("id", "code")),
            Prefetch("fault_class", queryset=FaultClass.objects.select_related("level")),
        ]
    else:
        related = ["customer", "assignee", "policy", "fault_class__level",
                   Prefetch("clocks", queryset=CaseClock.objects.order_by("target"))]
    if fields is not None:
        queryset = queryset.only(*fields)
        related = [p for p in related if isinstance(p, Prefetch) and p.prefetch_through in fields]
    queryset = (
        queryset.prefetch_related(*related)
        .order_by("queue_at", "number")
    )
    return list(queryset[offset : offset + limit + 1])


@dataclass(frozen=True)
class ClockSummary:
    """What a list shows of one clock: its target, state and times to judge time left."""

    target: str
    state: str
    due_at: Any
    warn_at: Any
    is_breached: bool


def clock_summaries(case_ids: list[Any]) -> dict[Any, list[ClockSummary]]:
    """The clocks of these cases, by case id, in target order: one query, plain values."""
    found: dict[Any, list[ClockSummary]] = {case_id: [] for case_id in case_ids}
    rows = (CaseClock.objects.filter(case_id__in=case_ids).order_by("target")
            .values_list("case_id", "target", "state", "due_at", "warn_at", "is_breached"))
    for case_id, target, state, due_at, warn_at, is_breached in rows:
        found[case_id].append(ClockSummary(target, state, due_at, warn_at, is_breached))
    return found


CLOCK_VALUE_FIELDS = (
    "target", "state", "target_minutes", "started_at", "due_at", "calendar_due_at", "agreed_due_at",
    "agreed_reason", "warn_at", "met_at", "paused_at", "is_breached",
)


def clock_values(case_ids: list[Any]) -> dict[Any, list[dict[str, Any]]]:
    """Every field a case representation shows of its clocks, by case id, as plain values in
    one query (a list of cases does not need a model object per clock)."""
    found: dict[Any, list[dict[str, Any]]] = {case_id: [] for case_id in case_ids}
    for row in (CaseClock.objects.filter(case_id__in=case_ids).order_by("target")
                .values("case_id", *CLOCK_VALUE_FIELDS)):
        found[row.pop("case_id")].append(row)
    return found


def case_events(case: Case, *, limit: int = 50, before_sequence: int | None = None) -> list[CaseEvent]:
    """The newest `limit` events (before a sequence number, for paging back), oldest first."""
    # Of the actor, only the name every view shows.
    queryset = CaseEvent.objects.filter(case=case).select_related("actor").only(
        "id", "case_id", "sequence", "kind", "actor_id", "at", "status_before", "status_after", "data",
        "actor__username",
    )
    if before_sequence is not None:
        queryset = queryset.filter(sequence__lt=before_sequence)
    return list(reversed(queryset.order_by("-sequence")[:limit]))


def case_clocks(case: Case) -> list[CaseClock]:
    return list(CaseClock.objects.filter(case=case).order_by("target"))


@dataclass(frozen=True)
class CallerMatch:
    """One answer to "who is calling?": a contact, a customer, or an asset by its serial."""

    kind: str  # "contact" | "customer" | "asset"
    customer_id: Any
    customer_name: str
    contact_id: Any = None
    asset_id: Any = None
    label: str = ""
    detail: str = ""


def caller_search(user: ScopedUser, text: str, *, limit: int = 10) -> list[CallerMatch]:
    """Contacts by phone digits or name, customers by name or code, assets by serial number
    (its beginning), each within what the user may see; at most `limit` of each kind."""
    text = text.strip()
    if len(text) < 2:
        return []
    matches: list[CallerMatch] = []
    digits = re.sub(r"\D", "", text)
    contacts = scope_to_user(Contact.objects.select_related("customer"), user, customer_field="customer_id")
    if len(digits) >= 3 and len(digits) >= len(text.replace(" ", "").replace("-", "")) - 1:
        contacts = contacts.filter(phone__contains=digits)
    else:
        contacts = contacts.filter(name__icontains=text)
    for contact in contacts.order_by("name")[:limit]:
        phone, _email = contact_fields_for(user, contact.phone, contact.email)
        matches.append(CallerMatch("contact", contact.customer_id, contact.customer.name, contact_id=contact.pk,
                                   label=contact.name, detail=phone))
    customers = scope_to_user(Customer.objects.all(), user, customer_field="pk")
    for customer in customers.filter(name__icontains=text).order_by("name")[:limit]:
        matches.append(CallerMatch("customer", customer.pk, customer.name, label=customer.name,
                                   detail=customer.region))
    assets = scope_to_user(Asset.objects.select_related("customer", "product"), user, customer_field="customer_id")
    for asset in assets.filter(serial_number__istartswith=text).order_by("serial_number")[:limit]:
        matches.append(CallerMatch("asset", asset.customer_id, asset.customer.name, asset_id=asset.pk,
                                   label=asset.serial_number, detail=str(asset.product)))
    return matches


def active_emergencies(user: ScopedUser, *, max_level: int = 1, limit: int = 100) -> list[Case]:
    """Open cases whose fault class calls for an emergency level up to `max_level` (1 is the
    gravest), what breaks next first."""
    return list(
        cases_for_user(user)
        .filter(in_queue=True, fault_class__level__level__lte=max_level)
        .select_related("customer", "site", "assignee", "fault_class__level")
        .order_by("queue_at", "number")[:limit]
    )
