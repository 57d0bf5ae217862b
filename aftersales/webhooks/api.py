"""Webhook subscriptions and their delivery log (/api/v1/webhooks): administrators only."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from aftersales.core.api_types import OffsetQuery
from aftersales.webhooks import selectors, services
from aftersales.webhooks.models import Delivery, Subscription
from aftersales.webhooks.schemas import (
    DeliveryDetailOut,
    DeliveryOut,
    SubscriptionCreateIn,
    SubscriptionOut,
    SubscriptionSecretOut,
    SubscriptionUpdateIn,
)

router = Router(tags=["webhooks"])
PAGE_LIMIT = 200


def _subscription_out(subscription: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=subscription.pk, name=subscription.name, url=subscription.url,
        event_types=list(subscription.event_types or []), is_active=subscription.is_active,
        allow_internal=subscription.allow_internal, version=subscription.version,
        created_at=subscription.created_at,
    )


def _with_secret(subscription: Subscription) -> SubscriptionSecretOut:
    return SubscriptionSecretOut(**_subscription_out(subscription).dict(), secret=subscription.secret)


def _delivery_fields(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.pk, "subscription_id": delivery.subscription_id, "event_id": delivery.event_id,
        "event_type": delivery.event_type, "status": delivery.status, "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at, "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error, "delivered_at": delivery.delivered_at,
        "created_at": delivery.created_at,
    }


@router.get("/subscriptions", response=list[SubscriptionOut])
def subscription_list(request: HttpRequest) -> list[SubscriptionOut]:
    return [_subscription_out(s) for s in selectors.subscription_list(actor=request.user)]


@router.post("/subscriptions", response={201: SubscriptionSecretOut})
def subscription_create(request: HttpRequest, payload: SubscriptionCreateIn) -> Status[SubscriptionSecretOut]:
    created = services.subscription_create(
        actor=request.user, name=payload.name, url=payload.url,
        event_types=payload.event_types, allow_internal=payload.allow_internal,
    )
    return Status(201, _with_secret(created))


@router.get("/subscriptions/{subscription_id}", response=SubscriptionOut)
def subscription_detail(request: HttpRequest, subscription_id: uuid.UUID) -> SubscriptionOut:
    return _subscription_out(services.get_subscription_for_admin(request.user, subscription_id))


@router.patch("/subscriptions/{subscription_id}", response=SubscriptionOut)
def subscription_update(request: HttpRequest, subscription_id: uuid.UUID,
                        payload: SubscriptionUpdateIn) -> SubscriptionOut:
    updated = services.subscription_update(
        actor=request.user, subscription_id=subscription_id,
        expected_version=payload.version, name=payload.name, url=payload.url, event_types=payload.event_types,
        allow_internal=payload.allow_internal, is_active=payload.is_active,
    )
    return _subscription_out(updated)


@router.post("/subscriptions/{subscription_id}/rotate-secret", response=SubscriptionSecretOut)
def subscription_rotate_secret(request: HttpRequest, subscription_id: uuid.UUID) -> SubscriptionSecretOut:
    rotated = services.subscription_rotate_secret(actor=request.user, subscription_id=subscription_id)
    return _with_secret(rotated)


@router.post("/subscriptions/{subscription_id}/deactivate", response=SubscriptionOut)
def subscription_deactivate(request: HttpRequest, subscription_id: uuid.UUID) -> SubscriptionOut:
    stopped = services.subscription_deactivate(actor=request.user, subscription_id=subscription_id)
    return _subscription_out(stopped)


@router.post("/subscriptions/{subscription_id}/ping", response={202: DeliveryOut})
def subscription_ping(request: HttpRequest, subscription_id: uuid.UUID) -> Status[DeliveryOut]:
    delivery = services.subscription_ping(actor=request.user, subscription_id=subscription_id)
    return Status(202, DeliveryOut(**_delivery_fields(delivery)))


@router.get("/subscriptions/{subscription_id}/deliveries", response=list[DeliveryOut])
def delivery_list(request: HttpRequest, subscription_id: uuid.UUID, status: str | None = None,
                  offset: int = OffsetQuery, limit: int = 50) -> list[DeliveryOut]:
    deliveries = selectors.delivery_list(actor=request.user, subscription_id=subscription_id,
                                         status=status)
    offset, limit = max(0, offset), min(max(1, limit), PAGE_LIMIT)
    return [DeliveryOut(**_delivery_fields(d)) for d in deliveries[offset:offset + limit]]


@router.get("/deliveries/{delivery_id}", response=DeliveryDetailOut)
def delivery_detail(request: HttpRequest, delivery_id: uuid.UUID) -> DeliveryDetailOut:
    delivery = services.get_delivery_for_admin(request.user, delivery_id)
    return DeliveryDetailOut(**_delivery_fields(delivery), payload=delivery.payload)


@router.post("/deliveries/{delivery_id}/redeliver", response=DeliveryOut)
def delivery_redeliver(request: HttpRequest, delivery_id: uuid.UUID) -> DeliveryOut:
    delivery = services.delivery_redeliver(actor=request.user, delivery_id=delivery_id)
    return DeliveryOut(**_delivery_fields(delivery))
