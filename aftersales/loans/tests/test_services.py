from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.models import Role
from aftersales.cases import services as case_services
from aftersales.cases.models import CaseEvent, EventKind
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.services import site_create
from aftersales.loans import services
from aftersales.loans.models import Loan, LoanStatus, ProposalStatus, SubstituteProposal, UnitStatus
from aftersales.loans.tests.factories import (
    AFTER_WARNING,
    BEFORE_WARNING,
    at,
    make_case,
    make_depot,
    make_unit,
)
from aftersales.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _notes(case):
    return list(
        CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).order_by("sequence")
        .values_list("data__note", flat=True)
    )


# --- candidates -----------------------------------------------------------------------------


def test_candidates_are_available_units_of_the_product_nearest_depot_first(agent, acme, acme_asset, diamond_contract):
    # given a site in Beijing and depots in Tianjin (near), Shanghai (far), one without place
    site = site_create(customer=acme, name="京津塘收费站", region="华北")
    site.latitude, site.longitude = 39.9, 116.4
    site.save()
    tianjin = make_depot("tj-1", lat="39.1", lon="117.2")
    shanghai = make_depot("sh-1", region="华东", lat="31.2", lon="121.5")
    unplaced = make_depot("hb-1")
    far = make_unit(acme_asset.product, shanghai, "SUB-SH")
    near = make_unit(acme_asset.product, tianjin, "SUB-TJ")
    same_region = make_unit(acme_asset.product, unplaced, "SUB-HB")
    make_unit(acme_asset.product, tianjin, "SUB-LENT", status=UnitStatus.ON_LOAN)
    make_unit(acme_asset.product, tianjin, "SUB-BROKEN", status=UnitStatus.IN_REPAIR)
    case = make_case(agent, acme, acme_asset, site_id=site.pk)
    # when
    found = services.substitute_candidates(case)
    # then
    assert [c.unit.pk for c in found] == [near.pk, far.pk, same_region.pk]
    assert 100 < found[0].distance_km < 130
    assert found[2].distance_km is None
    assert found[2].is_same_region is True


def test_candidates_without_coordinates_put_the_sites_region_first(agent, acme, acme_asset, diamond_contract):
    other = make_unit(acme_asset.product, make_depot("sh-1", region="华东"), "SUB-SH")
    local = make_unit(acme_asset.product, make_depot("bj-2", region="华北"), "SUB-BJ")
    site = acme_asset.site
    site.region = "华北"
    site.save()
    case = make_case(agent, acme, acme_asset)
    assert [c.unit.pk for c in services.substitute_candidates(case)] == [local.pk, other.pk]


def test_a_case_without_an_asset_has_no_candidates(agent, acme, unit, diamond_contract):
    assert services.substitute_candidates(make_case(agent, acme)) == []


# --- the proposal scan ----------------------------------------------------------------------


def test_the_scan_proposes_once_for_a_case_past_its_resolution_warning(agent, manager, acme, acme_asset, unit, diamond_contract):
    # given an assigned case on an asset with an available unit of its product
    case = make_case(agent, acme, acme_asset, assignee_id=agent.pk)
    # when the scan runs before the warning, after it, and again
    before = services.propose_substitutes(now=at(BEFORE_WARNING))
    after = services.propose_substitutes(now=at(AFTER_WARNING))
    again = services.propose_substitutes(now=at(AFTER_WARNING) + dt.timedelta(minutes=5))
    # then one proposal, one notification each to the assignee and the manager
    assert (before, after, again) == (0, 1, 0)
    proposal = SubstituteProposal.objects.get()
    assert (proposal.case_id, proposal.unit_id, proposal.reason, proposal.status) == (
        case.pk, unit.pk, "resolution_at_risk", "open")
    assert proposal.proposed_by is None
    assert sorted(OutboxMessage.objects.filter(key__startswith="substitute-proposal:")
                  .values_list("recipient", flat=True)) == ["agent@example.invalid", "manager@example.invalid"]
    # and the case's timeline says so, as a note of the system's own
    from aftersales.cases.models import CaseEvent

    note = CaseEvent.objects.filter(case=case, kind="note").latest("sequence")
    assert note.actor_id is None
    assert "系统建议借用替代设备" in note.data["note"]


