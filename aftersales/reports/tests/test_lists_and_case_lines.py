"""The report's breach and agreed-deadline lists (one pass over the clocks) against the
export's full lists, also when the limit cuts them, and the export's case lines (one query,
the clocks grouped onto their case) against the hand-computed fixture (fixtures.py)."""

from __future__ import annotations

import pytest

from aftersales.reports.compliance import agreed_rows, breach_rows, compliance_report
from aftersales.reports.exports import _case_lines
from aftersales.reports.tests.fixtures import NOW, PERIOD, build_cases

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agent, acme, diamond_contract):
    return build_cases(agent, acme)


@pytest.mark.parametrize("limit", [1, 2, 5, 100])
def test_the_reports_lists_are_the_first_rows_of_the_full_lists(world, diamond_contract, limit):
    # given: the full lists, as the Excel export writes them
    breaches = list(breach_rows(contract=diamond_contract, period=PERIOD, now=NOW))
    agreed = agreed_rows(contract=diamond_contract, period=PERIOD)
    assert len(breaches) == 5
    assert len(agreed) == 1
    # when
    report = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW, breach_limit=limit)
    # then
    assert report.breaches == breaches[:limit]
    assert report.agreed == agreed[:limit]


def test_the_breaches_are_listed_latest_due_first(world, diamond_contract):
    report = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW)
    due = [b["due_at"] for b in report.breaches]
    assert due == sorted(due, reverse=True)
    assert [(b["number"], b["target"]) for b in report.breaches[:2]] == [
        (world.c.number, "resolution"), (world.c.number, "on_site")]


def test_the_case_lines_carry_each_clock_as_the_report_counts_it(world, diamond_contract):
    report = compliance_report(contract=diamond_contract, period=PERIOD, now=NOW)
    lines = list(_case_lines(report))
    # number, severity, status, opened, resolved (local time), title, then first response,
    # on site, resolution, restoration; D (a consultation) has no on-site and no restoration clock
    assert [line[0] for line in lines] == [world.a.number, world.b.number, world.c.number, world.d.number]
    assert [tuple(line[3:5]) for line in lines] == [("2026-11-02 10:00", "2026-11-02 20:00"),
                                             ("2026-11-03 09:00", "2026-11-04 11:00"),
                                             ("2026-11-04 08:00", ""), ("2026-11-04 10:00", "")]
    assert [tuple(line[6:]) for line in lines] == [
        ("达成", "达成", "达成", "达成"),
        ("达成", "超时", "超时", "达成"),
        ("超时", "超时", "超时", "进行中"),
        ("达成", "", "进行中", ""),
    ]
