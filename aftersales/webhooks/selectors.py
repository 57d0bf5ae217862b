"""Reads of subscriptions and their delivery log: administrators only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from aftersales.accounts.models import User
from aftersales.webhooks.models import Delivery, DeliveryStatus, Subscription
from aftersales.webhooks.services import get_subscription_for_admin, require_admin


def subscription_list(*, actor: User) -> QuerySet[Subscription]:
    require_admin(actor)
    return Subscription.objects.order_by("name", "created_at")


def delivery_list(*, actor: User, subscription_id: Any, status: str | None = None) -> QuerySet[Delivery]:
    """The subscription's deliveries, newest first (404 for an unknown subscription)."""
    subscription = get_subscription_for_admin(actor, subscription_id)
    deliveries = Delivery.objects.filter(subscription=subscription).order_by("-created_at", "-id")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    return deliveries
