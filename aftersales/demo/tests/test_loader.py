from __future__ import annotations

import pytest
from django.core.management import call_command

from aftersales.accounts.models import Role, User
from aftersales.cases.models import Case, Status
from aftersales.contracts.models import Contract
from aftersales.demo.loader import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_role_two_customer_users_every_tier_and_every_status():
    # when
    users = load_demo(password="demo-password-1")
    # then
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.filter(role=Role.CUSTOMER).values("customer").distinct().count() == 2
    assert set(Contract.objects.values_list("tier__code", flat=True)) == {"diamond", "gold", "silver"}
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert Case.objects.filter(is_breached=True).exists()
    assert "kashi" in users.usernames


def test_loading_the_demo_twice_changes_nothing():
    load_demo(password="demo-password-1")
    cases = Case.objects.count()
    load_demo(password="demo-password-1")
    assert Case.objects.count() == cases


def test_createuser_makes_a_customer_user_by_customer_code(capsys):
    load_demo(password="demo-password-1")
    call_command("createuser", "newbie", "--role", "customer", "--customer", "xjgl-kashi",
                 "--password", "long-password-1")
    user = User.objects.get(username="newbie")
    assert (user.role, user.customer.code) == ("customer", "xjgl-kashi")
    assert "created newbie" in capsys.readouterr().out


def test_the_demo_has_field_service_in_every_state():
    from aftersales.emergencies.models import FaultClass
    from aftersales.parts.models import PartsRequest, PurchaseSuggestion, Stock
    from aftersales.parts.services import ledger_balance_check
    from aftersales.roster.models import Shift, Team
    from aftersales.workorders.models import WorkOrder, WorkOrderStatus

    load_demo(password="demo-password-1")
    assert set(WorkOrder.objects.values_list("status", flat=True)) == set(WorkOrderStatus.values)
    assert FaultClass.objects.filter(level__level=1).exists()
    assert Case.objects.filter(fault_class__level__level=1, in_queue=True).exists()
    assert Team.objects.count() == 3
    assert Shift.objects.count() > 60
    assert Stock.objects.filter(on_hand__gt=0).count() >= 7
    assert PurchaseSuggestion.objects.exists()  # the last camera lens was used
    assert PartsRequest.objects.exists()
    assert ledger_balance_check() == []
    from aftersales.loans.models import Loan
    from aftersales.returns.models import ReturnRequest

    assert set(Loan.objects.values_list("status", flat=True)) == {"out", "returned"}
    assert set(ReturnRequest.objects.values_list("status", flat=True)) == {"completed", "rejected"}


def test_the_demo_has_sealed_log_books_whose_chains_verify():
    from aftersales.maintenance.chain import verify_chain
    from aftersales.maintenance.models import LogStatus, MaintenanceLog

    load_demo(password="demo-password-1")
    assert set(MaintenanceLog.objects.values_list("status", flat=True)) == set(LogStatus.values)
    assert MaintenanceLog.objects.filter(corrects__isnull=False).exists()
    report = verify_chain()
    assert report.broken is None
    assert report.checked >= 20


def test_the_demo_has_inspection_plans_done_failed_and_overdue():
    from aftersales.inspections.models import (
        InspectionItemResult,
        InspectionOccurrence,
        InspectionPlan,
    )

    load_demo(password="demo-password-1")
    # the three plans of the inspection demo, and the spring festival's pre-inspection
    assert InspectionPlan.objects.count() == 4
    assert InspectionOccurrence.objects.filter(status="completed").exists()
    assert InspectionOccurrence.objects.filter(overdue_at__isnull=False).exists()
    failed = InspectionItemResult.objects.get(is_passed=False)
    assert failed.case.channel == "inspection"
