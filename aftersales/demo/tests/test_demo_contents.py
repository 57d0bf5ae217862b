"""What the demo company holds beyond cases: inspections, sealed logs, special periods, training,
the knowledge base and complaints — loaded once, checked together (a demo load takes seconds)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.complaints.models import ActionStatus, Complaint, QualityEvaluation
from aftersales.demo.knowledge import ARTICLES, RESOLVED_CASE_TITLE
from aftersales.demo.loader import load_demo
from aftersales.inspections.models import InspectionOccurrence, InspectionPlan
from aftersales.knowledge.models import Article, CaseSolution
from aftersales.knowledge.search import search
from aftersales.maintenance.models import MaintenanceLog
from aftersales.special_periods import selectors as special_periods
from aftersales.special_periods.models import SpecialPeriod
from aftersales.surveys.models import ReturnVisit, Survey
from aftersales.training.models import (
    Qualification,
    SessionStatus,
    TrainingMaterial,
    TrainingSession,
)
from aftersales.training.selectors import materials_for_user, sessions_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_demo_has_plans_logs_special_periods_training_articles_and_complaints():
    load_demo(password="x" * 10)
    # inspections: plans, completed and overdue occurrences; sealed log books
    assert InspectionPlan.objects.exists()
    assert InspectionOccurrence.objects.filter(status="completed").exists()
    assert InspectionOccurrence.objects.filter(overdue_at__isnull=False, status__in=["planned", "scheduled"]).exists()
    assert MaintenanceLog.objects.filter(sealed_at__isnull=False).count() > 10
    # special periods: a spring festival being prepared (not yet ready) and a snowstorm under way
    spring = SpecialPeriod.objects.get(kind="holiday")
    storm = SpecialPeriod.objects.get(kind="severe_weather")
    assert (spring.status, storm.status) == ("draft", "active")
    ready = special_periods.period_readiness(spring)
    assert ready.is_ready is False
    field = next(cover for cover in ready.duty.teams if cover.team_code == "field-urumqi")
    assert field.gap_minutes == 240
    assert [line.part_code for line in ready.parts.lines] == ["RSU-ANT-01", "UPS-BAT-12"]
    # training: held and planned sessions, qualifications granted, materials a customer can read
    assert sorted(TrainingSession.objects.values_list("status", flat=True)) == [
        SessionStatus.HELD, SessionStatus.HELD, SessionStatus.PLANNED, SessionStatus.PLANNED]
    assert Qualification.objects.filter(revoked_at__isnull=True).count() == 3
    customer_user = User.objects.get(username="xjjt")
    assert sessions_for_user(customer_user).exists()
    assert "RSU-5800 路侧单元操作指南" in [m.title for m in materials_for_user(customer_user)]
    with TrainingMaterial.objects.first().file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    # knowledge base: published articles found by search, one in review, a draft from a solved case
    assert Article.objects.filter(status="published").count() == len(ARTICLES)
    assert Article.objects.filter(status="in_review").count() == 1
    draft = Article.objects.get(status="draft")
    assert draft.source_case.title == RESOLVED_CASE_TITLE
    assert CaseSolution.objects.get().case_id == draft.source_case_id
    agent = User.objects.get(username="agent")
    for term in ("断电", "黑屏", "卡", "RSU-5000 天线", "车道控制机"):
        assert {hit.kind for hit in search(user=agent, query=term, kinds=["article"])} == {"article"}, term
    titles = {hit.title for hit in search(user=customer_user, query="断电", kinds=["article"])}
    assert "RSU 天线断电导致 ETC 车道无法交易" in titles
    assert "OTN 光传输设备 LOS 告警、视频回传中断" not in titles
    # complaints: one closed with its action verified, one open with an overdue action; evaluations
    closed, still_open = Complaint.objects.order_by("filed_at")
    assert closed.closed_at is not None
    assert [a.status for a in closed.actions.all()] == [ActionStatus.VERIFIED]
    assert still_open.closed_at is None
    assert still_open.actions.get().is_overdue()
    assert QualityEvaluation.objects.exists()
    # surveys: answered ones (one low, with its follow-up case), a pending one; return visits
    now = timezone.now()
    statuses = [survey.status_at(now) for survey in Survey.objects.all()]
    assert "answered" in statuses
    assert "pending" in statuses
    low = Survey.objects.get(is_low_score=True)
    assert low.follow_up_case is not None
    assert low.follow_up_case.category == "consultation"
    assert {visit.status for visit in ReturnVisit.objects.all()} >= {"done", "due"}
