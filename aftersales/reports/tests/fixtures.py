"""A small, hand-computed world for the report tests: the diamond contract of Acme (7×24; P1
targets: first response 30 min, on site 4 h, resolution 24 h, restoration 48 h), four cases
opened in November 2026 with known milestones, one case before the period, parts requests and
inspections. The expected figures are worked out in test_compliance.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from aftersales.cases import services as cases
from aftersales.cases.tests.helpers import at
from aftersales.inspections.models import InspectionOccurrence, InspectionPlan
from aftersales.inspections.services import checklist_template_create
from aftersales.parts.models import PartsRequest
from aftersales.parts.services import depot_create, part_create
from aftersales.reports.compliance import Period
from aftersales.roster.services import team_create
from aftersales.workorders.services import work_order_create

__all__ = ["NOW", "PERIOD", "World", "at", "build_cases", "build_inspections", "build_parts"]

NOW = at("2026-11-05 12:00")
PERIOD = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@dataclass
class World:
    a: Any
    b: Any
    c: Any
    d: Any
    before: Any


def _open(agent: Any, customer: Any, when: str, *, category: str = "fault", title: str = "收费车道无法交易") -> Any:
    case, _created = cases.case_open(actor=agent, customer_id=customer.pk, channel="phone", category=category,
                                     title=title, impact="outage", now=at(when))
    return case


def build_cases(agent: Any, acme: Any) -> World:
    # A: response 10 min, on site 2 h, resolved after 10 h — every target met.
    a = _open(agent, acme, "2026-11-02 10:00")
    cases.case_respond(actor=agent, case_id=a.pk, now=at("2026-11-02 10:10"))
    cases.case_check_in(actor=agent, case_id=a.pk, now=at("2026-11-02 12:00"))
    cases.case_resolve(actor=agent, case_id=a.pk, resolution="更换天线", now=at("2026-11-02 20:00"))
    # B: response 20 min, on site after 5 h (breached), resolved after 26 h (resolution
    # breached, restoration met).
    b = _open(agent, acme, "2026-11-03 09:00")
    cases.case_respond(actor=agent, case_id=b.pk, now=at("2026-11-03 09:20"))
    cases.case_check_in(actor=agent, case_id=b.pk, now=at("2026-11-03 14:00"))
    cases.case_resolve(actor=agent, case_id=b.pk, resolution="更换主板", now=at("2026-11-04 11:00"))
    # C: response after 45 min (breached, explained); still open at NOW: on site (due 11-04
    # 12:00) and resolution (due 11-05 08:00) running past due, restoration (11-06 08:00) not.
    c = _open(agent, acme, "2026-11-04 08:00")
    cases.case_respond(actor=agent, case_id=c.pk, now=at("2026-11-04 08:45"))
    cases.case_explain_breach(actor=agent, case_id=c.pk, target="first_response", reason="线路故障，电话不通",
                              now=at("2026-11-04 09:00"))
    # D: a consultation (no on-site, no restoration clock): response 5 min; resolution by an
    # agreed deadline, not yet due.
    d = _open(agent, acme, "2026-11-04 10:00", category="consultation", title="咨询 RSU 参数")
    cases.case_respond(actor=agent, case_id=d.pk, now=at("2026-11-04 10:05"))
    cases.case_agree_deadline(actor=agent, case_id=d.pk, target="resolution", due_at=at("2026-11-07 10:00"),
                              reason="等待厂家答复", now=at("2026-11-04 10:30"))
    # Before the period: not in the report.
    before = _open(agent, acme, "2026-10-20 10:00")
    cases.case_respond(actor=agent, case_id=before.pk, now=at("2026-10-20 12:00"))
    return World(a, b, c, d, before)


def build_parts(manager: Any, world: World, contract: Any) -> None:
    """Three requests in the period (on time, late, overdue open) and one cancelled."""
    work_order, _created = work_order_create(actor=manager, case_id=world.c.pk, kind="repair",
                                             now=at("2026-11-04 09:00"))
    depot = depot_create(code="d1", name="北京备件库")
    part = part_create(code="ant-1", name="ETC 天线")

    def request(requested: str, due: str, *, delivered: str | None = None, status: str = "requested") -> None:
        PartsRequest.objects.create(
            work_order=work_order, case=world.c, part=part, depot=depot, quantity=1, status=status,
            requested_at=at(requested), contract=contract, target_minutes=120, due_at=at(due),
            delivered_at=at(delivered) if delivered else None)

    request("2026-11-04 09:00", "2026-11-04 11:00", delivered="2026-11-04 10:30", status="delivered")
    request("2026-11-04 09:00", "2026-11-04 11:00", delivered="2026-11-04 11:30", status="delivered")
    request("2026-11-05 09:00", "2026-11-05 11:00")
    request("2026-11-05 09:00", "2026-11-05 11:00", status="cancelled")


def build_inspections(manager: Any, acme: Any) -> None:
    """Five November occurrences of an Acme plan: two done (one late), one overdue, one not yet
    due, one cancelled."""
    template = checklist_template_create(actor=manager, code="daily", name="日常巡检",
                                         items=[{"label": "外观完好", "kind": "pass_fail"}])
    team = team_create(code="field", name="现场组", kind="field")
    plan = InspectionPlan.objects.create(name="北站巡检", customer=acme, frequency="weekly", template=template,
                                         team=team, starts_on=dt.date(2026, 11, 1), created_by=manager)

    def occurrence(day: int, status: str, *, completed: str | None = None) -> None:
        InspectionOccurrence.objects.create(
            plan=plan, period_start=dt.date(2026, 11, day), scheduled_on=dt.date(2026, 11, day),
            due_at=at(f"2026-11-{day:02d} 18:00"), status=status,
            completed_at=at(completed) if completed else None)

    occurrence(1, "completed", completed="2026-11-01 15:00")
    occurrence(2, "completed", completed="2026-11-03 09:00")
    occurrence(3, "scheduled")
    occurrence(20, "planned")
    occurrence(4, "cancelled")
