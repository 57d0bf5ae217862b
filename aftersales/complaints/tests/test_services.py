from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from aftersales.accounts.models import User
from aftersales.cases import services as case_services
from aftersales.cases.models import Case, Status
from aftersales.complaints import services
from aftersales.complaints.models import ActionStatus, Complaint, CorrectiveAction
from aftersales.complaints.tests.conftest import NOW
from aftersales.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ValidationFailed,
)

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 20)


def _resolve(case_id: Any, actor: User) -> None:
    case_services.case_acknowledge(actor=actor, case_id=case_id, now=NOW + dt.timedelta(hours=1))
    case_services.case_resolve(actor=actor, case_id=case_id, resolution="已致歉并重新安排", now=NOW + dt.timedelta(hours=5))


def test_filing_a_complaint_opens_a_complaint_case_with_the_complaint_deadlines(
        file_complaint: Callable[..., Complaint]) -> None:
    # when
    complaint = file_complaint(severity="serious")
    # then
    assert complaint.case.category == "complaint"
    assert complaint.case.severity == "P2"
    assert complaint.acknowledge_due_at == NOW + dt.timedelta(hours=4)
    assert complaint.resolve_due_at == NOW + dt.timedelta(days=5)
    assert complaint.acknowledged_at is None


def test_a_complaint_case_runs_the_complaint_policys_clocks_and_stays_the_contracts(
        file_complaint: Callable[..., Complaint], diamond_contract: Any) -> None:
    # when: a serious complaint from a customer with a diamond contract (P2 response there 1 h)
    complaint = file_complaint(severity="serious")
    # then: its clocks are the complaint policy's (P2: acknowledge 4 h, resolve 5 days), the
    # same times the complaint promises, so the sweep warns and escalates before them
    case = complaint.case
    assert case.policy.code == "complaint"
    assert case.contract_id == diamond_contract.pk
    due = dict(case.clocks.values_list("target", "due_at"))
    assert due["first_response"] == complaint.acknowledge_due_at
    assert due["resolution"] == complaint.resolve_due_at
    assert case.next_due_at == complaint.acknowledge_due_at


def test_without_the_complaint_policy_a_complaint_case_keeps_its_contracts(
        file_complaint: Callable[..., Complaint], diamond_contract: Any) -> None:
    from aftersales.contracts.models import SlaPolicy

    SlaPolicy.objects.filter(code="complaint").delete()
    complaint = file_complaint(severity="serious")
    assert complaint.case.policy.code == "diamond"
    assert complaint.acknowledge_due_at is None


def test_a_customer_files_for_its_own_organisation_only_at_general_severity(
        acme: Any, globex: Any, alice: User) -> None:
    complaint, created = services.complaint_file(actor=alice, customer_id=acme.pk, title="客服态度差", now=NOW)
    assert created
    assert complaint.severity == "general"
    assert complaint.case.severity == "P3"
    assert complaint.resolve_due_at == NOW + dt.timedelta(days=7)
    with pytest.raises(NotFound):
        services.complaint_file(actor=alice, customer_id=globex.pk, title="x", now=NOW)
    with pytest.raises(PermissionDenied):
        services.complaint_file(actor=alice, customer_id=acme.pk, title="x", severity="critical", now=NOW)
    assert Complaint.objects.count() == 1


def test_engineers_do_not_file_complaints(acme: Any, bob: User) -> None:
    with pytest.raises(PermissionDenied):
        services.complaint_file(actor=bob, customer_id=acme.pk, title="x", now=NOW)
    assert not Case.objects.exists()


def test_the_subject_must_be_the_customers_and_a_work_order_names_its_technician(
        file_complaint: Callable[..., Complaint], globex: Any, charlie: User, manager: User) -> None:
    other, _created = case_services.case_open(actor=charlie, customer_id=globex.pk, channel="web",
                                              category="fault", title="别家的工单")
    with pytest.raises(ValidationFailed) as refused:
        file_complaint(subject_case_id=other.pk)
    assert refused.value.field == "subject_case_id"
    assert Complaint.objects.count() == 0


