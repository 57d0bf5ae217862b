"""Webhooks: subscriptions, deliveries written with the change they announce, and the sender.

Event body (JSON, UTF-8; stable — add fields, never rename or remove them)::

    {
      "id": "<event uuid>",          # the same in every attempt and redelivery (dedupe on it)
      "type": "case.created",
      "occurred_at": "2026-11-25T09:30:00+08:00",
      "data": {...}
    }

Types: ``case.created``, ``case.assigned``, ``case.escalated``, ``case.clock_warning``,
``case.clock_breached``, ``case.updated``, ``case.status_changed`` (any other event that moves
the status: acknowledged, responded, resolved, closed, reopened, ...), ``case.activity`` (the rest:
a note, a customer reply, an attachment; ``data.event`` says which), ``work_order.<kind>`` (created,
assigned, travel_started, checked_in, recorded, completed, signed, closed, cancelled, ...) and
``ping`` (a test sent by an administrator).

``data`` of a case event: ``case_id``, ``case_number``, ``event`` (the case event's kind),
``sequence``, ``status``, ``status_before``, ``severity``, ``category``, ``channel``,
``customer_id``, ``site_id``, ``asset_id``, ``assignee_id``, ``escalation_level``; clock events add
``target`` and ``due_at``; ``case.escalated`` adds ``from_level``, ``to_level``, ``reason``;
``case.updated`` adds ``changed_fields`` (names only). ``data`` of a work-order event:
``work_order_id``, ``work_order_number``, ``event``, ``sequence``, ``status``, ``status_before``,
``kind``, ``case_id``, ``case_number``, ``customer_id``, ``technician_id``, ``scheduled_for``,
``result``. No personal data: no names, phone numbers, e-mail addresses or message texts.

Each request carries ``X-Aftersales-Event`` (the type), ``X-Aftersales-Delivery`` (the event id),
``X-Aftersales-Timestamp`` (Unix seconds) and ``X-Aftersales-Signature: sha256=<hex>``, the
HMAC-SHA256 with the subscription's secret of ``timestamp + "." + body``. A 2xx answer delivers;
anything else (3xx included: redirects are not followed) is retried with exponential backoff
until AFTERSALES_WEBHOOK_MAX_ATTEMPTS, then the delivery is given up (a manual redelivery
starts again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.cases.models import CaseEvent, EventKind
from aftersales.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ValidationFailed,
)
from aftersales.webhooks.models import Delivery, DeliveryStatus, Subscription
from aftersales.webhooks.targets import Target, post, target_check
from aftersales.workorders.models import WorkOrderEvent, WorkOrderEventKind

logger = logging.getLogger(__name__)

PING = "ping"
CASE_TYPES_BY_KIND = {
    EventKind.OPENED: "case.created",
    EventKind.ASSIGNED: "case.assigned",
    EventKind.ESCALATED: "case.escalated",
    EventKind.SLA_WARNING: "case.clock_warning",
    EventKind.SLA_BREACHED: "case.clock_breached",
    EventKind.UPDATED: "case.updated",
}
CASE_EVENT_TYPES = (*CASE_TYPES_BY_KIND.values(), "case.status_changed", "case.activity")
WORK_ORDER_EVENT_TYPES = tuple(f"work_order.{kind}" for kind in WorkOrderEventKind.values)
EVENT_TYPES = (*CASE_EVENT_TYPES, *WORK_ORDER_EVENT_TYPES)
EVENT_PATTERNS = ("*", "case.*", "work_order.*")
# Event ids are derived from the event (case or work order, sequence): recording the same
# event twice can never write two deliveries.
_EVENT_NAMESPACE = uuid.UUID("8f4a3b52-6c1e-4d8b-9a57-2f0e7c9d1b64")
SECRET_PREFIX = "whsec_"  # noqa: S105 - a marker, not a secret
MAX_BACKOFF_SECONDS = 6 * 3600
USER_AGENT = "Aftersales-Webhooks/1"


# --- who may -----------------------------------------------------------------------------------


def require_admin(actor: User) -> None:
    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("只有管理员可以管理 Webhook"), code="admin_only")


def get_subscription_for_admin(actor: User, subscription_id: Any, *, lock: bool = False) -> Subscription:
    require_admin(actor)
    queryset = Subscription.objects.select_for_update() if lock else Subscription.objects.all()
    try:
        return queryset.get(pk=subscription_id)
    except (Subscription.DoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise NotFound(_("未找到该 Webhook 订阅"), code="subscription_not_found") from None


# --- the active subscriptions, remembered per process ------------------------------------------


@dataclass(frozen=True)
class _Receiver:
    subscription_id: Any
    patterns: tuple[str, ...]


_active_cache: dict[str, tuple[float, tuple[_Receiver, ...]]] = {}


def active_receivers() -> tuple[_Receiver, ...]:
    """The active subscriptions and their filters: read at most once per
    AFTERSALES_WEBHOOK_CACHE_SECONDS per process, so recording an event costs no query when
    nobody subscribes. Forgotten at once in the process that changes a subscription."""
    now = time.monotonic()
    cached = _active_cache.get("active")
    if cached is not None and cached[0] > now:
        return cached[1]
    receivers = tuple(
        _Receiver(pk, tuple(str(p) for p in patterns or ()))
        for pk, patterns in Subscription.objects.filter(is_active=True).values_list("pk", "event_types")
    )
    if settings.AFTERSALES_WEBHOOK_CACHE_SECONDS > 0:
        _active_cache["active"] = (now + settings.AFTERSALES_WEBHOOK_CACHE_SECONDS, receivers)
    return receivers


def subscriptions_cache_clear() -> None:
    _active_cache.clear()


def _changed() -> None:
    # Now, and again once committed: a read in between must not keep the old list.
    subscriptions_cache_clear()
    transaction.on_commit(subscriptions_cache_clear)


def matches(patterns: Sequence[str], event_type: str) -> bool:
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


# --- events → deliveries (hooks of cases and work orders) --------------------------------------


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _iso(value: Any) -> str | None:
    """A moment as ISO 8601 in UTC, however it was given (aware datetime or ISO text)."""
    if value is None or value == "":
        return None
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return str(moment.astimezone(dt.UTC).isoformat())


def case_event_type(event: CaseEvent) -> str:
    mapped = CASE_TYPES_BY_KIND.get(EventKind(event.kind)) if event.kind in EventKind.values else None
    if mapped is not None:
        return mapped
    if event.status_before and event.status_after and event.status_before != event.status_after:
        return "case.status_changed"
    return "case.activity"


def case_event_body(event: CaseEvent, event_type: str) -> dict[str, Any]:
    case = event.case
    data: dict[str, Any] = {
        "case_id": str(case.pk), "case_number": case.number, "event": event.kind,
        "sequence": event.sequence, "status": event.status_after or case.status,
        "status_before": event.status_before, "severity": case.severity, "category": case.category,
        "channel": case.channel, "customer_id": _text(case.customer_id), "site_id": _text(case.site_id),
        "asset_id": _text(case.asset_id), "assignee_id": _text(case.assignee_id),
        "escalation_level": case.escalation_level,
    }
    recorded = event.data or {}
    if event_type in ("case.clock_warning", "case.clock_breached"):
        data.update(target=recorded.get("target"), due_at=_iso(recorded.get("due_at")))
    elif event_type == "case.escalated":
        # The reason a person wrote stays inside; only the sweep's own reason is a code.
        data.update(from_level=recorded.get("from_level"), to_level=recorded.get("to_level"),
                    reason="sla_breach" if recorded.get("reason") == "sla_breach" else "manual")
        if recorded.get("to_level") is not None:
            data["escalation_level"] = recorded["to_level"]
    elif event_type == "case.updated":
        data["changed_fields"] = sorted(recorded.get("after") or {})
    return {
        "id": str(uuid.uuid5(_EVENT_NAMESPACE, f"case:{case.pk}:{event.sequence}")),
        "type": event_type, "occurred_at": _iso(event.at), "data": data,
    }


def work_order_event_body(event: WorkOrderEvent) -> dict[str, Any]:
    work_order = event.work_order
    case = work_order.case
    scheduled = work_order.scheduled_for
    return {
        "id": str(uuid.uuid5(_EVENT_NAMESPACE, f"work_order:{work_order.pk}:{event.sequence}")),
        "type": f"work_order.{event.kind}", "occurred_at": _iso(event.at),
        "data": {
            "work_order_id": str(work_order.pk), "work_order_number": work_order.number,
            "event": event.kind, "sequence": event.sequence,
            "status": event.status_after or work_order.status, "status_before": event.status_before,
            "kind": work_order.kind, "case_id": str(case.pk), "case_number": case.number,
            "customer_id": _text(case.customer_id), "technician_id": _text(work_order.technician_id),
            "scheduled_for": _iso(scheduled), "result": work_order.result,
        },
    }


def _enqueue(bodies: Sequence[dict[str, Any]], receivers: Sequence[_Receiver]) -> int:
    now = timezone.now()
    rows = [
        Delivery(subscription_id=receiver.subscription_id, event_id=uuid.UUID(body["id"]),
                 event_type=body["type"], payload=body, next_attempt_at=now, created_at=now)
        for body in bodies
        for receiver in receivers
        if matches(receiver.patterns, body["type"])
    ]
    if rows:
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def case_events_enqueue(events: Sequence[CaseEvent]) -> int:
    """Hook of cases: a delivery per event and matching subscription, in the caller's
    transaction; no query at all when no subscription is active."""
    receivers = active_receivers()
    if not receivers:
        return 0
    return _enqueue([case_event_body(e, case_event_type(e)) for e in events], receivers)


def work_order_events_enqueue(events: Sequence[WorkOrderEvent]) -> int:
    """Hook of work orders, like case_events_enqueue."""
    receivers = active_receivers()
    if not receivers:
        return 0
    return _enqueue([work_order_event_body(e) for e in events], receivers)


# --- subscriptions -------------------------------------------------------------------------------


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写名称"), field="name")
    if len(name) > 100:
        raise ValidationFailed(_("名称不能超过 100 个字符"), field="name")
    return name


def _clean_event_types(event_types: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in event_types or ():
        value = str(raw).strip()
        if value not in EVENT_PATTERNS and value not in EVENT_TYPES:
            raise ValidationFailed(
                _("未知的事件类型“%(type)s”；可用：%(choices)s")
                % {"type": value, "choices": ", ".join((*EVENT_PATTERNS, *EVENT_TYPES))},
                code="unknown_event_type", field="event_types",
            )
        if value not in cleaned:
            cleaned.append(value)
    if not cleaned:
        raise ValidationFailed(_("请至少选择一种事件类型"), field="event_types")
    return cleaned


def _allowed_internal(allow_internal: bool) -> bool:
    return allow_internal or settings.AFTERSALES_WEBHOOK_ALLOW_INTERNAL


def subscription_create(
    *, actor: User, name: str, url: str, event_types: Sequence[str], allow_internal: bool = False,
) -> Subscription:
    """A new active subscription with a fresh secret (the caller shows it once)."""
    require_admin(actor)
    name = _clean_name(name)
    cleaned_types = _clean_event_types(event_types)
    url = url.strip()
    target_check(url, allow_internal=_allowed_internal(allow_internal))
    with transaction.atomic():
        subscription = Subscription.objects.create(
            name=name, url=url, secret=_new_secret(), event_types=cleaned_types,
            allow_internal=allow_internal, created_by=actor,
        )
        _changed()
    return subscription


def subscription_update(
    *, actor: User, subscription_id: Any, expected_version: int | None, name: str | None = None,
    url: str | None = None, event_types: Sequence[str] | None = None, allow_internal: bool | None = None,
    is_active: bool | None = None,
) -> Subscription:
    """Change what is given (None: unchanged). A stale version answers 412, changing nothing.
    Deactivating gives up the pending deliveries (see subscription_deactivate)."""
    require_admin(actor)
    with transaction.atomic():
        subscription = get_subscription_for_admin(actor, subscription_id, lock=True)
        if expected_version is not None and expected_version != subscription.version:
            raise PreconditionFailed(
                _("订阅在版本 %(expected)s 之后已被修改（当前为 %(current)s），请重新加载")
                % {"expected": expected_version, "current": subscription.version},
                field="version",
            )
        if name is not None:
            subscription.name = _clean_name(name)
        if event_types is not None:
            subscription.event_types = _clean_event_types(event_types)
        if allow_internal is not None:
            subscription.allow_internal = allow_internal
        if url is not None:
            subscription.url = url.strip()
        if url is not None or allow_internal is not None:
            target_check(subscription.url, allow_internal=_allowed_internal(subscription.allow_internal))
        if is_active is not None:
            if subscription.is_active and not is_active:
                _give_up_pending(subscription)
            subscription.is_active = is_active
        subscription.version += 1
        subscription.save()
        _changed()
    return subscription


def _give_up_pending(subscription: Subscription) -> None:
    Delivery.objects.filter(subscription=subscription, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, last_error="subscription_inactive", updated_at=timezone.now(),
    )


def subscription_rotate_secret(*, actor: User, subscription_id: Any) -> Subscription:
    """A new secret at once; the old one stops signing (pending deliveries go out with the new)."""
    with transaction.atomic():
        subscription = get_subscription_for_admin(actor, subscription_id, lock=True)
        subscription.secret = _new_secret()
        subscription.version += 1
        subscription.save(update_fields=["secret", "version", "updated_at"])
    return subscription


def subscription_deactivate(*, actor: User, subscription_id: Any) -> Subscription:
    """Stop sending: no new deliveries, the pending ones given up (a redelivery after
    reactivating sends them). Deactivating an inactive subscription changes nothing."""
    with transaction.atomic():
        subscription = get_subscription_for_admin(actor, subscription_id, lock=True)
        if not subscription.is_active:
            return subscription
        _give_up_pending(subscription)
        subscription.is_active = False
        subscription.version += 1
        subscription.save(update_fields=["is_active", "version", "updated_at"])
        _changed()
    return subscription


def subscription_ping(*, actor: User, subscription_id: Any, now: dt.datetime | None = None) -> Delivery:
    """A test event for this subscription alone, whatever its filter, sent by the next run."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = get_subscription_for_admin(actor, subscription_id)
        if not subscription.is_active:
            raise Conflict(_("订阅已停用"), code="subscription_inactive")
        event_id = uuid.uuid4()
        body = {"id": str(event_id), "type": PING, "occurred_at": _iso(now),
                "data": {"subscription_id": str(subscription.pk)}}
        return Delivery.objects.create(subscription=subscription, event_id=event_id, event_type=PING,
                                       payload=body, next_attempt_at=now, created_at=now)


