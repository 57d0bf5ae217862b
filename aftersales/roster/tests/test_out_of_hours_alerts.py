from __future__ import annotations

import datetime as dt

import pytest

from aftersales.cases import services as case_services
from aftersales.notifications.models import OutboxMessage
from aftersales.roster.models import RosterAlertMark
from aftersales.roster.services import alert_out_of_hours_cases
from aftersales.roster.tests.factories import at, make_shift, make_team

pytestmark = pytest.mark.django_db


def _file(agent, customer, when, impact="outage", title="收费车道无法交易"):
    case, _created = case_services.case_open(
        actor=agent,
        customer_id=customer.pk,
        channel="phone",
        category="fault",
        title=title,
        impact=impact,
        now=when,
    )
    return case


def _outbox():
    return sorted(OutboxMessage.objects.values_list("recipient", "subject"))


@pytest.fixture
def night(hotline_office, field_team, expert_team, agent, bob, carol, expert):
    """Monday night: agent (hotline on-call), bob (field) and an expert on duty; carol is not."""
    make_shift(hotline_office, agent, "2026-11-02 18:00", "2026-11-03 09:00", kind="on_call")
    make_shift(field_team, bob, "2026-11-02 20:00", "2026-11-03 08:00")
    make_shift(field_team, carol, "2026-11-02 08:00", "2026-11-02 20:00")
    make_shift(expert_team, expert, "2026-11-02 18:00", "2026-11-03 09:00")
    # the scan has been running: the mark is just before the night's cases
    RosterAlertMark.objects.create(
        name="out_of_hours_cases", high_water_mark=at("2026-11-02 21:59")
    )


def test_a_p1_filed_out_of_hours_notifies_the_on_duty_hotline_and_field_people_once(
    night, agent, acme, diamond_contract
):
    # given
    case = _file(agent, acme, at("2026-11-02 22:00"))
    # when
    first = alert_out_of_hours_cases(now=at("2026-11-02 22:01"))
    again = alert_out_of_hours_cases(now=at("2026-11-02 22:02"))  # within the re-scan margin
    # then
    assert (first.cases, again.cases) == (1, 1)
    subject = f"【非工作时间 P1】{case.number} 收费车道无法交易"
    assert _outbox() == [("agent@example.invalid", subject), ("bob@example.invalid", subject)]
    assert OutboxMessage.objects.get(recipient="bob@example.invalid").body == (
        f"工单 {case.number}（P1）于 2026-11-02 22:00 在非工作时间登记：收费车道无法交易\n"
        "您正在值班（field-north），请及时处理。"
    )
    assert RosterAlertMark.objects.get().high_water_mark == at("2026-11-02 22:02")


def test_a_p2_is_alerted_but_a_p3_is_not(night, agent, acme, diamond_contract):
    _file(agent, acme, at("2026-11-02 22:00"), impact="degraded")
    _file(agent, acme, at("2026-11-02 22:00"), impact="limited")
    result = alert_out_of_hours_cases(now=at("2026-11-02 22:01"))
    assert result.cases == 1
    assert OutboxMessage.objects.count() == 2
    assert all("P2" in subject for _recipient, subject in _outbox())


def test_a_p1_filed_in_the_hotline_hours_is_not_alerted(
    hotline_office, field_team, agent, bob, acme, diamond_contract
):
    # given
    make_shift(field_team, bob, "2026-11-02 08:00", "2026-11-02 20:00")
    RosterAlertMark.objects.create(
        name="out_of_hours_cases", high_water_mark=at("2026-11-02 09:59")
    )
    _file(agent, acme, at("2026-11-02 10:00"))
    # when
    result = alert_out_of_hours_cases(now=at("2026-11-02 10:01"))
    # then
    assert result.cases == 0
    assert OutboxMessage.objects.count() == 0


