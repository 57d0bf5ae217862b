"""The commitment-compliance report (服务承诺履约报告) of one contract over a period: what the
contract's policy promised and what was delivered.

Scope: the contract's cases opened in the period (local days start..end, both included). Every
figure is an SQL aggregate over their clocks (`cases.CaseClock`), whatever the number of cases:

- a clock is **met** when its milestone came in time; **breached** when it is marked breached
  or is still running past its due time at `now`; **open** otherwise (running or paused, not yet
  due); clocks a case did not need (on site after a remote fix) are left out;
- times are the **minutes of the target used**: target minutes × (milestone − start) ÷
  (due time by the calendar − start). The clock stores its start, its milestone and the due
  time its calendar gives for the target, not the business minutes elapsed (those would need a
  replay of each case's pauses over its calendar, in Python, case by case). On a 7×24 calendar
  without pauses this is exactly the elapsed time; on office hours it spreads the business
  time evenly over the wall-clock window. Median and p90 as PostgreSQL's `percentile_cont`.

One GROUP BY query reads the scope's clocks once for the counts, the times and the first rows
of the breach and agreed-deadline lists (each group's first rows; the first overall are among
them), so the report costs one pass over the clocks and one over the cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from aftersales.cases.models import (
    Case,
    CaseClock,
    CaseEvent,
    Category,
    ClockState,
    ClockTarget,
    EventKind,
)
from aftersales.complaints.selectors import complaint_counts
from aftersales.contracts.models import Contract, Severity, SlaTarget
from aftersales.contracts.services import policy_regions
from aftersales.core.scoping import get_scoped_or_404, scope_to_user
from aftersales.customers.models import Site
from aftersales.inspections.models import InspectionOccurrence, OccurrenceStatus
from aftersales.parts.models import PartsRequest, PartsRequestStatus
from aftersales.reports.sql import (
    fetch,
    first_sql,
    first_values,
    key,
    minutes_between,
    param,
    percentile_figures,
    percentiles_sql,
)
from aftersales.surveys.selectors import satisfaction_summary

TARGETS = tuple(ClockTarget.values)
BREACH_LIST_LIMIT = 100


@dataclass(frozen=True)
class Period:
    """Local days start..end, both included."""

    start: dt.date
    end: dt.date

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), _zone())

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), _zone())


def _zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.TIME_ZONE)


@dataclass
class TargetRow:
    """One promised target (severity × region × clock) and what was delivered against it."""

    severity: str
    region: str
    target: str
    promised_minutes: int | None
    clocks: int = 0
    met: int = 0
    breached: int = 0
    open: int = 0
    agreed: int = 0
    median_minutes: float | None = None
    p90_minutes: float | None = None

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def met_percent(self) -> float | None:
        return round(100.0 * self.met / self.decided, 1) if self.decided else None

    @property
    def target_label(self) -> str:
        return str(ClockTarget(self.target).label)


@dataclass
class ComplianceReport:
    contract: Contract
    period: Period
    now: dt.datetime
    regions: list[str]
    cases: int = 0
    cases_breached: int = 0
    rows: list[TargetRow] = field(default_factory=list)
    totals: dict[str, dict[str, Any]] = field(default_factory=dict)
    breaches: list[dict[str, Any]] = field(default_factory=list)
    breaches_total: int = 0
    agreed: list[dict[str, Any]] = field(default_factory=list)
    parts: dict[str, Any] = field(default_factory=dict)
    inspections: dict[str, Any] = field(default_factory=dict)
    satisfaction: dict[str, Any] = field(default_factory=dict)
    complaints: dict[str, Any] = field(default_factory=dict)


def contracts_for_user(user: Any) -> Any:
    rows = Contract.objects.select_related("customer", "tier__policy", "policy_override")
    return scope_to_user(rows, user, customer_field="customer_id").order_by("number")


def get_contract_for_user(user: Any, contract_id: Any) -> Contract:
    contract: Contract = get_scoped_or_404(contracts_for_user(user), user, customer_field="customer_id",
                                           what="contract", pk=contract_id)
    return contract


# Complaints keep the complaint policy's promises, not the contract's (cases'
# register_category_policy): they are reported in their own section, not against its targets.
OUT_OF_SCOPE = Category.COMPLAINT


def cases_in_scope(contract: Contract, period: Period) -> QuerySet[Case]:
    """The contract's cases opened in the period that its targets apply to."""
    return Case.objects.filter(contract=contract, opened_at__gte=period.since,
                               opened_at__lt=period.until).exclude(category=OUT_OF_SCOPE)


