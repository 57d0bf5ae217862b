from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from aftersales.accounts.models import User
from aftersales.cases import services as case_services
from aftersales.complaints import services
from aftersales.complaints.evaluation import (
    evaluation_figures,
    score_parts,
    team_subject,
    technician_subject,
)
from aftersales.complaints.models import Complaint, QualityEvaluation
from aftersales.roster.models import Team, Technician
from aftersales.surveys import services as survey_services
from aftersales.surveys.models import Survey
from aftersales.surveys.tests.factories import closed_case
from aftersales.workorders.models import WorkOrder

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def at(day: int, hour: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


def _case(actor: User, customer: Any, assignee: User, opened: dt.datetime, responded: dt.datetime,
          resolved: dt.datetime) -> Any:
    # No contract: the standard policy, P3 consultation — first response 24 h, resolution 7 days.
    case, _created = case_services.case_open(actor=actor, customer_id=customer.pk, channel="phone",
                                             category="consultation", title="咨询", severity="P3",
                                             assignee_id=assignee.pk, now=opened)
    case_services.case_respond(actor=actor, case_id=case.pk, message="已答复", now=responded)
    case_services.case_resolve(actor=actor, case_id=case.pk, resolution="已解答", now=resolved)
    return case


@pytest.fixture
def march(acme: Any, manager: User, agent: User, bob: User,
          file_complaint: Callable[..., Complaint]) -> tuple[Team, Technician]:
    """Bob (team 现场一组) in March 2026: 2 clocks met, 2 breached; 3 work orders done (one more
    in April); one complaint naming him (one more in April)."""
    team = Team.objects.create(code="field-1", name="现场一组", kind="field")
    profile = Technician.objects.create(user=bob, team=team)
    on_time = _case(manager, acme, bob, at(2, 10), at(2, 12), at(4, 10))
    _case(manager, acme, bob, at(5, 10), at(7, 10), at(13, 10))  # both targets missed
    for number, done in enumerate([at(3, 9), at(10, 9), at(31, 23), at(1, 1, month=4)]):
        WorkOrder.objects.create(number=f"WO-{number}", case=on_time, technician=bob, status="work_done",
                                 work_done_at=done)
    file_complaint(subject_technician_id=bob.pk, now=at(15, 9))
    file_complaint(subject_technician_id=bob.pk, now=at(2, 9, month=4))
    return team, profile


@pytest.mark.django_db
def test_a_technicians_figures_for_a_month_match_the_hand_count(march: tuple[Team, Technician]) -> None:
    # when
    figures = evaluation_figures(subject=technician_subject(march[1]), start=MARCH, end=APRIL)
    # then: SLA 2/4 → 0.5 × 0.5; complaints 1 − 0.25 → 0.75 × 0.2; no satisfaction by technician
    assert (figures.clocks_met, figures.clocks_breached) == (2, 2)
    assert figures.sla_rate == Decimal("0.5000")
    assert figures.work_orders_done == 3
    assert figures.complaints == 1
    assert figures.satisfaction_average is None
    assert figures.note == "本期没有已答复的满意度调查，满意度项不计入得分"
    assert figures.parts["sla"]["points"] == "35.7"
    assert figures.parts["complaints"]["points"] == "21.4"
    assert figures.parts["satisfaction"]["points"] is None
    assert figures.score == Decimal("57.1")


@pytest.mark.django_db
def test_the_surveys_of_a_technicians_cases_enter_the_score_and_the_teams(
        march: tuple[Team, Technician], agent: User, alice: User, bob: User, acme: Any) -> None:
    # given: two closed cases of Bob's surveyed in March and answered (all 5s, then 4,4,3,3),
    # one of the agent's (all 1s) that is no one's in the team, and one of Bob's sent in April
    for assignee, when, ratings in ((bob, at(20, 10), (5, 5, 5, 5)), (bob, at(21, 10), (4, 4, 3, 3)),
                                    (agent, at(22, 10), (1, 1, 1, 1)), (bob, at(2, 10, month=4), (1, 1, 1, 1))):
        case = closed_case(agent, acme, when=when, assignee=assignee)
        survey = Survey.objects.get(case=case)
        survey_services.survey_answer(actor=alice, survey_id=survey.pk, now=when, answers=dict(
            zip(("response_speed", "professionalism", "result", "attitude"), ratings, strict=True)))
    # when
    technician = evaluation_figures(subject=technician_subject(march[1]), start=MARCH, end=APRIL)
    team = evaluation_figures(subject=team_subject(march[0]), start=MARCH, end=APRIL)
    # then: (20 + 14) / 8 = 4.25 → (4.25 − 1) / 4 = 0.8125; the team has the same cases
    assert (technician.satisfaction_average, technician.satisfaction_responses) == (Decimal("4.25"), 2)
    assert technician.parts["satisfaction"]["value"] == "0.8125"
    # Bob's two surveyed cases were resolved at once: 2 more met clocks each, SLA 6 / 8 = 0.75;
    # 100 × (0.5 × 0.75 + 0.3 × 0.8125 + 0.2 × 0.75) = 37.5 + 24.4 + 15 (rounded per part)
    assert (technician.clocks_met, technician.clocks_breached) == (6, 2)
    assert technician.score == Decimal("76.9")
    assert technician.note == ""
    assert (team.satisfaction_average, team.satisfaction_responses) == (Decimal("4.25"), 2)


def test_the_score_uses_every_part_when_all_have_data() -> None:
    score, parts = score_parts(clocks_met=9, clocks_breached=1, complaints=0, satisfaction_average=Decimal("4.6"))
    # 100 × (0.5 × 0.9 + 0.3 × 0.9 + 0.2 × 1) = 45 + 27 + 20
    assert (parts["sla"]["points"], parts["satisfaction"]["points"], parts["complaints"]["points"]) == \
        ("45.0", "27.0", "20.0")
    assert score == Decimal("92.0")


def test_many_complaints_floor_the_complaint_part_at_zero() -> None:
    score, parts = score_parts(clocks_met=0, clocks_breached=0, complaints=5, satisfaction_average=None)
    assert parts["complaints"]["value"] == "0"
    assert score == Decimal("0.0")


@pytest.mark.django_db
def test_the_monthly_snapshot_stores_team_and_technician_once(march: tuple[Team, Technician]) -> None:
    # when
    first = services.evaluations_snapshot_last_month(now=at(1, 3, month=4))
    again = services.evaluations_snapshot(period_start=MARCH)
    # then
    assert (first, again) == (2, 0)
    rows = {row.subject_kind: row for row in QualityEvaluation.objects.all()}
    assert (rows["team"].clocks_met, rows["team"].clocks_breached, rows["team"].work_orders_done,
            rows["team"].complaints, rows["team"].score) == (2, 2, 3, 1, Decimal("57.1"))
    assert rows["technician"].period_end == APRIL


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_runs_store_each_evaluation_exactly_once(make_user: Callable[..., User]) -> None:
    # given
    teams = [Team.objects.create(code=f"t{i}", name=f"组{i}", kind="field") for i in range(3)]
    for i in range(3):
        Technician.objects.create(user=make_user(f"tech{i}", "engineer"), team=teams[i])
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    inserted: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            inserted.append(services.evaluations_snapshot(period_start=MARCH))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then
    assert errors == []
    assert QualityEvaluation.objects.count() == 6
    assert QualityEvaluation.objects.values("subject_key", "period_start").distinct().count() == 6
