from __future__ import annotations

import pytest

from aftersales.cases import services as case_services
from aftersales.cases.models import CaseEvent, EventKind
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from aftersales.parts.models import Stock, StockMovement
from aftersales.returns import services
from aftersales.returns.models import ReturnRequest
from aftersales.returns.tests.conftest import at

pytestmark = pytest.mark.django_db

DAY_7 = at("2026-03-08 20:00")
DAY_8 = at("2026-03-09 09:00")


def _open(actor, asset, when=DAY_7, **kw):
    kw.setdefault("kind", "return")
    kw.setdefault("reason", "不想要了")
    request, _created = services.return_request_open(actor=actor, asset_id=asset.pk, now=when, **kw)
    return request


def test_a_customer_files_a_return_on_day_7_and_the_policy_answer_is_recorded(alice, obu):
    request = _open(alice, obu)
    assert (request.status, request.customer_id, request.requested_by_id) == ("requested", obu.customer_id, alice.pk)
    assert (request.policy_outcome, request.is_policy_eligible) == ("within_return_window", True)


def test_on_day_8_the_same_request_is_outside_the_policy(alice, obu):
    request = _open(alice, obu, when=DAY_8)
    assert (request.policy_outcome, request.is_policy_eligible) == ("chargeable_repair", False)


def test_another_organisations_asset_is_not_found(charlie, obu):
    with pytest.raises(NotFound):
        _open(charlie, obu)
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize(("change", "field"), [({"reason": " "}, "reason"), ({"kind": "refund"}, "kind")])
def test_filing_validates_its_input(alice, obu, change, field):
    with pytest.raises(ValidationFailed) as refused:
        _open(alice, obu, **change)
    assert refused.value.field == field


def test_a_case_of_another_asset_is_refused(agent, acme, obu, acme_asset, diamond_contract):
    case, _ = case_services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="return_exchange",
                                      title="退货", asset_id=acme_asset.pk)
    with pytest.raises(ValidationFailed) as refused:
        _open(agent, obu, case_id=case.pk)
    assert refused.value.field == "case_id"


def test_an_idempotency_key_files_once(alice, obu):
    first, created = services.return_request_open(actor=alice, asset_id=obu.pk, kind="return", reason="x",
                                                  idempotency_key="k", fingerprint="f")
    again, created_again = services.return_request_open(actor=alice, asset_id=obu.pk, kind="return", reason="x",
                                                        idempotency_key="k", fingerprint="f")
    assert (created, created_again, again.pk) == (True, False, first.pk)
    with pytest.raises(Conflict):
        services.return_request_open(actor=alice, asset_id=obu.pk, kind="exchange", reason="x",
                                     idempotency_key="k", fingerprint="g")


# --- decisions ------------------------------------------------------------------------------


def test_the_decision_defaults_to_the_policy(agent, alice, obu):
    request = _open(alice, obu, is_quality_fault=True)
    decided = services.return_decide(actor=agent, request_id=request.pk, now=at("2026-03-10 09:00"))
    assert (decided.status, decided.decision, decided.is_override, decided.decided_by_id) == (
        "approved", "approved", False, agent.pk)
    assert (decided.is_chargeable, decided.return_shipping_paid_by) == (False, "seller")
    assert decided.decision_reason == "在购买后 7 天内"


def test_the_policy_rejects_a_return_after_the_window(agent, alice, obu):
    request = _open(alice, obu, when=DAY_8)
    decided = services.return_decide(actor=agent, request_id=request.pk)
    assert (decided.status, decided.decision) == ("rejected", "rejected")
    assert decided.decision_reason == "已超过购买后 7 天的退换货期限；非质量故障"


def test_a_chargeable_repair_is_approved_as_chargeable(agent, alice, obu):
    request = _open(alice, obu, when=DAY_8, kind="repair")
    decided = services.return_decide(actor=agent, request_id=request.pk)
    assert (decided.status, decided.is_chargeable, decided.return_shipping_paid_by) == ("approved", True, "customer")