def get_delivery_for_admin(actor: User, delivery_id: Any, *, lock: bool = False) -> Delivery:
    require_admin(actor)
    queryset = Delivery.objects.select_for_update() if lock else Delivery.objects.select_related("subscription")
    try:
        return queryset.get(pk=delivery_id)
    except (Delivery.DoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise NotFound(_("未找到该推送记录"), code="delivery_not_found") from None


def delivery_redeliver(*, actor: User, delivery_id: Any, now: dt.datetime | None = None) -> Delivery:
    """Send a delivered or given-up event again, with the same event id (the receiver may
    dedupe it) and a fresh series of attempts. A pending one stays as it is."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = get_delivery_for_admin(actor, delivery_id, lock=True)
        if delivery.status == DeliveryStatus.PENDING:
            return delivery
        if not Subscription.objects.filter(pk=delivery.subscription_id, is_active=True).exists():
            raise Conflict(_("订阅已停用，请先启用"), code="subscription_inactive")
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = now
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    return delivery


# --- sending ---------------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def body_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _backoff(attempts: int) -> dt.timedelta:
    first = settings.AFTERSALES_WEBHOOK_RETRY_SECONDS
    return dt.timedelta(seconds=min(MAX_BACKOFF_SECONDS, first * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Claimed:
    """A delivery taken by one sender for one attempt (what it needs outside the transaction)."""

    id: Any
    attempts: int
    url: str
    secret: str
    allow_internal: bool
    event_type: str
    event_id: uuid.UUID
    payload: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    status_code: int | None = None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def deliveries_claim(*, now: dt.datetime, batch_size: int) -> tuple[list[Claimed], int]:
    """Take due deliveries for one attempt each: under row locks other senders skip
    (PostgreSQL; SQLite's writer lock serialises the claim), counting the attempt and moving
    next_attempt_at past the time the batch may take, so a sender that dies mid-batch leaves its
    rows to be retried (with the same event id) once that time is over. Returns the claimed
    deliveries and how many rows were taken (given-up ones included)."""
    timeout = settings.AFTERSALES_WEBHOOK_TIMEOUT_SECONDS
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")[:batch_size]
        )
        if not rows:
            return [], 0
        lease = dt.timedelta(seconds=60 + 2 * timeout * len(rows))
        claimed: list[Claimed] = []
        for row in rows:
            if not row.subscription.is_active or row.attempts >= settings.AFTERSALES_WEBHOOK_MAX_ATTEMPTS:
                row.status = DeliveryStatus.FAILED
                row.last_error = "subscription_inactive" if not row.subscription.is_active else "abandoned"
                continue
            row.attempts += 1
            row.next_attempt_at = now + lease
            claimed.append(Claimed(
                id=row.pk, attempts=row.attempts, url=row.subscription.url, secret=row.subscription.secret,
                allow_internal=_allowed_internal(row.subscription.allow_internal),
                event_type=row.event_type, event_id=row.event_id, payload=row.payload,
            ))
        for row in rows:
            row.updated_at = timezone.now()
        Delivery.objects.bulk_update(rows, ["status", "attempts", "next_attempt_at", "last_error", "updated_at"])
    return claimed, len(rows)


def delivery_attempt(claimed: Claimed) -> Outcome:
    """One signed POST. The address is checked again now (DNS rebinding) and the connection
    goes to the address checked."""
    try:
        target: Target = target_check(claimed.url, allow_internal=claimed.allow_internal)
    except ValidationFailed as refused:
        return Outcome(error=refused.code)
    body = body_bytes(claimed.payload)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Aftersales-Event": claimed.event_type,
        "X-Aftersales-Delivery": str(claimed.event_id),
        "X-Aftersales-Timestamp": timestamp,
        "X-Aftersales-Signature": signature(claimed.secret, timestamp, body),
    }
    try:
        code = post(target, body=body, headers=headers, timeout=settings.AFTERSALES_WEBHOOK_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - any transport failure is retried
        return Outcome(error=type(error).__name__[:300])
    if 200 <= code < 300:
        return Outcome(status_code=code)
    return Outcome(status_code=code, error=f"http_{code}")


def delivery_mark(claimed: Claimed, outcome: Outcome, *, now: dt.datetime) -> None:
    """Record the attempt's outcome, unless another sender took the row since (its lease ran out)."""
    changes: dict[str, Any] = {"last_status_code": outcome.status_code, "last_error": outcome.error,
                               "updated_at": timezone.now()}
    if outcome.delivered:
        changes.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now())
    elif claimed.attempts >= settings.AFTERSALES_WEBHOOK_MAX_ATTEMPTS:
        changes.update(status=DeliveryStatus.FAILED)
    else:
        changes.update(next_attempt_at=now + _backoff(claimed.attempts))
    Delivery.objects.filter(pk=claimed.id, status=DeliveryStatus.PENDING, attempts=claimed.attempts).update(**changes)
    if not outcome.delivered:
        logger.warning("webhook delivery %s attempt %s failed: %s", claimed.id, claimed.attempts, outcome.error)


def deliveries_send(*, batch_size: int = 20, now: dt.datetime | None = None) -> int:
    """Send every due delivery once; returns how many were delivered. At least once: a crash
    between the receiver's answer and the mark sends the same event id again later."""
    fixed = now
    delivered = 0
    while True:
        # Each batch's lease counts from when it is claimed: a run of many batches takes minutes,
        # and a lease counted from the run's start could be over before its batch is sent.
        now = fixed or timezone.now()
        batch, taken = deliveries_claim(now=now, batch_size=batch_size)
        for claimed in batch:
            outcome = delivery_attempt(claimed)
            delivery_mark(claimed, outcome, now=fixed or timezone.now())
            delivered += outcome.delivered
        if taken < batch_size:
            return delivered
