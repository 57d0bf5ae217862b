"""Reads of the loans app. Loans are customer data and go through the one scoping layer; the
pool and the proposals are internal (staff only, checked by the callers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from aftersales.core.scoping import ScopedUser, get_scoped_or_404, scope_to_user
from aftersales.loans.models import Loan, LoanStatus, SubstituteProposal, SubstituteUnit


def loans_for_user(
    user: ScopedUser, *, status: str | None = None, case_id: Any = None, now: dt.datetime | None = None
) -> QuerySet[Loan]:
    """Newest first. `status` is out, returned or overdue (out and past its due time)."""
    rows = scope_to_user(
        Loan.objects.select_related("unit__product", "unit__depot", "case", "customer", "site",
                                    "lent_by", "received_by"),
        user, customer_field="customer_id",
    )
    if status == "overdue":
        assert now is not None  # noqa: S101 - the caller passes the time it answers for
        rows = rows.filter(status=LoanStatus.OUT, due_back_at__lt=now)
    elif status is not None:
        rows = rows.filter(status=status)
    if case_id is not None:
        rows = rows.filter(case_id=case_id)
    return rows.order_by("-lent_at", "pk")


def get_loan_for_user(user: ScopedUser, loan_id: Any) -> Loan:
    return get_scoped_or_404(
        Loan.objects.select_related("unit__product", "unit__depot", "case", "customer", "site",
                                    "lent_by", "received_by"),
        user, customer_field="customer_id", what="loan", pk=loan_id,
    )


def substitute_units(
    *, product_id: Any = None, depot_id: Any = None, status: str | None = None
) -> QuerySet[SubstituteUnit]:
    rows = SubstituteUnit.objects.select_related("product", "depot")
    if product_id is not None:
        rows = rows.filter(product_id=product_id)
    if depot_id is not None:
        rows = rows.filter(depot_id=depot_id)
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("product__model", "serial_number")


def substitute_proposals(*, status: str | None = None, case_id: Any = None) -> QuerySet[SubstituteProposal]:
    rows = SubstituteProposal.objects.select_related("case", "unit__product", "unit__depot")
    if status is not None:
        rows = rows.filter(status=status)
    if case_id is not None:
        rows = rows.filter(case_id=case_id)
    return rows.order_by("-proposed_at", "pk")
