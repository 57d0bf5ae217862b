"""Warranty state, computed from acceptance and purchase dates, never typed in (R2).

trial (试用期) runs `trial_months` from the initial acceptance (初验); warranty (保修期) runs
`warranty_months` from the final acceptance (终验), or from purchase for products that have
no acceptance; then expired. `none` when the start of the period that applies is not known.
End dates are inclusive: 12 months from 2025-03-15 ends on 2026-03-14.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class WarrantyState(StrEnum):
    NONE = "none"
    TRIAL = "trial"
    WARRANTY = "warranty"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Warranty:
    state: WarrantyState
    trial_starts_on: dt.date | None
    trial_ends_on: dt.date | None
    warranty_starts_on: dt.date | None
    warranty_ends_on: dt.date | None

    @property
    def is_free_of_charge(self) -> bool:
        return self.state in (WarrantyState.TRIAL, WarrantyState.WARRANTY)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's last day (Jan 31 + 1 month = Feb 28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _period(start: dt.date | None, months: int) -> tuple[dt.date | None, dt.date | None]:
    if start is None or months <= 0:
        return None, None
    return start, add_months(start, months) - dt.timedelta(days=1)


def compute_warranty(
    *,
    has_acceptance: bool,
    trial_months: int,
    warranty_months: int,
    purchased_on: dt.date | None,
    initial_acceptance_on: dt.date | None,
    final_acceptance_on: dt.date | None,
    on: dt.date,
) -> Warranty:
    trial_start, trial_end = _period(initial_acceptance_on if has_acceptance else None, trial_months)
    warranty_start_date = final_acceptance_on if has_acceptance else purchased_on
    warranty_start, warranty_end = _period(warranty_start_date, warranty_months)

    if warranty_start is not None and warranty_end is not None and on >= warranty_start:
        state = WarrantyState.WARRANTY if on <= warranty_end else WarrantyState.EXPIRED
    elif trial_start is not None and trial_end is not None and trial_start <= on <= trial_end:
        state = WarrantyState.TRIAL
    elif warranty_start_date is not None and warranty_months == 0 and on >= warranty_start_date:
        state = WarrantyState.EXPIRED
    else:
        state = WarrantyState.NONE
    return Warranty(state, trial_start, trial_end, warranty_start, warranty_end)