def test_a_declined_scan_proposal_is_not_proposed_again(agent, acme, acme_asset, unit, diamond_contract):
    make_case(agent, acme, acme_asset)
    services.propose_substitutes(now=at(AFTER_WARNING))
    services.substitute_decline(actor=agent, proposal_id=SubstituteProposal.objects.get().pk,
                                reason="客户不需要", now=at(AFTER_WARNING))
    assert services.propose_substitutes(now=at(AFTER_WARNING) + dt.timedelta(hours=1)) == 0
    assert SubstituteProposal.objects.count() == 1


@pytest.mark.parametrize("setup", ["no_asset", "no_unit", "resolved", "other_product", "lent"])
def test_the_scan_skips_cases_that_need_no_proposal(setup, agent, acme, acme_asset, depot, diamond_contract):
    from aftersales.assets.services import product_create

    if setup != "no_unit":
        product = acme_asset.product if setup != "other_product" else product_create(model="X", name="X")
        make_unit(product, depot)
    case = make_case(agent, acme, None if setup == "no_asset" else acme_asset)
    if setup == "resolved":
        case_services.case_acknowledge(actor=agent, case_id=case.pk, now=at("2026-11-02 10:30"))
        case_services.case_resolve(actor=agent, case_id=case.pk, resolution="重启恢复",
                                   now=at("2026-11-02 11:00"))
    if setup == "lent":
        services.loan_out(actor=agent, case_id=case.pk, unit_id=make_unit(acme_asset.product, depot, "S2").pk,
                          due_back_at=at("2026-11-10 10:00"), condition_out="完好", now=at("2026-11-02 12:00"))
    assert services.propose_substitutes(now=at(AFTER_WARNING)) == 0
    assert not SubstituteProposal.objects.filter(reason="resolution_at_risk").exists()


def test_two_at_risk_cases_are_offered_different_units_when_there_are_two(agent, acme, acme_asset, depot, diamond_contract):
    first_unit, second_unit = make_unit(acme_asset.product, depot, "S1"), make_unit(acme_asset.product, depot, "S2")
    make_case(agent, acme, acme_asset)
    make_case(agent, acme, acme_asset)
    assert services.propose_substitutes(now=at(AFTER_WARNING)) == 2
    assert sorted(SubstituteProposal.objects.values_list("unit__serial_number", flat=True)) == ["S1", "S2"]
    assert {first_unit.pk, second_unit.pk} == set(SubstituteProposal.objects.values_list("unit_id", flat=True))


# --- proposals by hand ----------------------------------------------------------------------


def test_an_engineer_proposes_a_unit_because_the_repair_takes_the_unit_away(bob, acme, acme_asset, unit, diamond_contract):
    case = make_case(bob, acme, acme_asset)
    proposal, created = services.substitute_propose(actor=bob, case_id=case.pk, now=at("2026-11-02 11:00"))
    assert created is True
    assert (proposal.unit_id, proposal.reason, proposal.proposed_by_id) == (unit.pk, "unit_taken_away", bob.pk)
    assert _notes(case) == ["建议借用替代设备 RSU-1 SUB-001（bj-1 备件库），原因：设备需带回维修"]


def test_a_second_open_proposal_for_a_case_is_refused(bob, acme, acme_asset, unit, diamond_contract):
    case = make_case(bob, acme, acme_asset)
    services.substitute_propose(actor=bob, case_id=case.pk)
    with pytest.raises(Conflict) as refused:
        services.substitute_propose(actor=bob, case_id=case.pk)
    assert refused.value.code == "proposal_exists"
    assert SubstituteProposal.objects.count() == 1


def test_proposing_without_an_available_unit_is_refused(bob, acme, acme_asset, depot, diamond_contract):
    make_unit(acme_asset.product, depot, status=UnitStatus.RETIRED)
    case = make_case(bob, acme, acme_asset)
    with pytest.raises(Conflict) as refused:
        services.substitute_propose(actor=bob, case_id=case.pk)
    assert refused.value.code == "no_substitute_available"