def test_an_agent_cannot_override_the_policy(agent, alice, obu):
    request = _open(alice, obu, when=DAY_8)
    with pytest.raises(PermissionDenied) as refused:
        services.return_decide(actor=agent, request_id=request.pk, approve=True, reason="老客户")
    assert refused.value.code == "override_forbidden"
    request.refresh_from_db()
    assert (request.status, request.decision) == ("requested", "")


def test_a_manager_overrides_only_with_a_written_reason(manager, alice, obu):
    request = _open(alice, obu, when=DAY_8)
    with pytest.raises(ValidationFailed) as refused:
        services.return_decide(actor=manager, request_id=request.pk, approve=True)
    assert refused.value.field == "reason"
    decided = services.return_decide(actor=manager, request_id=request.pk, approve=True, reason="重点客户通融")
    assert (decided.status, decided.is_override, decided.decision_reason) == ("approved", True, "重点客户通融")


def test_a_customer_cannot_decide(alice, obu):
    request = _open(alice, obu)
    with pytest.raises(PermissionDenied):
        services.return_decide(actor=alice, request_id=request.pk)


def test_another_organisation_gets_not_found_for_actions(charlie, alice, obu):
    request = _open(alice, obu)
    with pytest.raises(NotFound):
        services.return_decide(actor=charlie, request_id=request.pk)


# --- the state machine ----------------------------------------------------------------------


@pytest.mark.parametrize("faulty", [True, False])
def test_receiving_moves_stock_through_the_parts_ledger(agent, alice, obu, depot, part, faulty):
    request = _open(alice, obu, is_quality_fault=faulty)
    services.return_decide(actor=agent, request_id=request.pk)
    received = services.return_receive(actor=agent, request_id=request.pk, depot=depot, part=part)
    stock = Stock.objects.get(depot=depot, part=part)
    movement = StockMovement.objects.get()
    assert received.status == "received"
    assert received.stock_movement_id == movement.pk
    assert movement.kind == ("faulty_return" if faulty else "receipt")
    assert (stock.on_hand, stock.faulty) == ((0, 1) if faulty else (1, 0))


def test_completing_records_the_solution_and_the_case_timeline(agent, acme, obu, depot, part, diamond_contract):
    case, _ = case_services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="return_exchange",
                                      title="车载单元换货", asset_id=obu.pk)
    request = _open(agent, obu, kind="exchange", is_quality_fault=True, case_id=case.pk)
    services.return_decide(actor=agent, request_id=request.pk)
    services.return_receive(actor=agent, request_id=request.pk, depot=depot, part=part)
    with pytest.raises(ValidationFailed) as empty:
        services.return_complete(actor=agent, request_id=request.pk, solution="")
    assert empty.value.field == "solution"
    done = services.return_complete(actor=agent, request_id=request.pk, solution="已换新机 OBU-0002")
    assert (done.status, done.solution, done.completed_by_id) == ("completed", "已换新机 OBU-0002", agent.pk)
    notes = list(CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).values_list("data__note", flat=True))
    assert len(notes) == 4
    assert notes[-1] == "换货完成：已换新机 OBU-0002"


@pytest.mark.parametrize("action", ["receive", "complete", "decide_again"])
def test_invalid_state_changes_answer_409_with_the_reason(agent, alice, obu, depot, part, action):
    request = _open(alice, obu, when=DAY_8)
    services.return_decide(actor=agent, request_id=request.pk)  # rejected
    attempts = {
        "receive": lambda: services.return_receive(actor=agent, request_id=request.pk, depot=depot, part=part),
        "complete": lambda: services.return_complete(actor=agent, request_id=request.pk, solution="x"),
        "decide_again": lambda: services.return_decide(actor=agent, request_id=request.pk),
    }
    with pytest.raises(Conflict) as refused:
        attempts[action]()
    assert refused.value.code == "invalid_transition"
    assert "已拒绝" in refused.value.detail
    assert not StockMovement.objects.exists()
