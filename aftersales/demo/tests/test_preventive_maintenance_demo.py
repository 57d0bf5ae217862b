"""The demo's special periods and training, loaded with the whole demo company."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import User
from aftersales.demo.loader import load_demo
from aftersales.inspections.models import InspectionOccurrence, InspectionPlan
from aftersales.maintenance.models import MaintenanceLog
from aftersales.special_periods import selectors as special_periods
from aftersales.special_periods.models import SpecialPeriod
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


def test_the_demo_has_plans_inspections_sealed_logs_special_periods_and_training():
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
