"""The return policy's rules at their edges, as a pure function and through the service."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.assets.services import asset_create, product_create
from aftersales.returns import policy, services

D = dt.date
RULES = policy.Rules(window_days=7)
PURCHASED = D(2026, 3, 1)
DAY_7 = D(2026, 3, 8)


def _check(kind="return", quality=False, purchased=PURCHASED, on=DAY_7, in_warranty=True, rules=RULES):
    return policy.check(rules=rules, kind=kind, is_quality_fault=quality, purchased_on=purchased,
                        in_warranty=in_warranty, warranty_state="warranty" if in_warranty else "expired", on=on)


@pytest.mark.parametrize(("on", "eligible"), [
    (D(2026, 3, 1), True),   # day 0
    (D(2026, 3, 8), True),   # day 7: the last day
    (D(2026, 3, 9), False),  # day 8
    (D(2026, 2, 28), False),  # before the purchase: not a return window
])
def test_the_return_window_is_day_0_to_day_7(on, eligible):
    assert _check(on=on).eligible is eligible


def test_a_return_within_the_window_without_fault_is_shipped_by_the_customer():
    check = _check(on=D(2026, 3, 8))
    assert (check.outcome, check.offered, check.chargeable, check.return_shipping_paid_by) == (
        "within_return_window", "return", False, "customer")
    assert check.reasons == (policy.Why.WITHIN_WINDOW,)
    assert check.days_since_purchase == 7


def test_a_quality_fault_within_the_window_is_shipped_by_the_seller():
    check = _check(kind="exchange", quality=True, on=D(2026, 3, 2))
    assert (check.eligible, check.offered, check.return_shipping_paid_by) == (True, "exchange", "seller")


@pytest.mark.parametrize(("kind", "eligible"), [("return", False), ("exchange", True), ("repair", True)])
def test_after_the_window_a_quality_fault_in_warranty_is_repaired_or_replaced_free(kind, eligible):
    check = _check(kind=kind, quality=True, on=D(2026, 3, 9))
    assert (check.outcome, check.eligible, check.offered, check.chargeable, check.return_shipping_paid_by) == (
        "warranty_quality_fault", eligible, "repair_or_replace", False, "seller")
    assert check.reasons == (policy.Why.WINDOW_PASSED, policy.Why.IN_WARRANTY_QUALITY_FAULT)


def test_without_a_purchase_date_only_the_warranty_rule_applies():
    free = _check(kind="exchange", quality=True, purchased=None)
    paid = _check(kind="return", quality=False, purchased=None)
    assert (free.eligible, free.reasons[0], free.days_since_purchase) == (True, policy.Why.NO_PURCHASE_DATE, None)
    assert (paid.outcome, paid.eligible, paid.chargeable, paid.offered) == ("chargeable_repair", False, True, "repair")


@pytest.mark.parametrize(("quality", "in_warranty", "why"), [
    (False, True, policy.Why.NOT_QUALITY_FAULT),
    (True, False, policy.Why.OUT_OF_WARRANTY),
])
def test_otherwise_a_chargeable_repair_is_offered(quality, in_warranty, why):
    check = _check(kind="repair", quality=quality, in_warranty=in_warranty, on=D(2026, 6, 1))
    assert (check.outcome, check.eligible, check.chargeable, check.return_shipping_paid_by) == (
        "chargeable_repair", False, True, "customer")
    assert check.reasons[-1] == why
    assert check.default_approve is True  # a paid repair is still offered


def test_a_contract_may_make_quality_faults_chargeable():
    rules = policy.Rules(window_days=7, is_quality_fault_free_in_warranty=False)
    check = _check(kind="repair", quality=True, on=D(2026, 6, 1), rules=rules)
    assert (check.chargeable, check.reasons[-1]) == (True, policy.Why.QUALITY_FAULTS_NOT_FREE)


@pytest.mark.django_db
@pytest.mark.parametrize(("on", "outcome"), [(D(2026, 3, 8), "within_return_window"),
                                             (D(2026, 3, 9), "chargeable_repair")])
def test_the_service_uses_the_products_return_days_and_warranty(acme, on, outcome):
    product = product_create(model="OBU-1", name="车载单元", has_acceptance=False, return_days=7)
    asset = asset_create(product=product, serial_number="O-1", customer=acme, purchased_on=D(2026, 3, 1))
    check = services.return_policy_check(asset=asset, kind="return", is_quality_fault=False, on=on)
    assert (check.outcome, check.window_days, check.warranty_state) == (outcome, 7, "warranty")


@pytest.mark.django_db
def test_a_contracts_policy_overrides_the_default_and_the_product(acme, manager, diamond_contract):
    product = product_create(model="OBU-1", name="车载单元", has_acceptance=False)
    asset = asset_create(product=product, serial_number="O-1", customer=acme, purchased_on=D(2026, 3, 1))
    services.return_policy_set(actor=manager, window_days=3)
    assert services.return_rules(asset, on=D(2026, 3, 2)).window_days == 3
    services.return_policy_set(actor=manager, contract=diamond_contract, window_days=15)
    assert services.return_rules(asset, on=D(2026, 3, 2)).window_days == 15
    services.return_policy_set(actor=manager, window_days=None)
    from aftersales.returns.models import ReturnPolicy
    assert ReturnPolicy.objects.filter(is_default=True).count() == 1