def _scope_sql(contract: Contract, period: Period, regions: list[str]) -> tuple[str, list[Any], str, list[Any]]:
    """FROM … WHERE of the clocks of the contract's cases opened in the period (those the case
    did not need included) with its params, and the SQL of the case's region with its params."""
    clock_table, case_table, site_table = (CaseClock._meta.db_table, Case._meta.db_table, Site._meta.db_table)
    if regions:
        # The case's region as the clocks used it (cases.services.case_region): its site's,
        # else its customer's; a region without targets of its own counts under the default.
        holders = ", ".join(["%s"] * len(regions))
        region = (f"CASE WHEN COALESCE(NULLIF(s.region, ''), %s) IN ({holders}) "
                  f"THEN COALESCE(NULLIF(s.region, ''), %s) ELSE '' END")
        region_params: list[Any] = [contract.customer.region, *regions, contract.customer.region]
        joins = f"LEFT JOIN {site_table} s ON s.id = k.site_id"
    else:
        region, region_params, joins = "''", [], ""
    sql = (f"FROM {clock_table} c JOIN {case_table} k ON k.id = c.case_id {joins} "
           f"WHERE k.contract_id = %s AND k.opened_at >= %s AND k.opened_at < %s AND k.category <> %s")
    params = [key(contract.pk), param(period.since), param(period.until), OUT_OF_SCOPE.value]
    return sql, params, region, region_params


def _promised(contract: Contract, regions: list[str]) -> dict[tuple[str, str, str], int | None]:
    """{(severity, region, target): minutes} the policy promises; a region's row inherits the
    default figures it does not set (contracts.services.policy_targets)."""
    found: dict[tuple[str, str, str], int | None] = {}
    rows = SlaTarget.objects.filter(policy=contract.policy).values(
        "severity", "region", "first_response_minutes", "on_site_minutes", "resolution_minutes",
        "restoration_minutes")
    defaults: dict[str, dict[str, int | None]] = {}
    regional: list[dict[str, Any]] = []
    row: dict[str, Any]
    for values in rows:
        row = dict(values)
        if row["region"]:
            regional.append(row)
        else:
            defaults[row["severity"]] = {t: row[f"{t}_minutes"] for t in TARGETS}
    for severity, minutes in defaults.items():
        for target, value in minutes.items():
            if value is not None:
                found[(severity, "", target)] = value
    for row in regional:
        base = defaults.get(row["severity"], {})
        for target in TARGETS:
            value = row[f"{target}_minutes"] if row[f"{target}_minutes"] is not None else base.get(target)
            if value is not None:
                found[(row["severity"], row["region"], target)] = value
    return found


def _order(key: tuple[str, str, str]) -> tuple[int, str, int]:
    severity, region, target = key
    return (list(Severity.values).index(severity) if severity in Severity.values else 9, region,
            TARGETS.index(target) if target in TARGETS else 9)


