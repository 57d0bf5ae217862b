"""Operational reports (运营报表): backlog, fault rates by product and site, MTTR, technician
workload. Staff only (they span every customer); each figure one SQL aggregate.

The period reports take the cases *opened* in the period (the indexed `opened_at`), the work
orders *created* in it; an optional customer narrows every one of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, Value, When

from aftersales.accounts.models import User
from aftersales.assets.models import Asset
from aftersales.cases.models import Case, Category, Status
from aftersales.reports.compliance import Period
from aftersales.reports.sql import fetch, grouped_percentiles, key, minutes_between, param
from aftersales.workorders.models import WorkOrder, WorkOrderStatus

# Age buckets of the open cases: (upper bound in days, label key).
AGE_BUCKETS = ((1, "lt_1d"), (3, "d1_3"), (7, "d3_7"), (30, "d7_30"), (None, "gt_30d"))
AGE_LABELS = {"lt_1d": "< 1 天", "d1_3": "1–3 天", "d3_7": "3–7 天", "d7_30": "7–30 天", "gt_30d": "> 30 天"}


def backlog(*, now: dt.datetime, customer_id: Any = None) -> dict[str, Any]:
    """Open cases by status and age (now − opened)."""
    rows = Case.objects.filter(in_queue=True)
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    whens = [When(opened_at__gt=now - dt.timedelta(days=days), then=Value(index))
             for index, (days, _key) in enumerate(AGE_BUCKETS) if days is not None]
    bucket = SqlCase(*whens, default=Value(len(AGE_BUCKETS) - 1), output_field=IntegerField())
    counted = rows.annotate(bucket=bucket).values("status", "bucket").order_by().annotate(n=Count("id"))
    keys = [key for _days, key in AGE_BUCKETS]
    table: dict[str, dict[str, int]] = {}
    for counts in counted:
        status, index, number = str(counts["status"]), int(counts["bucket"]), int(counts["n"])
        table.setdefault(status, dict.fromkeys(keys, 0))[keys[index]] += number
    statuses = [s for s in Status.values if s in table]
    lines: list[dict[str, Any]] = [
        {"status": s, "label": str(Status(s).label), "ages": table[s], "total": sum(table[s].values())}
        for s in statuses]
    by_age = {key: sum(table[s][key] for s in statuses) for key in keys}
    return {"rows": lines, "by_age": by_age, "total": sum(by_age.values()), "ages": keys}


def _cases(period: Period, customer_id: Any) -> Any:
    rows = Case.objects.filter(opened_at__gte=period.since, opened_at__lt=period.until, category=Category.FAULT)
    return rows.filter(customer_id=customer_id) if customer_id else rows


def fault_rates(*, period: Period, customer_id: Any = None, limit: int = 50) -> dict[str, Any]:
    """Fault cases per asset, by product and by site (assets: those the customer(s) hold now)."""
    cases = _cases(period, customer_id)
    assets = Asset.objects.all()
    if customer_id:
        assets = assets.filter(customer_id=customer_id)
    by_product_cases = {row["asset__product"]: row for row in
                        cases.filter(asset__isnull=False).values("asset__product").order_by()
                        .annotate(n=Count("id"), model=_first("asset__product__model"),
                                  name=_first("asset__product__name"))}
    installed = dict(assets.values("product").order_by().annotate(n=Count("id")).values_list("product", "n"))
    products = []
    for product_id, row in by_product_cases.items():
        count = installed.get(product_id, 0)
        products.append({"product_id": product_id, "label": f"{row['model']} {row['name']}", "cases": row["n"],
                         "assets": count, "rate": round(row["n"] / count, 3) if count else None})
    products.sort(key=lambda r: (-(r["rate"] or 0), -r["cases"], r["label"]))
    by_site_cases = {row["site"]: row for row in
                     cases.filter(site__isnull=False).values("site").order_by()
                     .annotate(n=Count("id"), name=_first("site__name"), customer=_first("site__customer__name"))}
    at_site = dict(assets.filter(site__isnull=False).values("site").order_by().annotate(n=Count("id"))
                   .values_list("site", "n"))
    sites = []
    for site_id, row in by_site_cases.items():
        count = at_site.get(site_id, 0)
        sites.append({"site_id": site_id, "label": f"{row['customer']} {row['name']}", "cases": row["n"],
                      "assets": count, "rate": round(row["n"] / count, 3) if count else None})
    sites.sort(key=lambda r: (-(r["rate"] or 0), -r["cases"], r["label"]))
    return {"products": products[:limit], "sites": sites[:limit],
            "cases": cases.count(), "without_asset": cases.filter(asset__isnull=True).count()}


def _first(path: str) -> Any:
    from django.db.models import Min

    return Min(path)


def mttr(*, period: Period, customer_id: Any = None) -> dict[str, Any]:
    """Mean (and median, p90) hours from filing to resolution of the cases opened in the period
    and resolved, by severity (wall-clock hours)."""
    table = Case._meta.db_table
    where = "opened_at >= %s AND opened_at < %s AND resolved_at IS NOT NULL"
    params: list[Any] = [param(period.since), param(period.until)]
    if customer_id:
        where += " AND customer_id = %s"
        params.append(key(customer_id))
    hours = f"({minutes_between('opened_at', 'resolved_at')} / 60.0)"
    means = {severity: (count, mean) for severity, count, mean in
             fetch(f"SELECT severity, COUNT(*), AVG({hours}) FROM {table} WHERE {where} GROUP BY severity", params)}  # noqa: S608 - our names; values are parameters
    spread = grouped_percentiles(f"SELECT severity, {hours} AS value FROM {table} WHERE {where}", params,  # noqa: S608 - our names; values are parameters
                                 ("severity",))
    rows = []
    for severity in sorted(means):
        count, mean = means[severity]
        figures = spread.get((severity,), {})
        rows.append({"severity": severity, "cases": count, "mean_hours": round(float(mean), 2),
                     "median_hours": round(figures["p50"], 2) if figures else None,
                     "p90_hours": round(figures["p90"], 2) if figures else None})
    total = sum(r["cases"] for r in rows)
    overall = (round(sum(r["mean_hours"] * r["cases"] for r in rows) / total, 2) if total else None)
    return {"rows": rows, "cases": total, "mean_hours": overall}


def technician_workload(*, period: Period, customer_id: Any = None) -> list[dict[str, Any]]:
    """Per technician: work orders created in the period, done, open, cancelled, hours on site
    (check-in to work done)."""
    table, case_table, user_table = WorkOrder._meta.db_table, Case._meta.db_table, User._meta.db_table
    where = "w.created_at >= %s AND w.created_at < %s"
    params: list[Any] = [param(period.since), param(period.until)]
    join = ""
    if customer_id:
        join = f"JOIN {case_table} k ON k.id = w.case_id"
        where += " AND k.customer_id = %s"
        params.append(key(customer_id))
    on_site = minutes_between("w.checked_in_at", "w.work_done_at")
    done = "w.work_done_at IS NOT NULL"
    open_statuses = ", ".join(f"'{s}'" for s in (WorkOrderStatus.SCHEDULED, WorkOrderStatus.TRAVELLING,
                                                WorkOrderStatus.ON_SITE))
    rows = fetch(
        f"SELECT u.id, u.username, u.last_name, u.first_name, COUNT(*), "  # noqa: S608 - our names; values are parameters
        f"SUM(CASE WHEN {done} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN w.status IN ({open_statuses}) THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN w.status = 'cancelled' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {done} AND w.checked_in_at IS NOT NULL THEN {on_site} ELSE 0 END) "
        f"FROM {table} w {join} JOIN {user_table} u ON u.id = w.technician_id WHERE {where} "
        f"GROUP BY u.id, u.username, u.last_name, u.first_name ORDER BY COUNT(*) DESC, u.username", params)
    return [{"technician_id": uid, "name": (f"{last}{first}".strip() or username), "username": username,
             "work_orders": total, "done": int(done_count or 0), "open": int(open_count or 0),
             "cancelled": int(cancelled or 0), "hours_on_site": round(float(minutes or 0) / 60.0, 2)}
            for uid, username, last, first, total, done_count, open_count, cancelled, minutes in rows]

