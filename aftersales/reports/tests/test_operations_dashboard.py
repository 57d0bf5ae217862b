"""Operational reports, the dashboard, regional targets and the percentiles, against
hand-computed figures (fixtures.py; NOW is Thursday 2026-11-05 12:00)."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.cases.services import case_check_in, case_open, case_respond
from aftersales.contracts.services import contract_create, sla_policy_create, sla_policy_set_targets
from aftersales.customers.services import customer_create, site_create
from aftersales.reports import dashboard, operations
from aftersales.reports.compliance import Period, compliance_report
from aftersales.reports.sql import grouped_percentiles
from aftersales.reports.tests.fixtures import (
    NOW,
    PERIOD,
    at,
    build_cases,
    build_inspections,
    build_parts,
)
from aftersales.workorders.services import work_order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agent, acme, diamond_contract):
    return build_cases(agent, acme)


def test_backlog_counts_open_cases_by_age(world):
    figures = operations.backlog(now=NOW)
    assert figures["total"] == 3
    assert figures["by_age"] == {"lt_1d": 0, "d1_3": 2, "d3_7": 0, "d7_30": 1, "gt_30d": 0}


def test_backlog_of_one_customer_only(world, globex):
    assert operations.backlog(now=NOW, customer_id=globex.pk)["total"] == 0


def test_mttr_of_the_cases_opened_and_resolved_in_the_period(world):
    # A took 10 h, B 26 h: mean 18, median 18, p90 10 + 0.9 × 16 = 24.4
    figures = operations.mttr(period=PERIOD)
    assert figures["rows"] == [{"severity": "P1", "cases": 2, "mean_hours": 18.0, "median_hours": 18.0,
                                "p90_hours": 24.4}]
    assert figures["mean_hours"] == 18.0


def test_fault_rates_per_product_and_site(world, agent, acme, acme_asset):
    for when in ("2026-11-10 10:00", "2026-11-11 10:00"):
        case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="天线故障",
                  impact="outage", asset_id=acme_asset.pk, site_id=acme_asset.site_id, now=at(when))
    figures = operations.fault_rates(period=PERIOD)
    assert figures["cases"] == 5
    assert figures["without_asset"] == 3
    assert [(p["label"], p["cases"], p["assets"], p["rate"]) for p in figures["products"]] == [
        ("RSU-1 ETC 路侧单元", 2, 1, 2.0)]
    assert [(s["label"], s["cases"], s["assets"], s["rate"]) for s in figures["sites"]] == [
        ("Acme 高速公路管理处 北收费站", 2, 1, 2.0)]


def test_technician_workload(world, manager, bob):
    work_order_create(actor=manager, case_id=world.c.pk, kind="repair", technician_id=bob.pk,
                      now=at("2026-11-04 09:30"))
    assert operations.technician_workload(period=PERIOD) == [{
        "technician_id": bob.pk, "name": "bob", "username": "bob", "work_orders": 1, "done": 0, "open": 1,
        "cancelled": 0, "hours_on_site": 0.0}]


def test_the_dashboard_figures(world, manager, diamond_contract, acme):
    build_parts(manager, world, diamond_contract)
    build_inspections(manager, acme)
    figures = dashboard.dashboard(now=NOW)
    assert figures["clock_states"] == {"overdue": 2, "at_risk": 0, "on_track": 1, "not_running": 0}
    assert figures["open"] == 3
    assert figures["opened_today"] == 0
    # B on site and resolution, C first response (due this week, from Monday 11-02)
    assert figures["breaches_this_week"] == 3
    assert figures["parts_late"] == 1
    assert figures["inspections_overdue"] == 1
    trend = {d["day"]: d["open"] for d in figures["trend"]}
    assert len(trend) == 30
    assert (trend[dt.date(2026, 10, 7)], trend[dt.date(2026, 10, 19)], trend[dt.date(2026, 10, 20)]) == (0, 0, 1)
    assert [trend[dt.date(2026, 11, d)] for d in (1, 2, 3, 4, 5)] == [1, 1, 2, 3, 3]
    assert figures["fault_classes"] == []


def test_at_risk_lists_the_cases_due_within_four_hours(agent, acme, diamond_contract):
    case, _ = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault", title="门架断电",
                        impact="outage", now=at("2026-11-05 11:50"))
    assert [c.number for c in dashboard.at_risk_cases(NOW)] == [case.number]
    assert dashboard.clock_states(NOW)["at_risk"] == 1


def test_a_region_with_targets_of_its_own_gets_rows_of_its_own(agent, db):
    # given a policy whose Beijing sites have a 2-hour on-site target (default 4 h)
    customer = customer_create(name="京津高速", code="jj", region="天津")
    beijing = site_create(customer=customer, name="北京站", region="北京")
    policy = sla_policy_create(code="jj", name="京津", calendar_code="24x7", targets={
        "P1": {"first_response_minutes": 30, "on_site_minutes": 240, "resolution_minutes": 1440,
               "restoration_minutes": None}})
    sla_policy_set_targets(policy=policy, region="北京", targets={"P1": {"on_site_minutes": 120}})
    contract = contract_create(number="HT-JJ", customer=customer, tier_code="gold", starts_on=dt.date(2026, 1, 1),
                               ends_on=dt.date(2026, 12, 31), policy_override_code="jj")
    # and two cases, one at the Beijing site (on site after 3 h: breached), one without site (after 3 h: met)
    for site in (beijing, None):
        case, _ = case_open(actor=agent, customer_id=customer.pk, channel="phone", category="fault", title="故障",
                            impact="outage", site_id=site.pk if site else None, now=at("2026-11-02 10:00"))
        case_respond(actor=agent, case_id=case.pk, now=at("2026-11-02 10:10"))
        case_check_in(actor=agent, case_id=case.pk, now=at("2026-11-02 13:00"))
    # when
    report = compliance_report(contract=contract, period=PERIOD, now=NOW)
    # then
    on_site = {r.region: (r.promised_minutes, r.clocks, r.met, r.breached, r.median_minutes)
               for r in report.rows if r.target == "on_site"}
    assert on_site == {"": (240, 1, 1, 0, 180.0), "北京": (120, 1, 0, 1, 180.0)}
    assert report.regions == ["北京"]
    resolution = {r.region: r.promised_minutes for r in report.rows if r.target == "resolution"}
    assert resolution == {"": 1440, "北京": 1440}


def test_percentiles_interpolate_like_percentile_cont(world):
    # 1..10: median 5.5, p90 9.1; one value: itself; groups apart
    values = " UNION ALL ".join(f"SELECT 'a' AS g, {v}.0 AS value" for v in range(1, 11))
    found = grouped_percentiles(f"{values} UNION ALL SELECT 'b' AS g, 7.0 AS value", [], ("g",))
    assert {k: (v["count"], round(v["p50"], 6), round(v["p90"], 6)) for k, v in found.items()} == {
        ("a",): (10, 5.5, 9.1), ("b",): (1, 7.0, 7.0)}


def test_the_period_includes_both_days(world, diamond_contract):
    report = compliance_report(contract=diamond_contract, period=Period(dt.date(2026, 11, 2), dt.date(2026, 11, 2)),
                               now=NOW)
    assert report.cases == 1
