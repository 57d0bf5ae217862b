"""The return policy as a pure rule (ORM-free, easy to test at the edges).

- Within `window_days` of purchase (the purchase day is day 0, the last day is day N):
  return or exchange allowed; return shipping on the seller for a quality fault, else on the
  customer. A repair request in that window is treated like one outside it.
- Otherwise, in warranty (trial or warranty period) with a quality fault: free repair or
  replacement, return shipping on the seller (when the policy says so).
- Otherwise not eligible: a chargeable repair is offered, shipping on the customer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    WITHIN_RETURN_WINDOW = "within_return_window"
    WARRANTY_QUALITY_FAULT = "warranty_quality_fault"
    CHARGEABLE_REPAIR = "chargeable_repair"


class Why(StrEnum):
    WITHIN_WINDOW = "within_window"
    NO_PURCHASE_DATE = "no_purchase_date"
    WINDOW_PASSED = "window_passed"
    NOT_QUALITY_FAULT = "not_quality_fault"
    OUT_OF_WARRANTY = "out_of_warranty"
    IN_WARRANTY_QUALITY_FAULT = "in_warranty_quality_fault"
    QUALITY_FAULTS_NOT_FREE = "quality_faults_not_free"


@dataclass(frozen=True)
class Rules:
    window_days: int
    is_quality_fault_free_in_warranty: bool = True
    is_return_shipping_paid_by_seller: bool = True


@dataclass(frozen=True)
class PolicyCheck:
    """The policy's answer. `eligible`: the request as asked is granted free of charge;
    `offered`: what the policy offers instead or as well (return, exchange, repair or
    repair_or_replace); `reasons` in the order they were decided."""

    kind: str
    outcome: Outcome
    eligible: bool
    offered: str
    chargeable: bool
    return_shipping_paid_by: str
    reasons: tuple[Why, ...]
    window_days: int
    days_since_purchase: int | None
    warranty_state: str

    @property
    def default_approve(self) -> bool:
        """What the decision is without an override: approve what the policy grants, and a
        repair request also when it is chargeable (a paid repair is always offered)."""
        return self.eligible or (self.kind == "repair" and self.offered == "repair")


def check(
    *, rules: Rules, kind: str, is_quality_fault: bool, purchased_on: dt.date | None,
    in_warranty: bool, warranty_state: str, on: dt.date,
) -> PolicyCheck:
    days = (on - purchased_on).days if purchased_on is not None else None
    reasons: list[Why] = []
    if days is None:
        reasons.append(Why.NO_PURCHASE_DATE)
    elif 0 <= days <= rules.window_days:
        reasons.append(Why.WITHIN_WINDOW)
    else:
        reasons.append(Why.WINDOW_PASSED)

    def answer(outcome: Outcome, eligible: bool, offered: str, chargeable: bool, seller: bool) -> PolicyCheck:
        return PolicyCheck(
            kind=kind, outcome=outcome, eligible=eligible, offered=offered, chargeable=chargeable,
            return_shipping_paid_by="seller" if seller else "customer", reasons=tuple(reasons),
            window_days=rules.window_days, days_since_purchase=days, warranty_state=warranty_state,
        )

    if reasons[0] is Why.WITHIN_WINDOW and kind in ("return", "exchange"):
        seller = is_quality_fault and rules.is_return_shipping_paid_by_seller
        return answer(Outcome.WITHIN_RETURN_WINDOW, True, kind, False, seller)
    if not is_quality_fault:
        reasons.append(Why.NOT_QUALITY_FAULT)
    elif not in_warranty:
        reasons.append(Why.OUT_OF_WARRANTY)
    elif not rules.is_quality_fault_free_in_warranty:
        reasons.append(Why.QUALITY_FAULTS_NOT_FREE)
    else:
        reasons.append(Why.IN_WARRANTY_QUALITY_FAULT)
        # A refund is not owed after the window; repair or replacement is, free of charge.
        return answer(Outcome.WARRANTY_QUALITY_FAULT, kind in ("repair", "exchange"),
                      "repair_or_replace", False, rules.is_return_shipping_paid_by_seller)
    return answer(Outcome.CHARGEABLE_REPAIR, False, "repair", True, False)