def test_a_customer_user_cannot_propose(alice, bob, acme, acme_asset, unit, diamond_contract):
    case = make_case(bob, acme, acme_asset)
    with pytest.raises(PermissionDenied):
        services.substitute_propose(actor=alice, case_id=case.pk)
    assert not SubstituteProposal.objects.exists()


def test_proposing_for_an_unknown_case_is_not_found(bob):
    with pytest.raises(NotFound):
        services.substitute_propose(actor=bob, case_id="d1b1c6a4-0000-4000-8000-000000000000")


def test_declining_needs_a_reason_and_an_open_proposal(bob, acme, acme_asset, unit, diamond_contract):
    case = make_case(bob, acme, acme_asset)
    proposal, _ = services.substitute_propose(actor=bob, case_id=case.pk)
    with pytest.raises(ValidationFailed) as empty:
        services.substitute_decline(actor=bob, proposal_id=proposal.pk, reason=" ")
    assert empty.value.field == "reason"
    services.substitute_decline(actor=bob, proposal_id=proposal.pk, reason="客户自行备机")
    with pytest.raises(Conflict) as again:
        services.substitute_decline(actor=bob, proposal_id=proposal.pk, reason="再次")
    assert again.value.code == "proposal_not_open"
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decline_reason) == ("declined", "客户自行备机")


# --- loans ----------------------------------------------------------------------------------


def test_lending_from_a_proposal_accepts_it_and_puts_the_unit_on_loan(bob, acme, acme_asset, unit, diamond_contract):
    # given
    case = make_case(bob, acme, acme_asset)
    proposal, _ = services.substitute_propose(actor=bob, case_id=case.pk, now=at("2026-11-02 11:00"))
    # when
    loan, created = services.loan_out(actor=bob, proposal_id=proposal.pk, due_back_at=at("2026-11-09 18:00"),
                                      condition_out="外观完好，附电源", now=at("2026-11-02 12:00"))
    # then
    assert created is True
    assert (loan.unit_id, loan.case_id, loan.customer_id, loan.site_id, loan.status) == (
        unit.pk, case.pk, acme.pk, acme_asset.site_id, "out")
    assert (loan.lent_at, loan.due_back_at, loan.lent_by_id) == (at("2026-11-02 12:00"), at("2026-11-09 18:00"), bob.pk)
    unit.refresh_from_db()
    proposal.refresh_from_db()
    assert unit.status == "on_loan"
    assert (proposal.status, proposal.decided_by_id) == ("accepted", bob.pk)
    assert _notes(case)[-1] == "借出替代设备 RSU-1 SUB-001，应于 2026-11-09 18:00 归还；借出状况：外观完好，附电源"


def test_lending_directly_closes_the_cases_open_proposal(bob, acme, acme_asset, depot, diamond_contract):
    proposed, other = make_unit(acme_asset.product, depot, "S1"), make_unit(acme_asset.product, depot, "S2")
    case = make_case(bob, acme, acme_asset)
    proposal, _ = services.substitute_propose(actor=bob, case_id=case.pk, unit_id=proposed.pk)
    loan, _ = services.loan_out(actor=bob, case_id=case.pk, unit_id=other.pk,
                                due_back_at=at("2030-01-01 00:00"), condition_out="完好")
    proposal.refresh_from_db()
    assert (loan.proposal_id, proposal.status, loan.unit_id) == (proposal.pk, "accepted", other.pk)


def test_a_unit_already_on_loan_is_refused_with_409(bob, acme, acme_asset, unit, diamond_contract):
    first = make_case(bob, acme, acme_asset)
    second = make_case(bob, acme, acme_asset)
    services.loan_out(actor=bob, case_id=first.pk, unit_id=unit.pk, due_back_at=at("2030-01-01 00:00"),
                      condition_out="完好")
    with pytest.raises(Conflict) as refused:
        services.loan_out(actor=bob, case_id=second.pk, unit_id=unit.pk, due_back_at=at("2030-01-01 00:00"),
                          condition_out="完好")
    assert (refused.value.code, refused.value.field) == ("unit_on_loan", "unit_id")
    assert Loan.objects.count() == 1


