"""Computed warranty state: trial from initial acceptance, warranty from final acceptance (or
purchase), then expired; inclusive end dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from aftersales.assets.warranty import Warranty, WarrantyState, add_months, compute_warranty

D = dt.date


def warranty_on(on: dt.date, **overrides: Any) -> Warranty:
    """An accepted product (3 months' trial, 12 months' warranty) initially accepted on
    2025-03-15 and not yet finally accepted, unless overridden."""
    arguments: dict[str, Any] = {
        "has_acceptance": True,
        "trial_months": 3,
        "warranty_months": 12,
        "purchased_on": D(2025, 1, 10),
        "initial_acceptance_on": D(2025, 3, 15),
        "final_acceptance_on": None,
    }
    arguments.update(overrides)
    return compute_warranty(on=on, **arguments)


# --------------------------------------------------------------------------------------------
# add_months
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(D(2025, 3, 15), 12, D(2026, 3, 15), id="a year later"),
        pytest.param(D(2025, 12, 15), 1, D(2026, 1, 15), id="over the new year"),
        pytest.param(D(2024, 12, 31), 14, D(2026, 2, 28), id="over two new years, clamped"),
        pytest.param(D(2024, 1, 31), 1, D(2024, 2, 29), id="clamped to a leap February"),
        pytest.param(D(2023, 1, 31), 1, D(2023, 2, 28), id="clamped to a common February"),
        pytest.param(D(2024, 2, 29), 12, D(2025, 2, 28), id="leap day a year later"),
        pytest.param(D(2024, 2, 29), 48, D(2028, 2, 29), id="leap day four years later"),
        pytest.param(D(2025, 8, 31), 1, D(2025, 9, 30), id="clamped to a 30-day month"),
        pytest.param(D(2025, 1, 15), 0, D(2025, 1, 15), id="zero months"),
        pytest.param(D(2025, 3, 31), -1, D(2025, 2, 28), id="backwards, clamped"),
        pytest.param(D(2025, 1, 15), -1, D(2024, 12, 15), id="backwards over the new year"),
    ],
)
def test_adding_months_keeps_the_day_of_month_clamped_to_the_months_end(
    day: dt.date, months: int, expected: dt.date
) -> None:
    # given / when
    later = add_months(day, months)

    # then
    assert later == expected


# --------------------------------------------------------------------------------------------
# Periods and states
# --------------------------------------------------------------------------------------------


def test_twelve_months_from_purchase_end_the_day_before_the_anniversary() -> None:
    # given / when
    warranty = warranty_on(
        D(2025, 6, 1), has_acceptance=False, purchased_on=D(2025, 3, 15), trial_months=0
    )

    # then
    assert warranty == Warranty(
        state=WarrantyState.WARRANTY,
        trial_starts_on=None,
        trial_ends_on=None,
        warranty_starts_on=D(2025, 3, 15),
        warranty_ends_on=D(2026, 3, 14),
    )


def test_an_accepted_product_has_a_trial_then_a_warranty_period() -> None:
    # given / when
    warranty = warranty_on(D(2025, 7, 1), final_acceptance_on=D(2025, 6, 20))

    # then
    assert warranty == Warranty(
        state=WarrantyState.WARRANTY,
        trial_starts_on=D(2025, 3, 15),
        trial_ends_on=D(2025, 6, 14),
        warranty_starts_on=D(2025, 6, 20),
        warranty_ends_on=D(2026, 6, 19),
    )


@pytest.mark.parametrize(
    ("on", "overrides", "expected"),
    [
        # accepted product, initial acceptance 2025-03-15, trial ends 2025-06-14
        pytest.param(D(2025, 3, 14), {}, "none", id="the day before initial acceptance"),
        pytest.param(D(2025, 3, 15), {}, "trial", id="the day of initial acceptance"),
        pytest.param(D(2025, 6, 14), {}, "trial", id="the last day of the trial"),
        pytest.param(D(2025, 6, 15), {}, "none", id="trial ended without final acceptance"),
        pytest.param(D(2027, 1, 1), {}, "none", id="long after a trial without final acceptance"),
        # final acceptance 2025-06-20: warranty 2025-06-20..2026-06-19
        pytest.param(D(2025, 6, 17), {"final_acceptance_on": D(2025, 6, 20)}, "none", id="between trial end and final acceptance"),
        pytest.param(D(2025, 6, 20), {"final_acceptance_on": D(2025, 6, 20)}, "warranty", id="the day of final acceptance"),
        pytest.param(D(2026, 6, 19), {"final_acceptance_on": D(2025, 6, 20)}, "warranty", id="the last day of the warranty"),
        pytest.param(D(2026, 6, 20), {"final_acceptance_on": D(2025, 6, 20)}, "expired", id="the day after the warranty"),
        # final acceptance during the trial: warranty wins from that day on
        pytest.param(D(2025, 4, 30), {"final_acceptance_on": D(2025, 5, 1)}, "trial", id="the day before an early final acceptance"),
        pytest.param(D(2025, 5, 1), {"final_acceptance_on": D(2025, 5, 1)}, "warranty", id="an early final acceptance ends the trial"),
        # no trial configured
        pytest.param(D(2025, 4, 1), {"trial_months": 0}, "none", id="no trial months, no trial"),
        pytest.param(D(2025, 4, 1), {"initial_acceptance_on": None}, "none", id="no initial acceptance, no trial"),
        pytest.param(D(2025, 7, 1), {"initial_acceptance_on": None, "final_acceptance_on": D(2025, 6, 20)}, "warranty", id="warranty without an initial acceptance"),
        # no warranty months: expired from final acceptance on
        pytest.param(D(2025, 4, 1), {"warranty_months": 0, "final_acceptance_on": D(2025, 6, 20)}, "trial", id="no warranty months, still in trial"),
        pytest.param(D(2025, 6, 19), {"warranty_months": 0, "final_acceptance_on": D(2025, 6, 20)}, "none", id="no warranty months, before final acceptance"),
        pytest.param(D(2025, 6, 20), {"warranty_months": 0, "final_acceptance_on": D(2025, 6, 20)}, "expired", id="no warranty months, at final acceptance"),
        # nothing known
        pytest.param(D(2025, 7, 1), {"initial_acceptance_on": None}, "none", id="no acceptance dates at all"),
    ],
)
def test_the_state_of_an_accepted_product_follows_its_acceptance_dates(
    on: dt.date, overrides: dict[str, Any], expected: str
) -> None:
    # given / when
    warranty = warranty_on(on, **overrides)

    # then
    assert warranty.state == WarrantyState(expected)


@pytest.mark.parametrize(
    ("on", "overrides", "expected"),
    [
        # purchased 2025-03-15, 12 months: warranty 2025-03-15..2026-03-14
        pytest.param(D(2025, 3, 14), {}, "none", id="the day before purchase"),
        pytest.param(D(2025, 3, 15), {}, "warranty", id="the day of purchase"),
        pytest.param(D(2026, 3, 14), {}, "warranty", id="the last day of the warranty"),
        pytest.param(D(2026, 3, 15), {}, "expired", id="the day after the warranty"),
        pytest.param(D(2025, 4, 1), {"initial_acceptance_on": D(2025, 3, 20)}, "warranty", id="acceptance dates are ignored"),
        pytest.param(D(2025, 4, 1), {"purchased_on": None}, "none", id="no purchase date"),
        pytest.param(D(2025, 4, 1), {"warranty_months": 0}, "expired", id="no warranty months"),
        pytest.param(D(2025, 3, 14), {"warranty_months": 0}, "none", id="no warranty months, before purchase"),
    ],
)
def test_the_state_of_a_product_without_acceptance_follows_its_purchase_date(
    on: dt.date, overrides: dict[str, Any], expected: str
) -> None:
    # given
    arguments = {"has_acceptance": False, "purchased_on": D(2025, 3, 15), "initial_acceptance_on": None, **overrides}

    # when
    warranty = warranty_on(on, **arguments)

    # then
    assert warranty.state == WarrantyState(expected)


def test_a_product_without_acceptance_has_no_trial_even_with_an_initial_acceptance_date() -> None:
    # given / when
    warranty = warranty_on(
        D(2025, 4, 1),
        has_acceptance=False,
        purchased_on=D(2025, 3, 15),
        initial_acceptance_on=D(2025, 3, 20),
        final_acceptance_on=D(2025, 3, 25),
    )

    # then: the warranty runs from purchase, not from the final acceptance
    assert (warranty.trial_starts_on, warranty.trial_ends_on) == (None, None)
    assert (warranty.warranty_starts_on, warranty.warranty_ends_on) == (D(2025, 3, 15), D(2026, 3, 14))


def test_without_a_start_date_the_state_is_none_and_no_period_is_known() -> None:
    # given / when
    warranty = warranty_on(D(2025, 7, 1), initial_acceptance_on=None, purchased_on=None)

    # then
    assert warranty == Warranty(WarrantyState.NONE, None, None, None, None)


@pytest.mark.parametrize(
    ("start", "months", "last_day"),
    [
        pytest.param(D(2025, 3, 15), 12, D(2026, 3, 14), id="twelve months"),
        pytest.param(D(2025, 1, 1), 12, D(2025, 12, 31), id="a calendar year"),
        pytest.param(D(2025, 3, 1), 1, D(2025, 3, 31), id="a calendar month"),
        pytest.param(D(2024, 2, 1), 1, D(2024, 2, 29), id="a leap February"),
        pytest.param(D(2025, 11, 15), 3, D(2026, 2, 14), id="over the new year"),
        pytest.param(D(2025, 3, 15), 36, D(2028, 3, 14), id="three years"),
    ],
)
def test_the_last_day_of_the_warranty_is_warranty_and_the_next_day_is_expired(
    start: dt.date, months: int, last_day: dt.date
) -> None:
    # given
    def state_on(on: dt.date) -> WarrantyState:
        return warranty_on(
            on, has_acceptance=False, purchased_on=start, warranty_months=months
        ).state

    # when
    ends_on = warranty_on(start, has_acceptance=False, purchased_on=start, warranty_months=months).warranty_ends_on

    # then
    assert ends_on == last_day
    assert state_on(start - dt.timedelta(days=1)) == WarrantyState.NONE
    assert state_on(start) == WarrantyState.WARRANTY
    assert state_on(last_day) == WarrantyState.WARRANTY
    assert state_on(last_day + dt.timedelta(days=1)) == WarrantyState.EXPIRED


@pytest.mark.parametrize(
    ("start", "months", "last_day"),
    [
        pytest.param(D(2025, 3, 15), 3, D(2025, 6, 14), id="three months"),
        pytest.param(D(2025, 12, 1), 2, D(2026, 1, 31), id="over the new year"),
        pytest.param(D(2024, 12, 1), 3, D(2025, 2, 28), id="to the end of February"),
    ],
)
def test_the_last_day_of_the_trial_is_trial_and_the_next_day_is_none(
    start: dt.date, months: int, last_day: dt.date
) -> None:
    # given
    def state_on(on: dt.date) -> WarrantyState:
        return warranty_on(on, initial_acceptance_on=start, trial_months=months).state

    # when
    ends_on = warranty_on(start, initial_acceptance_on=start, trial_months=months).trial_ends_on

    # then
    assert ends_on == last_day
    assert state_on(last_day) == WarrantyState.TRIAL
    assert state_on(last_day + dt.timedelta(days=1)) == WarrantyState.NONE


@pytest.mark.parametrize(
    ("state", "free"),
    [
        (WarrantyState.NONE, False),
        (WarrantyState.TRIAL, True),
        (WarrantyState.WARRANTY, True),
        (WarrantyState.EXPIRED, False),
    ],
)
def test_only_trial_and_warranty_are_free_of_charge(state: WarrantyState, free: bool) -> None:
    # given
    warranty = Warranty(state, None, None, None, None)

    # when / then
    assert warranty.is_free_of_charge is free


def test_warranty_states_are_stored_as_lowercase_strings() -> None:
    # given / when / then
    assert [state.value for state in WarrantyState] == ["none", "trial", "warranty", "expired"]
