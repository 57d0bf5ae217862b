from __future__ import annotations

import datetime as dt

import pytest

from aftersales.calendars.models import Calendar
from aftersales.calendars.services import calendar_touch
from aftersales.contracts.models import SlaPolicy
from aftersales.contracts.services import (
    contract_create,
    contract_in_force,
    policy_in_force,
    sla_policy_set_targets,
    sla_policy_touch,
)

pytestmark = pytest.mark.django_db

JUNE = dt.date(2026, 6, 1)


def test_without_a_contract_the_default_policy_governs(acme):
    governing = policy_in_force(customer_id=acme.pk, on=JUNE)
    assert (governing.contract_id, governing.contract_number) == (None, None)
    assert governing.policy.is_default
    assert governing.policy.calendar.code  # the calendar comes with it


def test_the_contract_in_force_and_its_tier_policy_govern(acme, globex):
    contract = contract_create(number="HT-1", customer=acme, tier_code="gold",
                               starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    governing = policy_in_force(customer_id=acme.pk, on=JUNE)
    assert (governing.contract_id, governing.contract_number, governing.policy.code) == (contract.pk, "HT-1", "gold")
    assert policy_in_force(customer_id=acme.pk, on=dt.date(2027, 1, 1)).contract_id is None
    assert policy_in_force(customer_id=globex.pk, on=JUNE).contract_id is None


def test_with_overlapping_contracts_the_later_start_wins_and_an_override_beats_the_tier(acme):
    contract_create(number="HT-1", customer=acme, tier_code="gold",
                    starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    later = contract_create(number="HT-2", customer=acme, tier_code="silver", policy_override_code="diamond",
                            starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 12, 31))
    governing = policy_in_force(customer_id=acme.pk, on=JUNE)
    assert governing.contract_id == later.pk == contract_in_force(customer_id=acme.pk, on=JUNE).pk
    assert governing.policy.code == "diamond"
    assert policy_in_force(customer_id=acme.pk, on=dt.date(2026, 4, 30)).contract_number == "HT-1"


def test_a_changed_policy_or_calendar_is_never_served_from_the_cache(acme, django_assert_num_queries):
    contract_create(number="HT-1", customer=acme, tier_code="gold",
                    starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    first = policy_in_force(customer_id=acme.pk, on=JUNE).policy
    with django_assert_num_queries(1):  # the contract and the versions; the policy is cached
        again = policy_in_force(customer_id=acme.pk, on=JUNE).policy
    assert again.version == first.version
    assert again is not first

    version = first.version
    SlaPolicy.objects.filter(pk=first.pk).update(warning_percent=50)  # as the admin site would
    sla_policy_touch(policy=SlaPolicy.objects.get(pk=first.pk))
    second = policy_in_force(customer_id=acme.pk, on=JUNE).policy
    assert (second.warning_percent, second.version) == (50, version + 1)

    sla_policy_set_targets(policy=second, targets={"P1": {"first_response_minutes": 5}})  # refreshes `second`
    assert policy_in_force(customer_id=acme.pk, on=JUNE).policy.version == version + 2

    calendar = Calendar.objects.get(pk=second.calendar_id)
    Calendar.objects.filter(pk=calendar.pk).update(timezone="Asia/Urumqi")
    calendar_touch(calendar=calendar)
    assert policy_in_force(customer_id=acme.pk, on=JUNE).policy.calendar.timezone == "Asia/Urumqi"
