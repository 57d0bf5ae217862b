"""Changing which calendar a policy uses, which policy a tier uses and a contract's own policy
(the commitment import applies through these)."""

from __future__ import annotations

import pytest

from aftersales.calendars.services import calendar_create
from aftersales.contracts.models import Contract, ServiceTier, SlaPolicy
from aftersales.contracts.services import (
    contract_set_policy_override,
    service_tier_set_policy,
    sla_policy_set_calendar,
)

pytestmark = pytest.mark.django_db


def test_a_policy_moves_to_another_calendar_and_its_version_moves_on():
    policy = SlaPolicy.objects.get(code="gold")
    version = policy.version
    always = calendar_create(code="always", name="7×24")
    sla_policy_set_calendar(policy=policy, calendar=always)
    assert SlaPolicy.objects.get(pk=policy.pk).calendar == always
    assert policy.version == version + 1
    # the same calendar again changes nothing
    sla_policy_set_calendar(policy=policy, calendar=always)
    assert SlaPolicy.objects.get(pk=policy.pk).version == version + 1


def test_a_tier_gets_another_policy():
    tier = ServiceTier.objects.get(code="silver")
    gold = SlaPolicy.objects.get(code="gold")
    service_tier_set_policy(tier=tier, policy=gold)
    assert ServiceTier.objects.get(code="silver").policy == gold


def test_a_contract_gets_its_own_policy_and_back(diamond_contract):
    gold = SlaPolicy.objects.get(code="gold")
    contract_set_policy_override(contract=diamond_contract, policy=gold)
    assert Contract.objects.get(pk=diamond_contract.pk).policy == gold
    contract_set_policy_override(contract=diamond_contract, policy=None)
    assert Contract.objects.get(pk=diamond_contract.pk).policy_override is None