def test_the_database_refuses_a_second_open_loan_of_a_unit(bob, acme, acme_asset, unit, diamond_contract):
    from django.db import IntegrityError, transaction

    case = make_case(bob, acme, acme_asset)
    services.loan_out(actor=bob, case_id=case.pk, unit_id=unit.pk, due_back_at=at("2030-01-01 00:00"),
                      condition_out="完好")
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(unit=unit, case=case, customer=acme, lent_at=at("2026-11-02 12:00"),
                            due_back_at=at("2026-11-03 12:00"), condition_out="x", lent_by=bob)


@pytest.mark.parametrize(("change", "field"), [
    ({"due_back_at": "past"}, "due_back_at"),
    ({"condition_out": " "}, "condition_out"),
    ({"unit_id": None}, "proposal_id"),
])
def test_lending_validates_its_input(change, field, bob, acme, acme_asset, unit, diamond_contract):
    case = make_case(bob, acme, acme_asset)
    args = dict(actor=bob, case_id=case.pk, unit_id=unit.pk, due_back_at=at("2026-11-09 18:00"),
                condition_out="完好", now=at("2026-11-02 12:00"))
    args.update(change)
    if change.get("due_back_at") == "past":
        args["due_back_at"] = at("2026-11-02 11:00")
    with pytest.raises(ValidationFailed) as refused:
        services.loan_out(**args)
    assert refused.value.field == field
    assert not Loan.objects.exists()


def test_lending_for_a_resolved_case_is_refused(bob, acme, acme_asset, unit, diamond_contract):
    case = make_case(bob, acme, acme_asset)
    case_services.case_acknowledge(actor=bob, case_id=case.pk)
    case_services.case_resolve(actor=bob, case_id=case.pk, resolution="已修复")
    with pytest.raises(Conflict) as refused:
        services.loan_out(actor=bob, case_id=case.pk, unit_id=unit.pk,
                          due_back_at=at("2030-01-01 00:00"), condition_out="完好")
    assert refused.value.code == "case_not_open"


def test_a_customer_user_cannot_lend(alice, bob, acme, acme_asset, unit, diamond_contract):
    case = make_case(bob, acme, acme_asset)
    with pytest.raises(PermissionDenied):
        services.loan_out(actor=alice, case_id=case.pk, unit_id=unit.pk,
                          due_back_at=at("2030-01-01 00:00"), condition_out="完好")


def test_an_idempotency_key_lends_once(bob, acme, acme_asset, unit, diamond_contract):
    case = make_case(bob, acme, acme_asset)
    args = dict(actor=bob, case_id=case.pk, unit_id=unit.pk, due_back_at=at("2030-01-01 00:00"),
                condition_out="完好", idempotency_key="k1", fingerprint="f1")
    first, created = services.loan_out(**args)
    again, created_again = services.loan_out(**args)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    with pytest.raises(Conflict) as reused:
        services.loan_out(**{**args, "fingerprint": "f2"})
    assert reused.value.code == "idempotency_key_reused"


@pytest.mark.parametrize(("faulty", "unit_status"), [(False, "available"), (True, "in_repair")])
def test_returning_a_loan_records_the_condition_and_frees_or_repairs_the_unit(faulty, unit_status, bob, acme, acme_asset, unit, diamond_contract):
    case = make_case(bob, acme, acme_asset)
    loan, _ = services.loan_out(actor=bob, case_id=case.pk, unit_id=unit.pk,
                                due_back_at=at("2026-11-09 18:00"), condition_out="完好", now=at("2026-11-02 12:00"))
    returned = services.loan_return(actor=bob, loan_id=loan.pk, condition_in="外壳划伤", faulty=faulty,
                                    now=at("2026-11-05 09:00"))
    unit.refresh_from_db()
    assert (returned.status, returned.returned_at, returned.received_by_id, returned.condition_in) == (
        "returned", at("2026-11-05 09:00"), bob.pk, "外壳划伤")
    assert returned.is_returned_faulty is faulty
    assert (unit.status, unit.condition_note) == (unit_status, "外壳划伤")
    assert _notes(case)[-1].startswith("替代设备 RSU-1 SUB-001 已归还")