def compliance_report(*, contract: Contract, period: Period, now: dt.datetime,
                      breach_limit: int = BREACH_LIST_LIMIT) -> ComplianceReport:
    """The report's figures. The caller has checked that the user may see the contract."""
    regions = sorted(policy_regions(contract.policy))
    report = ComplianceReport(contract=contract, period=period, now=now, regions=regions)
    scope, params, region_sql, region_params = _scope_sql(contract, period, regions)
    # A clock the case did not need (on site after a remote fix) counts nowhere, but its agreed
    # deadline is listed.
    needed = "c.state <> 'not_required'"
    breached_sql = f"({needed} AND (c.is_breached = %s OR (c.state = 'running' AND c.due_at < %s)))"
    breached_params = [True, param(now)]
    # Exact working minutes where the clock stored them; clocks from before that column (or
    # the bulk loader's) spread the target's minutes evenly over their calendar window.
    value = (f"COALESCE(c.elapsed_seconds / 60.0, c.target_minutes * "
             f"{minutes_between('c.started_at', 'c.met_at')} / "
             f"NULLIF({minutes_between('c.started_at', 'c.calendar_due_at')}, 0))")
    # One pass over the clocks of the scope: per (severity, region, target) the counts, the
    # times' percentiles and the group's first rows of the two lists (breaches: latest due
    # first; agreed deadlines: by case number), whose first rows overall are among them.
    first_breaches = first_sql("id", ["-due_at", "number", "target"], "is_breached = 1", breach_limit)
    first_agreed = first_sql("id", ["number", "target"], "has_agreed = 1", breach_limit)
    counts = fetch(
        f"SELECT severity, region, target, SUM(is_needed), SUM(is_met), SUM(is_breached), "  # noqa: S608 - our names; values are parameters
        f"SUM(is_needed * has_agreed), {first_breaches}, {first_agreed}, {percentiles_sql('value')} FROM ("
        f"SELECT c.id AS id, k.severity AS severity, {region_sql} AS region, c.target AS target, "
        f"k.number AS number, c.due_at AS due_at, "
        f"CASE WHEN {needed} THEN 1 ELSE 0 END AS is_needed, "
        f"CASE WHEN c.state = 'met' AND NOT {breached_sql} THEN 1 ELSE 0 END AS is_met, "
        f"CASE WHEN {breached_sql} THEN 1 ELSE 0 END AS is_breached, "
        f"CASE WHEN c.agreed_due_at IS NOT NULL THEN 1 ELSE 0 END AS has_agreed, "
        f"CASE WHEN c.state = 'met' THEN {value} END AS value "
        f"{scope}) AS v GROUP BY severity, region, target",
        [*region_params, *breached_params, *breached_params, *params])
    promised = _promised(contract, regions)
    rows: dict[tuple[str, str, str], TargetRow] = {
        key: TargetRow(severity=key[0], region=key[1], target=key[2], promised_minutes=minutes)
        for key, minutes in promised.items()}
    breach_ids: list[Any] = []
    agreed_ids: list[Any] = []
    for severity, region, target, clocks, met, breached, agreed, breaches, agreements, *spread in counts:
        breach_ids += first_values(breaches)
        agreed_ids += first_values(agreements)
        key = (severity, region or "", target)
        row = rows.get(key)
        if not clocks:  # only clocks the cases did not need
            continue
        if row is None:
            row = rows[key] = TargetRow(severity=key[0], region=key[1], target=key[2],
                                        promised_minutes=promised.get((severity, "", target)))
        row.clocks, row.met, row.breached, row.agreed = int(clocks), int(met or 0), int(breached or 0), int(agreed or 0)
        row.open = row.clocks - row.met - row.breached
        times = percentile_figures(spread)
        if times is not None:
            row.median_minutes = round(times["p50"], 1)
            row.p90_minutes = round(times["p90"], 1)
    report.rows = [rows[key] for key in sorted(rows, key=_order)]
    for target in TARGETS:
        of_target = [r for r in report.rows if r.target == target]
        met, breached = sum(r.met for r in of_target), sum(r.breached for r in of_target)
        report.totals[target] = {
            "label": str(ClockTarget(target).label), "clocks": sum(r.clocks for r in of_target),
            "met": met, "breached": breached,
            "met_percent": round(100.0 * met / (met + breached), 1) if met + breached else None,
        }
    figures = cases_in_scope(contract, period).aggregate(total=Count("id"), breached=Count("id", filter=Q(is_breached=True)))
    report.cases, report.cases_breached = figures["total"], figures["breached"]
    report.breaches_total = sum(r.breached for r in report.rows)
    report.breaches = list(_breach_list(CaseClock.objects.filter(pk__in=breach_ids), breach_limit))
    report.agreed = _agreed_list(CaseClock.objects.filter(pk__in=agreed_ids), breach_limit)
    report.parts = parts_figures(contract=contract, period=period, now=now)
    report.inspections = inspection_figures(contract=contract, period=period, now=now)
    report.satisfaction = _satisfaction(contract, period)
    report.complaints = _complaints(contract, period)
    return report