def test_with_a_7x24_hotline_nothing_is_out_of_hours(hotline_24x7, agent, acme, diamond_contract):
    make_shift(hotline_24x7, agent, "2026-11-02 20:00", "2026-11-03 08:00")
    _file(agent, acme, at("2026-11-02 23:00"))
    assert alert_out_of_hours_cases(now=at("2026-11-02 23:01")).cases == 0
    assert OutboxMessage.objects.count() == 0


def test_a_case_on_a_public_holiday_is_out_of_hours(hotline_office, agent, acme, diamond_contract):
    # given National Day, covered by a holiday shift of the hotline
    make_shift(hotline_office, agent, "2026-10-01 08:00", "2026-10-01 20:00", kind="holiday")
    _file(agent, acme, at("2026-10-01 10:00"))
    # when
    result = alert_out_of_hours_cases(now=at("2026-10-01 10:01"))
    # then
    assert result.cases == 1
    assert [recipient for recipient, _subject in _outbox()] == ["agent@example.invalid"]


def test_with_nobody_on_duty_the_managers_are_told(
    hotline_office, agent, manager, acme, diamond_contract
):
    case = _file(agent, acme, at("2026-11-07 03:00"))  # Saturday night, empty roster
    alert_out_of_hours_cases(now=at("2026-11-07 03:01"))
    assert _outbox() == [
        ("manager@example.invalid", f"【非工作时间 P1】{case.number} 收费车道无法交易")
    ]
    assert OutboxMessage.objects.get().body.endswith("当前无人值班，请立即安排人员处理。")


def test_cases_behind_the_mark_are_not_alerted_again_and_the_margin_catches_late_commits(
    night, agent, acme, diamond_contract
):
    # given cases filed before the last scan: one long before, one just before
    old = _file(agent, acme, at("2026-11-02 21:30"), title="旧工单")
    late = _file(agent, acme, at("2026-11-02 21:57"), title="迟到提交")
    # when
    result = alert_out_of_hours_cases(now=at("2026-11-02 22:01"))
    # then
    assert result.cases == 1
    subjects = {subject for _recipient, subject in _outbox()}
    assert subjects == {f"【非工作时间 P1】{late.number} 迟到提交"}
    assert old.number not in "".join(subjects)


def test_the_first_scan_ever_looks_back_a_quarter_of_an_hour_only(
    hotline_office, field_team, agent, bob, acme, diamond_contract
):
    make_shift(field_team, bob, "2026-11-02 20:00", "2026-11-03 08:00")
    _file(agent, acme, at("2026-11-02 21:00"), title="历史工单")
    recent = _file(agent, acme, at("2026-11-02 22:00"), title="新工单")
    result = alert_out_of_hours_cases(now=at("2026-11-02 22:05"))
    assert result.cases == 1
    assert _outbox() == [("bob@example.invalid", f"【非工作时间 P1】{recent.number} 新工单")]
    assert RosterAlertMark.objects.get().high_water_mark == at("2026-11-02 22:05")


def test_a_case_already_closed_wakes_nobody(night, agent, acme, diamond_contract):
    case = _file(agent, acme, at("2026-11-02 22:00"))
    case.status = "closed"
    case.save()
    assert alert_out_of_hours_cases(now=at("2026-11-02 22:01")).cases == 0
    assert OutboxMessage.objects.count() == 0


def test_the_mark_never_moves_back(night, agent, acme, diamond_contract):
    alert_out_of_hours_cases(now=at("2026-11-02 23:00"))
    alert_out_of_hours_cases(now=at("2026-11-02 22:30"))
    assert RosterAlertMark.objects.get().high_water_mark == at("2026-11-02 23:00")


def test_a_hotline_team_in_hours_anywhere_means_the_case_is_in_hours(
    hotline_office, agent, bob, field_team, acme, diamond_contract
):
    # given a second hotline that works 7x24
    make_team("hotline-night", "hotline")
    make_shift(field_team, bob, "2026-11-02 20:00", "2026-11-03 08:00")
    _file(agent, acme, at("2026-11-02 22:00"))
    assert alert_out_of_hours_cases(now=at("2026-11-02 22:01") + dt.timedelta(seconds=1)).cases == 0