def test_the_same_idempotency_key_returns_the_first_complaint(acme: Any, agent: User) -> None:
    first, created = services.complaint_file(actor=agent, customer_id=acme.pk, title="重复", idempotency_key="k1",
                                             fingerprint="f", now=NOW)
    again, created_again = services.complaint_file(actor=agent, customer_id=acme.pk, title="重复",
                                                   idempotency_key="k1", fingerprint="f", now=NOW)
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert Complaint.objects.count() == 1


def test_root_cause_is_recorded_by_staff_with_a_known_category(
        file_complaint: Callable[..., Complaint], agent: User, alice: User, bob: User) -> None:
    complaint = file_complaint()
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_set_root_cause(actor=agent, complaint_id=complaint.pk, category="bad", text="x")
    assert refused.value.field == "category"
    with pytest.raises(PermissionDenied):
        services.complaint_set_root_cause(actor=bob, complaint_id=complaint.pk, category="attitude", text="x")
    with pytest.raises(PermissionDenied):
        services.complaint_set_root_cause(actor=alice, complaint_id=complaint.pk, category="attitude", text="x")
    saved = services.complaint_set_root_cause(actor=agent, complaint_id=complaint.pk, category="response_delay",
                                              text="派工时未考虑路况", expected_version=1)
    assert (saved.root_cause_category, saved.root_cause, saved.version) == ("response_delay", "派工时未考虑路况", 2)
    with pytest.raises(PreconditionFailed):
        services.complaint_set_root_cause(actor=agent, complaint_id=complaint.pk, category="attitude", text="y",
                                          expected_version=1)
    complaint.refresh_from_db()
    assert complaint.root_cause_category == "response_delay"


def test_an_action_is_done_by_its_owner_and_verified_by_another_manager(
        file_complaint: Callable[..., Complaint], agent: User, bob: User, manager: User, manager2: User) -> None:
    # given
    complaint = file_complaint()
    action = services.action_add(actor=agent, complaint_id=complaint.pk, kind="corrective", description="调度培训",
                                 owner_id=manager.pk, due_on=DUE, now=NOW)
    # when someone else than the owner reports it done
    with pytest.raises(PermissionDenied):
        services.action_complete(actor=bob, action_id=action.pk)
    # then only the owner (or a manager) may
    services.action_complete(actor=manager, action_id=action.pk, note="已完成培训")
    with pytest.raises(PermissionDenied):  # the owner cannot verify its own action
        services.action_verify(actor=manager, action_id=action.pk)
    with pytest.raises(PermissionDenied):  # nor can a non-manager
        services.action_verify(actor=agent, action_id=action.pk)
    verified = services.action_verify(actor=manager2, action_id=action.pk, note="抽查有效")
    assert (verified.status, verified.verified_by) == (ActionStatus.VERIFIED, manager2)
    with pytest.raises(Conflict):
        services.action_verify(actor=manager2, action_id=action.pk)


def test_a_verifier_may_send_an_action_back_with_a_reason(
        file_complaint: Callable[..., Complaint], agent: User, bob: User, manager: User) -> None:
    complaint = file_complaint()
    action = services.action_add(actor=agent, complaint_id=complaint.pk, kind="preventive", description="备件前置",
                                 owner_id=bob.pk, due_on=DUE, now=NOW)
    with pytest.raises(Conflict):  # not done yet
        services.action_verify(actor=manager, action_id=action.pk)
    services.action_complete(actor=bob, action_id=action.pk)
    with pytest.raises(ValidationFailed):
        services.action_verify(actor=manager, action_id=action.pk, accepted=False)
    back = services.action_verify(actor=manager, action_id=action.pk, accepted=False, note="未覆盖喀什库")
    assert (back.status, back.done_at) == (ActionStatus.OPEN, None)


