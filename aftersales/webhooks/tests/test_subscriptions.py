"""Subscriptions: created, changed, rotated and stopped by administrators only."""

from __future__ import annotations

from typing import Any

import pytest

from aftersales.core.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationFailed
from aftersales.webhooks import services
from aftersales.webhooks.models import Delivery, DeliveryStatus, Subscription


def _create(actor: Any, **overrides: Any) -> Subscription:
    fields: dict[str, Any] = {"name": "运维平台", "url": "https://93.184.216.34/hooks", "event_types": ["case.*"]}
    fields.update(overrides)
    return services.subscription_create(actor=actor, **fields)


@pytest.mark.django_db
def test_an_admin_creates_an_active_subscription_with_a_fresh_secret(admin: Any) -> None:
    # when
    first = _create(admin)
    second = _create(admin, name="第二个")
    # then
    first.refresh_from_db()
    assert (first.name, first.url, first.event_types, first.is_active, first.allow_internal, first.version,
            first.created_by) == ("运维平台", "https://93.184.216.34/hooks", ["case.*"], True, False, 1, admin)
    assert first.secret.startswith("whsec_")
    assert len(first.secret) > 40
    assert first.secret != second.secret


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["manager", "agent", "bob", "alice"])
def test_only_admins_manage_subscriptions(role: str, request: Any, admin: Any) -> None:
    user = request.getfixturevalue(role)
    existing = _create(admin)
    with pytest.raises(PermissionDenied):
        _create(user)
    with pytest.raises(PermissionDenied):
        services.subscription_rotate_secret(actor=user, subscription_id=existing.pk)
    with pytest.raises(PermissionDenied):
        services.subscription_deactivate(actor=user, subscription_id=existing.pk)
    existing.refresh_from_db()
    assert Subscription.objects.count() == 1
    assert existing.is_active
    assert existing.version == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "field"), [
    ({"name": "  "}, "name"),
    ({"event_types": []}, "event_types"),
    ({"event_types": ["case.deleted"]}, "event_types"),
    ({"event_types": ["cases.*"]}, "event_types"),
    ({"url": "http://127.0.0.1:9/hook"}, "url"),
    ({"url": "file:///etc/passwd", "allow_internal": True}, "url"),
])
def test_invalid_subscriptions_are_refused_at_their_field(admin: Any, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _create(admin, **fields)
    assert refused.value.field == field
    assert Subscription.objects.count() == 0


@pytest.mark.django_db
def test_an_internal_url_is_accepted_when_the_admin_allows_it(admin: Any) -> None:
    created = _create(admin, url="http://10.0.0.1:8080/hook", allow_internal=True)
    assert created.allow_internal is True


@pytest.mark.django_db
def test_the_setting_allows_internal_urls_for_every_subscription(admin: Any, settings: Any) -> None:
    settings.AFTERSALES_WEBHOOK_ALLOW_INTERNAL = True
    created = _create(admin, url="http://[::1]:8080/hook")
    assert created.allow_internal is False


@pytest.mark.django_db
def test_event_types_are_kept_once_each(admin: Any) -> None:
    created = _create(admin, event_types=["case.created", "work_order.*", "case.created"])
    assert created.event_types == ["case.created", "work_order.*"]


@pytest.mark.django_db
def test_an_update_changes_the_given_fields_and_moves_the_version(admin: Any) -> None:
    created = _create(admin)
    updated = services.subscription_update(actor=admin, subscription_id=created.pk, expected_version=1,
                                           name="新名称", event_types=["work_order.completed"])
    updated.refresh_from_db()
    assert (updated.name, updated.event_types, updated.url, updated.version) == (
        "新名称", ["work_order.completed"], "https://93.184.216.34/hooks", 2)


@pytest.mark.django_db
def test_a_stale_version_changes_nothing(admin: Any) -> None:
    created = _create(admin)
    with pytest.raises(PreconditionFailed):
        services.subscription_update(actor=admin, subscription_id=created.pk, expected_version=7, name="新名称")
    created.refresh_from_db()
    assert (created.name, created.version) == ("运维平台", 1)


@pytest.mark.django_db
def test_turning_off_allow_internal_rechecks_the_url(admin: Any) -> None:
    created = _create(admin, url="http://10.0.0.1/hook", allow_internal=True)
    with pytest.raises(ValidationFailed) as refused:
        services.subscription_update(actor=admin, subscription_id=created.pk, expected_version=None,
                                     allow_internal=False)
    assert refused.value.field == "url"
    created.refresh_from_db()
    assert created.allow_internal is True


@pytest.mark.django_db
def test_rotation_replaces_the_secret(admin: Any) -> None:
    created = _create(admin)
    old = created.secret
    rotated = services.subscription_rotate_secret(actor=admin, subscription_id=created.pk)
    rotated.refresh_from_db()
    assert rotated.secret != old
    assert rotated.secret.startswith("whsec_")
    assert rotated.version == 2


@pytest.mark.django_db
def test_deactivating_gives_up_pending_deliveries_and_is_idempotent(admin: Any) -> None:
    created = _create(admin)
    pending = services.subscription_ping(actor=admin, subscription_id=created.pk)
    stopped = services.subscription_deactivate(actor=admin, subscription_id=created.pk)
    again = services.subscription_deactivate(actor=admin, subscription_id=created.pk)
    pending.refresh_from_db()
    assert (stopped.is_active, again.version) == (False, 2)
    assert (pending.status, pending.last_error) == (DeliveryStatus.FAILED, "subscription_inactive")


@pytest.mark.django_db
def test_an_inactive_subscription_is_not_pinged(admin: Any) -> None:
    created = _create(admin)
    services.subscription_deactivate(actor=admin, subscription_id=created.pk)
    with pytest.raises(services.Conflict):
        services.subscription_ping(actor=admin, subscription_id=created.pk)
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("subscription_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_an_unknown_subscription_is_not_found(admin: Any, subscription_id: str) -> None:
    with pytest.raises(NotFound):
        services.subscription_rotate_secret(actor=admin, subscription_id=subscription_id)
