"""The compliance report's figures against the hand-computed fixture (fixtures.py).

Times (minutes of the target used; 7×24 calendar without pauses, so the elapsed minutes):
first response A 10, B 20, C 45, D 5 → median 15, p90 20 + 0.7 × 25 = 37.5;
on site A 120, B 300 → median 210, p90 120 + 0.9 × 180 = 282;
resolution A 600, B 1560 → median 1080, p90 600 + 0.9 × 960 = 1464; restoration the same."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.cases import services as cases
from aftersales.complaints.services import complaint_file
from aftersales.contracts.services import contract_create
from aftersales.reports.compliance import complaint_lines, compliance_report, satisfaction_lines
from aftersales.reports.exports import _case_lines
from aftersales.reports.tests.fixtures import (
    NOW,
    PERIOD,
    _open,
    at,
    build_cases,
    build_inspections,
    build_parts,
)
from aftersales.surveys.models import Survey
from aftersales.surveys.services import survey_answer
from aftersales.surveys.tests.factories import closed_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agent, acme, diamond_contract):
    return build_cases(agent, acme)


def _row(report, target, severity="P1", region=""):
    return next(r for r in report.rows if (r.target, r.severity, r.region) == (target, severity, region))


def test_every_promised_target_of_the_policy_is_listed_with_its_minutes(world, diamond_contract):
    # when
    report = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW)
    # then: P1..P4 of the diamond policy, the targets it sets (P3 has no restoration, P4 no on site)
    promised = {(r.severity, r.target): r.promised_minutes for r in report.rows}
    assert promised[("P1", "first_response")] == 30
    assert promised[("P1", "on_site")] == 240
    assert promised[("P1", "resolution")] == 1440
    assert promised[("P1", "restoration")] == 2880
    assert ("P3", "restoration") not in promised
    assert ("P4", "on_site") not in promised
    assert len(report.rows) == 4 + 4 + 3 + 2
    assert _row(report, "first_response", "P2").clocks == 0


def test_complaints_are_not_counted_against_the_contracts_targets(world, agent, acme, diamond_contract):
    # given: the report, then a complaint about case A (its case runs the complaint policy)
    before = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW)
    complaint, _created = complaint_file(actor=agent, customer_id=acme.pk, subject_case_id=world.a.pk,
                                         title="工程师迟到", channel="phone", now=at("2026-11-03 09:00"))
    assert complaint.case.contract_id == diamond_contract.pk
    # when
    after = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW)
    # then: the same cases and clocks; the complaint is in the complaints section
    assert after.cases == before.cases
    assert [(r.severity, r.target, r.clocks) for r in after.rows] == [
        (r.severity, r.target, r.clocks) for r in before.rows]
    assert after.complaints["filed"] == 1
    assert complaint.case.number not in {line[0] for line in _case_lines(after)}


def test_times_on_office_hours_are_the_working_minutes_used_without_pauses(agent, globex):
    # given: a silver contract (office hours 09–12, 13–18 on workdays; P1 first response 2 h).
    # Case 1: Friday 17:00 → answered Monday 09:30: 60 + 30 = 90 working minutes (an even spread
    # of the target over its window would say 120 × 64.5 h / 65 h ≈ 119.1).
    # Case 2: Monday 11:30, waits on the customer 11:40–13:30, answered 14:00: 10 + 30 = 40 min.
    contract = contract_create(number="HT-GLOBEX-1", customer=globex, tier_code="silver",
                               starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    first = _open(agent, globex, "2026-11-06 17:00")
    cases.case_respond(actor=agent, case_id=first.pk, now=at("2026-11-09 09:30"))
    second = _open(agent, globex, "2026-11-09 11:30")
    cases.case_acknowledge(actor=agent, case_id=second.pk, now=at("2026-11-09 11:35"))
    cases.case_wait_on_customer(actor=agent, case_id=second.pk, reason="等待现场照片", now=at("2026-11-09 11:40"))
    cases.case_resume(actor=agent, case_id=second.pk, now=at("2026-11-09 13:30"))
    cases.case_respond(actor=agent, case_id=second.pk, now=at("2026-11-09 14:00"))
    # when
    report = compliance_report(contract=contract, period=PERIOD, now=at("2026-11-10 12:00"))
    # then: median (90 + 40) / 2 = 65, p90 40 + 0.9 × 50 = 85
    row = _row(report, "first_response")
    assert (row.clocks, row.met) == (2, 2)
    assert (row.median_minutes, row.p90_minutes) == (65.0, 85.0)


def test_met_breached_and_open_clocks_per_target(world, diamond_contract):
    report = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW)
    figures = {t: (_row(report, t).clocks, _row(report, t).met, _row(report, t).breached, _row(report, t).open)
               for t in ("first_response", "on_site", "resolution", "restoration")}
    assert figures == {
        "first_response": (4, 3, 1, 0),
        "on_site": (3, 1, 2, 0),
        "resolution": (4, 1, 2, 1),
        "restoration": (3, 2, 0, 1),
    }
    assert _row(report, "resolution").agreed == 1
    assert _row(report, "first_response").met_percent == 75.0
    assert report.cases == 4
    assert report.cases_breached == 2
    assert report.breaches_total == 5
    assert report.totals["on_site"] == {"label": "到场", "clocks": 3, "met": 1, "breached": 2, "met_percent": 33.3}


def test_median_and_p90_of_the_times_in_minutes(world, diamond_contract):
    report = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW)
    times = {t: (_row(report, t).median_minutes, _row(report, t).p90_minutes)
             for t in ("first_response", "on_site", "resolution", "restoration")}
    assert times == {
        "first_response": (15.0, 37.5),
        "on_site": (210.0, 282.0),
        "resolution": (1080.0, 1464.0),
        "restoration": (1080.0, 1464.0),
    }


def test_breaches_come_with_their_written_reasons_and_agreed_deadlines(world, diamond_contract):
    report = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW)
    found = {(b["number"], b["target"]): b["reason"] for b in report.breaches}
    assert found == {
        (world.b.number, "on_site"): "", (world.b.number, "resolution"): "",
        (world.c.number, "first_response"): "线路故障，电话不通",
        (world.c.number, "on_site"): "", (world.c.number, "resolution"): "",
    }
    assert [(a["case__number"], a["target"], a["agreed_reason"]) for a in report.agreed] == [
        (world.d.number, "resolution", "等待厂家答复")]


def test_a_shorter_period_leaves_the_other_cases_out(world, diamond_contract):
    import datetime as dt

    from aftersales.reports.compliance import Period

    report = compliance_report(contract=diamond_contract, period=Period(dt.date(2026, 11, 3), dt.date(2026, 11, 3)),
                               now=NOW)
    assert report.cases == 1
    assert _row(report, "on_site").breached == 1
    assert (_row(report, "first_response").median_minutes, _row(report, "first_response").p90_minutes) == (20.0, 20.0)


def test_parts_delivery_clocks_on_time_late_overdue(world, diamond_contract, manager):
    build_parts(manager, world, diamond_contract)
    report = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW)
    assert report.parts["totals"] == {"requests": 4, "cancelled": 1, "on_time": 1, "late": 1, "overdue": 1,
                                      "running": 0, "met_percent": 33.3}
    assert [p["target_minutes"] for p in report.parts["targets"]] == [120]


def test_inspections_done_against_planned(world, diamond_contract, manager, acme):
    build_inspections(manager, acme)
    report = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW)
    assert report.inspections == {"planned": 4, "due": 3, "done": 2, "done_in_time": 1, "overdue": 1,
                                  "cancelled": 1, "done_percent": 66.7}


def test_satisfaction_and_complaints_of_the_contract_in_the_period(world, agent, alice, acme, diamond_contract):
    # given: three surveys of the contract's cases sent in November, two answered (all 5s, all
    # 4s), one sent in October; one complaint about a contract case in November, one in October
    for day, ratings in ((dt.date(2026, 11, 2), 5), (dt.date(2026, 11, 3), 4), (dt.date(2026, 11, 4), None),
                         (dt.date(2026, 10, 30), 1)):
        case = closed_case(agent, acme, when=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC))
        if ratings:
            survey_answer(actor=alice, survey_id=Survey.objects.get(case=case).pk, now=NOW, answers=dict.fromkeys(
                ("response_speed", "professionalism", "result", "attitude"), ratings))
    for filed in (dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC), dt.datetime(2026, 10, 3, 9, tzinfo=dt.UTC)):
        complaint_file(actor=agent, customer_id=acme.pk, subject_case_id=world.a.pk, title="工程师迟到",
                       channel="phone", now=filed)
    # when
    report = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW)
    # then
    assert (report.satisfaction["sent"], report.satisfaction["answered"]) == (3, 2)
    assert report.satisfaction["overall_average"] == 4.5
    assert report.complaints["filed"] == 1
    assert report.complaints["open"] == 2
    assert satisfaction_lines(report.satisfaction)[2] == ("答复率", "66.7%")
    assert complaint_lines(report.complaints)[-1] == ("根本原因：尚未分析", "1")
