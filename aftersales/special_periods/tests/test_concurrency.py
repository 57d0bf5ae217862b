"""Under real concurrency (each thread its own connection): two activations of one period
activate it once and tell each person once; two submits of one duty form make one shift."""

from __future__ import annotations

from collections import Counter

import pytest

from aftersales.core.tests.concurrency import run_together
from aftersales.notifications.models import OutboxMessage
from aftersales.roster.models import Shift
from aftersales.special_periods import services
from aftersales.special_periods.models import SpecialPeriodEvent
from aftersales.special_periods.tests.factories import NOW, at

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)




def _duty(period, manager, bob, key=None):
    duty, _created = services.period_duty_add(
        actor=manager, period_id=period.pk, team_code="field-north", user_id=bob.pk,
        starts_at=at("2030-02-02 08:00"), ends_at=at("2030-02-02 20:00"), idempotency_key=key, fingerprint="f",
        now=at(NOW))
    return duty.pk


def test_two_concurrent_activations_activate_once(period, manager, bob):
    _duty(period, manager, bob)

    def activate(_index):
        services.period_transition(actor=manager, period_id=period.pk, action="activate", now=at(NOW))
        return "ok"

    assert Counter(run_together(2, activate)) == {"ok": 1, "invalid_transition": 1}
    assert SpecialPeriodEvent.objects.filter(action="activated").count() == 1
    assert OutboxMessage.objects.filter(recipient="bob@example.invalid").count() == 1


def test_two_concurrent_submits_of_one_duty_make_one_shift(period, manager, bob):
    outcomes = run_together(2, lambda _index: _duty(period, manager, bob, key="same"))
    assert len(set(outcomes)) == 1
    assert Shift.objects.count() == 1