def _clocks_in_scope(contract: Contract, period: Period) -> Any:
    return CaseClock.objects.filter(case__in=cases_in_scope(contract, period))


def breach_rows(*, contract: Contract, period: Period, now: dt.datetime,
                limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The breached clocks, latest due first, each with the written reason (explain_breach)."""
    # As in the report's counts: a clock the case did not need is no breach.
    clocks = (_clocks_in_scope(contract, period).exclude(state=ClockState.NOT_REQUIRED)
              .filter(Q(is_breached=True) | Q(state=ClockState.RUNNING, due_at__lt=now)))
    return _breach_list(clocks, limit)


def _breach_list(clocks: Any, limit: int | None = None) -> Iterator[dict[str, Any]]:
    rows = (clocks.order_by("-due_at", "case__number", "target")
            .values_list("case_id", "case__number", "case__severity", "case__title", "target", "due_at",
                         "met_at", "agreed_due_at", "agreed_reason"))
    batch: list[tuple[Any, ...]] = []
    for row in rows[:limit] if limit is not None else rows.iterator(chunk_size=2000):
        batch.append(row)
        if len(batch) == 500:
            yield from _with_reasons(batch)
            batch = []
    if batch:
        yield from _with_reasons(batch)


def _with_reasons(batch: list[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    reasons: dict[tuple[Any, str], str] = {}
    explained = (CaseEvent.objects.filter(case_id__in={row[0] for row in batch}, kind=EventKind.BREACH_EXPLAINED)
                 .order_by("case_id", "sequence").values_list("case_id", "data"))
    for case_id, data in explained:
        reasons[(case_id, data.get("target", ""))] = data.get("reason", "")
    for case_id, number, severity, title, target, due_at, met_at, agreed_due_at, agreed_reason in batch:
        yield {"case_id": case_id, "number": number, "severity": severity, "title": title, "target": target,
               "target_label": str(ClockTarget(target).label), "due_at": due_at, "met_at": met_at,
               "agreed_due_at": agreed_due_at, "agreed_reason": agreed_reason,
               "reason": reasons.get((case_id, target), "")}


def agreed_rows(*, contract: Contract, period: Period, limit: int | None = None) -> list[dict[str, Any]]:
    """Deadlines agreed with the customer (与业主约定期限), with their reasons."""
    return _agreed_list(_clocks_in_scope(contract, period).filter(agreed_due_at__isnull=False), limit)


def _agreed_list(clocks: Any, limit: int | None = None) -> list[dict[str, Any]]:
    rows = (clocks.order_by("case__number", "target")
            .values("case_id", "case__number", "target", "agreed_due_at", "agreed_reason", "is_breached"))
    found = list(rows[:limit] if limit is not None else rows)
    for row in found:
        row["target_label"] = str(ClockTarget(row["target"]).label)
    return found


def parts_figures(*, contract: Contract, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Parts delivery clocks of the contract's requests in the period, per delivery target."""
    rows = (PartsRequest.objects.filter(Q(contract=contract) | Q(contract__isnull=True, case__contract=contract),
                                        requested_at__gte=period.since, requested_at__lt=period.until)
            .values("target_minutes").order_by("target_minutes")
            .annotate(
                requests=Count("id"),
                cancelled=Count("id", filter=Q(status=PartsRequestStatus.CANCELLED)),
                on_time=Count("id", filter=Q(delivered_at__isnull=False, delivered_at__lte=_due())),
                late=Count("id", filter=Q(delivered_at__isnull=False, delivered_at__gt=_due())),
                overdue=Count("id", filter=Q(is_open=True, due_at__lt=now)),
                running=Count("id", filter=Q(is_open=True, due_at__gte=now)),
            ))
    targets: list[dict[str, Any]] = [dict(row) for row in rows]
    totals: dict[str, Any] = {name: sum(row[name] for row in targets)
              for name in ("requests", "cancelled", "on_time", "late", "overdue", "running")}
    decided = totals["on_time"] + totals["late"] + totals["overdue"]
    totals["met_percent"] = round(100.0 * totals["on_time"] / decided, 1) if decided else None
    return {"targets": targets, "totals": totals}


def _due() -> Any:
    from django.db.models import F

    return F("due_at")


def inspection_figures(*, contract: Contract, period: Period, now: dt.datetime) -> dict[str, Any]:
    """Inspections of the customer's plans scheduled in the period: planned, due by now, done
    (and in time), overdue, cancelled."""
    rows = InspectionOccurrence.objects.filter(plan__customer_id=contract.customer_id,
                                               scheduled_on__gte=period.start, scheduled_on__lte=period.end)
    open_statuses = [OccurrenceStatus.PLANNED, OccurrenceStatus.SCHEDULED]
    figures = rows.aggregate(
        planned=Count("id", filter=~Q(status=OccurrenceStatus.CANCELLED)),
        due=Count("id", filter=~Q(status=OccurrenceStatus.CANCELLED) & Q(due_at__lte=now)),
        done=Count("id", filter=Q(status=OccurrenceStatus.COMPLETED)),
        done_in_time=Count("id", filter=Q(status=OccurrenceStatus.COMPLETED, completed_at__lte=_due())),
        overdue=Count("id", filter=Q(status__in=open_statuses, due_at__lt=now)),
        cancelled=Count("id", filter=Q(status=OccurrenceStatus.CANCELLED)),
    )
    figures["done_percent"] = round(100.0 * figures["done"] / figures["due"], 1) if figures["due"] else None
    return figures


def _satisfaction(contract: Contract, period: Period) -> dict[str, Any]:
    return satisfaction_summary(customer_id=contract.customer_id, contract_id=contract.pk,
                                start=period.since, end=period.until)


def _complaints(contract: Contract, period: Period) -> dict[str, Any]:
    # Its period is [start, end) in local dates: the day after ours is its end.
    return complaint_counts(customer_id=contract.customer_id, contract_id=contract.pk,
                            start=period.start, end=period.end + dt.timedelta(days=1))


def region_label(region: str) -> str:
    return region or _("默认")


def _shown(value: Any) -> str:
    return "—" if value is None else str(value)


def satisfaction_lines(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) lines of surveys.selectors.satisfaction_summary, for pages and exports."""
    rate = figures["response_rate"]
    lines = [(_("发出调查"), _shown(figures["sent"])), (_("已答复"), _shown(figures["answered"])),
             (_("答复率"), f"{round(rate * 100, 1)}%" if rate is not None else "—"),
             (_("总体平均分"), _shown(figures["overall_average"])),
             (_("低分调查"), _shown(figures["low_score_count"]))]
    for item in figures["averages"].values():
        lines.append((item["label"], _("%(average)s 分（%(count)s 份）") % {"average": _shown(item["average"]),
                                                                     "count": _shown(item["count"])}))
    return lines


def complaint_lines(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) lines of complaints.selectors.complaint_counts."""
    lines = [(_("期间内投诉"), _shown(figures["filed"])), (_("期间内关闭"), _shown(figures["closed"])),
             (_("期末未结"), _shown(figures["open"])),
             (_("纠正预防措施超期"), _shown(figures["with_capa_overdue"]))]
    for cause, count in sorted(figures["by_root_cause"].items()):
        lines.append((_("根本原因：%(cause)s") % {"cause": cause or _("尚未分析")}, _shown(count)))
    return lines
