"""Reads of complaints, their actions, trend figures and quality evaluations; customer data
always through `core.scoping`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from aftersales.cases.models import Status
from aftersales.complaints.evaluation import local_midnight
from aftersales.complaints.models import (
    ActionStatus,
    Complaint,
    CorrectiveAction,
    QualityEvaluation,
    RootCauseCategory,
)
from aftersales.core.scoping import get_scoped_or_404, scope_to_user

NO_VALUE = "—"


def complaint_list(*, user: Any, status: str = "", overdue_only: bool = False) -> QuerySet[Complaint]:
    """Complaints the user may see, newest first; status "open" or "closed" filters."""
    rows = scope_to_user(
        Complaint.objects.select_related("case", "customer", "subject_technician", "subject_team"),
        user, customer_field="customer_id",
    )
    if status == "open":
        rows = rows.exclude(case__status=Status.CLOSED)
    elif status == "closed":
        rows = rows.filter(case__status=Status.CLOSED)
    if overdue_only:
        rows = rows.filter(actions__in=overdue_actions()).distinct()
    return rows.order_by("-filed_at")


def get_complaint_for_user(user: Any, complaint_id: Any) -> Complaint:
    return get_scoped_or_404(
        Complaint.objects.select_related("case", "customer", "subject_case", "subject_work_order",
                                         "subject_technician", "subject_team", "root_cause_by"),
        user, customer_field="customer_id", what="complaint", pk=complaint_id,
    )


def complaint_actions(complaint: Complaint) -> list[CorrectiveAction]:
    return list(complaint.actions.select_related("owner", "created_by", "done_by", "verified_by")
                .order_by("due_on", "created_at"))


def overdue_actions(today: dt.date | None = None) -> QuerySet[CorrectiveAction]:
    return CorrectiveAction.objects.filter(status=ActionStatus.OPEN, due_on__lt=today or timezone.localdate())


def open_actions() -> QuerySet[CorrectiveAction]:
    """Actions not yet verified (open, or done and waiting for verification), staff only."""
    return (CorrectiveAction.objects.exclude(status=ActionStatus.VERIFIED)
            .select_related("complaint__case", "complaint__customer", "owner").order_by("due_on"))


def complaint_counts(*, customer_id: Any = None, contract_id: Any = None, start: dt.date,
                     end: dt.date) -> dict[str, Any]:
    """Complaint figures over [start, end) (local dates), for the compliance report:
    filed in the period, closed in the period, open at its end (filed before it and not closed
    by then), those with a CAPA action overdue at its end, and the filed ones by root cause
    (category code → count; "" for not yet analysed)."""
    since, until = local_midnight(start), local_midnight(end)
    rows = Complaint.objects.all()
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    if contract_id is not None:
        rows = rows.filter(case__contract_id=contract_id)
    filed = rows.filter(filed_at__gte=since, filed_at__lt=until)
    closed = rows.filter(closed_at__gte=since, closed_at__lt=until).count()
    still_open = rows.filter(filed_at__lt=until).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=until)).count()
    # Overdue at the period's end (or today, for a period not over yet): due before that day and
    # not reported done by its start.
    reference = min(end, timezone.localdate())
    overdue = rows.filter(filed_at__lt=until).filter(
        Q(actions__due_on__lt=reference)
        & (Q(actions__done_at__isnull=True) | Q(actions__done_at__gte=local_midnight(reference)))
    ).values("pk").distinct().count()
    by_root_cause = {row["root_cause_category"]: row["n"] for row in
                     filed.values("root_cause_category").annotate(n=Count("pk")).order_by()}
    return {"filed": filed.count(), "closed": closed, "open": still_open, "with_capa_overdue": overdue,
            "by_root_cause": by_root_cause}


def _month_key(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return NO_VALUE
    return f"{value:%Y-%m}"


def complaint_trend(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Staff's trend view over [start, end): complaints per month by root cause, product,
    site and team; customers with repeat complaints; open and overdue CAPA actions."""
    since, until = local_midnight(start), local_midnight(end)
    rows = Complaint.objects.filter(filed_at__gte=since, filed_at__lt=until)
    month = TruncMonth("filed_at", tzinfo=timezone.get_current_timezone())
    labels = dict(RootCauseCategory.choices)
    dimensions: dict[str, tuple[str, Callable[[Any], str]]] = {
        "root_cause": ("root_cause_category", lambda v: str(labels.get(v, NO_VALUE)) if v else NO_VALUE),
        "product": ("case__asset__product__model", lambda v: v or NO_VALUE),
        "site": ("case__site__name", lambda v: v or NO_VALUE),
        "team": ("subject_team__name", lambda v: v or NO_VALUE),
    }
    tables: dict[str, Any] = {}
    months: set[str] = set()
    for name, (field, label) in dimensions.items():
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for row in rows.annotate(month=month).values("month", field).annotate(n=Count("pk")).order_by():
            key = _month_key(row["month"])
            months.add(key)
            counts[label(row[field])][key] = counts[label(row[field])].get(key, 0) + row["n"]
        tables[name] = [{"label": k, "by_month": v, "total": sum(v.values())}
                        for k, v in sorted(counts.items(), key=lambda item: -sum(item[1].values()))]
    repeat = list(rows.values("customer_id", "customer__name").annotate(n=Count("pk")).filter(n__gte=2)
                  .order_by("-n", "customer__name"))
    today = timezone.localdate()
    return {
        "months": sorted(months),
        "tables": tables,
        "total": rows.count(),
        "repeat_customers": [{"customer_id": r["customer_id"], "customer": r["customer__name"], "count": r["n"]}
                             for r in repeat],
        "open_actions": open_actions().count(),
        "overdue_actions": overdue_actions(today).count(),
    }


def evaluation_list(*, period_start: dt.date | None = None, subject_kind: str = "") -> QuerySet[QualityEvaluation]:
    rows = QualityEvaluation.objects.all()
    if period_start is not None:
        rows = rows.filter(period_start=period_start)
    if subject_kind:
        rows = rows.filter(subject_kind=subject_kind)
    return rows.order_by("-period_start", "subject_kind", "-score", "subject_name")