def test_returning_twice_is_refused(bob, acme, acme_asset, unit, diamond_contract):
    case = make_case(bob, acme, acme_asset)
    loan, _ = services.loan_out(actor=bob, case_id=case.pk, unit_id=unit.pk,
                                due_back_at=at("2030-01-01 00:00"), condition_out="完好")
    services.loan_return(actor=bob, loan_id=loan.pk, condition_in="完好")
    with pytest.raises(Conflict) as refused:
        services.loan_return(actor=bob, loan_id=loan.pk, condition_in="完好")
    assert refused.value.code == "loan_already_returned"


def test_returning_needs_the_condition(bob, acme, acme_asset, unit, diamond_contract):
    case = make_case(bob, acme, acme_asset)
    loan, _ = services.loan_out(actor=bob, case_id=case.pk, unit_id=unit.pk,
                                due_back_at=at("2030-01-01 00:00"), condition_out="完好")
    with pytest.raises(ValidationFailed) as refused:
        services.loan_return(actor=bob, loan_id=loan.pk, condition_in="")
    assert refused.value.field == "condition_in"
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OUT


def test_overdue_loans_are_flagged_once_with_one_notification_each(bob, acme, acme_asset, depot, diamond_contract):
    # given two loans, one due before the scan and one after
    case = make_case(bob, acme, acme_asset)
    late, _ = services.loan_out(actor=bob, case_id=case.pk, unit_id=make_unit(acme_asset.product, depot, "S1").pk,
                                due_back_at=at("2026-11-05 18:00"), condition_out="完好", now=at("2026-11-02 12:00"))
    services.loan_out(actor=bob, case_id=case.pk, unit_id=make_unit(acme_asset.product, depot, "S2").pk,
                      due_back_at=at("2026-11-09 18:00"), condition_out="完好", now=at("2026-11-02 12:00"))
    # when
    first = services.loans_flag_overdue(now=at("2026-11-06 09:00"))
    second = services.loans_flag_overdue(now=at("2026-11-06 09:05"))
    # then
    assert (first, second) == (1, 0)
    late.refresh_from_db()
    assert late.overdue_recorded_at == at("2026-11-06 09:00")
    assert late.display_status(at("2026-11-06 09:00")) == "overdue"
    assert list(OutboxMessage.objects.filter(key__startswith="loan:").values_list("recipient", flat=True)) == [
        "bob@example.invalid"]


# --- the pool -------------------------------------------------------------------------------


def test_units_move_between_pool_states_by_the_table(make_user, acme_asset, unit):
    dispatcher = make_user("dora", Role.DISPATCHER)
    assert services.substitute_unit_set_status(actor=dispatcher, unit_id=unit.pk, status="in_repair").status == "in_repair"
    assert services.substitute_unit_set_status(actor=dispatcher, unit_id=unit.pk, status="available").status == "available"
    services.substitute_unit_set_status(actor=dispatcher, unit_id=unit.pk, status="retired")
    with pytest.raises(Conflict) as refused:
        services.substitute_unit_set_status(actor=dispatcher, unit_id=unit.pk, status="available")
    assert refused.value.code == "invalid_unit_transition"


def test_a_unit_on_loan_cannot_be_set_by_hand(make_user, unit):
    dispatcher = make_user("dora", Role.DISPATCHER)
    unit.status = UnitStatus.ON_LOAN
    unit.save()
    with pytest.raises(Conflict):
        services.substitute_unit_set_status(actor=dispatcher, unit_id=unit.pk, status="available")


def test_registering_a_duplicate_serial_is_refused(manager, acme_asset, depot, unit):
    with pytest.raises(Conflict) as refused:
        services.substitute_unit_create(actor=manager, product=acme_asset.product, serial_number="SUB-001", depot=depot)
    assert (refused.value.code, refused.value.field) == ("unit_exists", "serial_number")


def test_an_engineer_cannot_register_units(bob, acme_asset, depot):
    with pytest.raises(PermissionDenied):
        services.substitute_unit_create(actor=bob, product=acme_asset.product, serial_number="S9", depot=depot)
    assert ProposalStatus.OPEN == "open"