def test_an_action_needs_an_owner_a_description_and_a_due_date_not_in_the_past(
        file_complaint: Callable[..., Complaint], agent: User, alice: User) -> None:
    complaint = file_complaint()
    for fields, field in (({"owner_id": None}, "owner_id"), ({"owner_id": alice.pk}, "owner_id"),
                          ({"description": " "}, "description"), ({"due_on": dt.date(2026, 3, 1)}, "due_on"),
                          ({"kind": "other"}, "kind")):
        values: dict[str, Any] = {"kind": "corrective", "description": "x", "owner_id": agent.pk, "due_on": DUE}
        values.update(fields)
        with pytest.raises(ValidationFailed) as refused:
            services.action_add(actor=agent, complaint_id=complaint.pk, now=NOW, **values)
        assert refused.value.field == field
    assert not CorrectiveAction.objects.exists()


def test_an_open_action_past_its_due_date_is_overdue(file_complaint: Callable[..., Complaint], agent: User) -> None:
    complaint = file_complaint()
    action = services.action_add(actor=agent, complaint_id=complaint.pk, kind="corrective", description="x",
                                 owner_id=agent.pk, due_on=DUE, now=NOW)
    assert not action.is_overdue(DUE)
    assert action.is_overdue(DUE + dt.timedelta(days=1))


def test_a_complaint_cannot_be_closed_until_every_action_is_verified(
        file_complaint: Callable[..., Complaint], acme: Any, alice: User, agent: User, bob: User,
        manager: User) -> None:
    # given a resolved complaint with an action not yet verified
    complaint = file_complaint()
    services.complaint_set_root_cause(actor=agent, complaint_id=complaint.pk, category="attitude", text="沟通生硬")
    action = services.action_add(actor=agent, complaint_id=complaint.pk, kind="corrective", description="服务礼仪培训",
                                 owner_id=bob.pk, due_on=DUE, now=NOW)
    _resolve(complaint.case_id, agent)
    # when the customer consents to closure
    with pytest.raises(Conflict) as refused:
        case_services.case_confirm_closure(actor=alice, case_id=complaint.case_id)
    # then it is refused, and nothing changed
    assert refused.value.code == "actions_not_verified"
    case = Case.objects.get(pk=complaint.case_id)
    assert case.status == Status.RESOLVED
    assert not case.consents.exists()
    complaint.refresh_from_db()
    assert complaint.closed_at is None
    assert complaint.acknowledged_at == NOW + dt.timedelta(hours=1)
    assert complaint.resolved_at == NOW + dt.timedelta(hours=5)
    # and once verified it closes
    services.action_complete(actor=bob, action_id=action.pk)
    services.action_verify(actor=manager, action_id=action.pk)
    case_services.case_confirm_closure(actor=alice, case_id=complaint.case_id)
    complaint.refresh_from_db()
    assert complaint.closed_at is not None
    with pytest.raises(Conflict):  # a closed complaint takes no new actions
        services.action_add(actor=agent, complaint_id=complaint.pk, kind="corrective", description="x",
                            owner_id=agent.pk, due_on=DUE + dt.timedelta(days=3650), now=NOW)


def test_a_complaint_without_a_root_cause_cannot_be_closed(
        file_complaint: Callable[..., Complaint], alice: User, agent: User) -> None:
    complaint = file_complaint()
    _resolve(complaint.case_id, agent)
    with pytest.raises(Conflict) as refused:
        case_services.case_confirm_closure(actor=alice, case_id=complaint.case_id)
    assert refused.value.code == "root_cause_required"


def test_other_cases_close_as_before(acme: Any, alice: User, agent: User) -> None:
    case, _created = case_services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                             title="RSU 掉线")
    _resolve(case.pk, agent)
    closed = case_services.case_confirm_closure(actor=alice, case_id=case.pk)
    assert closed.status == Status.CLOSED
