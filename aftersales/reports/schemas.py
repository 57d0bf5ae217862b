"""API input and output of the reports (/api/v1/reports)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Schema


class ComplianceQuery(Schema):
    contract: uuid.UUID
    start: dt.date
    end: dt.date


class OperationsQuery(Schema):
    start: dt.date
    end: dt.date
    customer: uuid.UUID | None = None


class TargetRowOut(Schema):
    severity: str
    region: str
    target: str
    promised_minutes: int | None
    clocks: int
    met: int
    breached: int
    open: int
    agreed: int
    met_percent: float | None
    median_minutes: float | None
    p90_minutes: float | None


class BreachOut(Schema):
    case_id: uuid.UUID
    number: str
    severity: str
    target: str
    due_at: dt.datetime | None
    met_at: dt.datetime | None
    agreed_due_at: dt.datetime | None
    agreed_reason: str
    reason: str


class ComplianceOut(Schema):
    contract_id: uuid.UUID
    contract_number: str
    customer_name: str
    policy: str
    start: dt.date
    end: dt.date
    regions: list[str]
    cases: int
    cases_breached: int
    breaches_total: int
    rows: list[TargetRowOut]
    totals: dict[str, dict[str, Any]]
    breaches: list[BreachOut]
    parts: dict[str, Any]
    inspections: dict[str, Any]
    satisfaction: dict[str, Any]
    complaints: dict[str, Any]


class OperationsOut(Schema):
    start: dt.date
    end: dt.date
    backlog: dict[str, Any]
    fault_rates: dict[str, Any]
    mttr: dict[str, Any]
    workload: list[dict[str, Any]]


class AtRiskOut(Schema):
    case_id: uuid.UUID
    number: str
    title: str
    severity: str
    customer_name: str
    due_at: dt.datetime


class DashboardOut(Schema):
    now: dt.datetime
    open: int
    opened_today: int
    clock_states: dict[str, int]
    breaches_this_week: int
    at_risk: list[AtRiskOut]
    trend: list[dict[str, Any]]
    parts_late: int
    inspections_overdue: int
    fault_classes: list[dict[str, Any]]
