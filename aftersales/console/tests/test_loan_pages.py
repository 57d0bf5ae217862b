"""The substitute-unit pages (替代设备): loans and taking one back, proposals accepted (lent) or
declined, the pool per depot, and proposing a unit for a case from its candidates — all posted
through the loans services."""

from __future__ import annotations

import uuid

import pytest
import time_machine

from aftersales.accounts.models import Role
from aftersales.core.tests.helpers import field_block
from aftersales.loans import services
from aftersales.loans.models import Loan, LoanStatus, ProposalStatus, SubstituteProposal, UnitStatus
from aftersales.loans.tests.factories import at, make_case, make_depot, make_unit

pytestmark = pytest.mark.django_db

NOW = "2026-11-03 12:00"
LOANS = "/console/loans/"
PROPOSALS = "/console/loans/proposals/"
UNITS = "/console/loans/units/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(NOW), tick=False):
        yield


@pytest.fixture
def depot(db):
    return make_depot("bj-1", name="北京备件库")


@pytest.fixture
def unit(acme_asset, depot):
    return make_unit(acme_asset.product, depot, "SUB-001")


@pytest.fixture
def case(agent, acme, acme_asset, diamond_contract):
    return make_case(agent, acme, acme_asset)


@pytest.fixture
def proposal(dispatcher, case, unit):
    proposal, _created = services.substitute_propose(actor=dispatcher, case_id=case.pk, unit_id=unit.pk)
    return proposal


@pytest.fixture
def loan(dispatcher, proposal):
    loan, _created = services.loan_out(actor=dispatcher, proposal_id=proposal.pk, due_back_at=at("2026-11-10 18:00"),
                                       condition_out="外观完好")
    return loan


def _substitutes(case) -> str:
    return f"/console/cases/{case.pk}/substitutes/"


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status", "acts"), [
    (Role.ADMIN, 200, True), (Role.MANAGER, 200, True), (Role.DISPATCHER, 200, True),
    (Role.AGENT, 200, False), (Role.ENGINEER, 200, False), (Role.EXPERT, 404, False),
])
def test_each_loan_page_opens_for_its_roles_and_only_actors_get_the_forms(make_user, case, proposal, loan, role,
                                                                          status, acts, client_for):
    # given a second open proposal, so that the proposals page has one to act on
    other_case = make_case(make_user("agent2", Role.AGENT), case.customer, case.asset)
    make_unit(case.asset.product, loan.unit.depot, "SUB-002")
    services.substitute_propose(actor=loan.lent_by, case_id=other_case.pk)
    client = client_for(make_user("someone", role))
    # when
    pages = {url: client.get(url) for url in (LOANS, PROPOSALS, UNITS, _substitutes(case))}
    # then
    for url, response in pages.items():
        assert response.status_code == status, url
    if status == 200:
        assert ('data-action="return"' in pages[LOANS].content.decode()) is acts
        assert ('data-action="accept"' in pages[PROPOSALS].content.decode()) is acts
        assert ("提出建议" in pages[_substitutes(case)].content.decode()) is acts


def test_the_menu_shows_substitute_units_to_the_roles_that_use_them(agent, bob, manager, make_user, client_for):
    expert = make_user("expert", Role.EXPERT)
    assert f'href="{LOANS}"' in client_for(agent).get("/console/").content.decode()
    assert f'href="{LOANS}" aria-current="page">替代设备</a>' in client_for(bob).get(LOANS).content.decode()
    assert f'href="{LOANS}"' not in client_for(expert).get("/console/").content.decode()


def test_a_customer_user_gets_404_on_every_loan_page_and_action(alice, case, proposal, loan, client_for):
    client = client_for(alice)
    for url in (LOANS, PROPOSALS, UNITS, _substitutes(case)):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/console/loans/{loan.pk}/return", {"condition_in": "好"}).status_code == 404
    assert client.post(f"{PROPOSALS}{proposal.pk}/decline", {"reason": "x"}).status_code == 404
    assert client.post(_substitutes(case), {"reason": "unit_taken_away", "idempotency_key": "k"}).status_code == 404
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OUT


def test_readers_may_not_act(bob, agent, case, unit, proposal, client_for):
    assert client_for(bob).post(f"{PROPOSALS}{proposal.pk}/decline", {"reason": "不需要"}).status_code == 403
    assert client_for(agent).post(f"{PROPOSALS}{proposal.pk}/accept", {
        "due_back_at": "2026-11-10T18:00", "condition_out": "好", "idempotency_key": "k"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    assert not Loan.objects.exists()


def test_unknown_objects_are_404(dispatcher, client_for):
    client = client_for(dispatcher)
    assert client.get(_substitutes(type("C", (), {"pk": uuid.uuid4()}))).status_code == 404
    assert client.post(f"/console/loans/{uuid.uuid4()}/return", {"condition_in": "好"}).status_code == 404
    assert client.post(f"{PROPOSALS}{uuid.uuid4()}/decline", {"reason": "x"}).status_code == 404


# --- proposing a unit for a case ------------------------------------------------------------


def test_the_dispatcher_proposes_a_candidate_once_even_when_the_form_is_sent_twice(dispatcher, case, unit, depot, client_for):
    # given a second, nearer candidate is not needed: the candidates list shows the depot's unit
    client = client_for(dispatcher)
    page = client.get(_substitutes(case)).content.decode()
    assert 'data-unit="SUB-001"' in page
    assert "北京备件库" in page
    form = {"unit": str(unit.pk), "reason": "unit_taken_away", "idempotency_key": "p-1"}
    # when
    first = client.post(_substitutes(case), form)
    again = client.post(_substitutes(case), form)
    # then
    assert first.status_code == again.status_code == 302
    proposal = SubstituteProposal.objects.get()
    assert (proposal.case, proposal.unit, proposal.proposed_by) == (case, unit, dispatcher)
    assert "该操作已提交过，未重复执行。" in client.get(again["Location"]).content.decode()


def test_a_second_proposal_for_the_case_is_refused_with_the_reason(dispatcher, case, unit, proposal, client_for):
    response = client_for(dispatcher).post(_substitutes(case), {"reason": "unit_taken_away", "idempotency_key": "p-2"})
    assert response.status_code == 409
    assert "该工单已有待处理的替代设备建议" in response.content.decode()
    assert SubstituteProposal.objects.count() == 1


def test_a_unit_that_is_not_a_candidate_is_refused_at_the_unit(dispatcher, case, unit, depot, acme_asset, client_for):
    lent = make_unit(acme_asset.product, depot, "SUB-LENT", status=UnitStatus.ON_LOAN)
    response = client_for(dispatcher).post(_substitutes(case), {
        "unit": str(lent.pk), "reason": "unit_taken_away", "idempotency_key": "p-3"})
    assert response.status_code == 422
    assert 'class="error"' in field_block(response.content.decode(), "id_unit")
    assert not SubstituteProposal.objects.exists()


# --- proposals: accept (lend) or decline ----------------------------------------------------


def test_accepting_a_proposal_lends_the_unit_once(dispatcher, proposal, unit, client_for):
    client = client_for(dispatcher)
    page = client.get(PROPOSALS).content.decode()
    assert f'data-proposal="{proposal.pk}"' in page
    form = {"due_back_at": "2026-11-10T18:00", "condition_out": "外观完好，附电源", "idempotency_key": "a-1"}
    first = client.post(f"{PROPOSALS}{proposal.pk}/accept", form)
    again = client.post(f"{PROPOSALS}{proposal.pk}/accept", form)
    assert first.status_code == again.status_code == 302
    loan = Loan.objects.get()
    assert (loan.unit, loan.due_back_at, loan.condition_out) == (unit, at("2026-11-10 18:00"), "外观完好，附电源")
    unit.refresh_from_db()
    proposal.refresh_from_db()
    assert (unit.status, proposal.status) == (UnitStatus.ON_LOAN, ProposalStatus.ACCEPTED)


def test_a_due_time_in_the_past_is_refused_at_the_field(dispatcher, proposal, unit, client_for):
    response = client_for(dispatcher).post(f"{PROPOSALS}{proposal.pk}/accept", {
        "due_back_at": "2026-11-01T18:00", "condition_out": "好", "idempotency_key": "a-2"})
    assert response.status_code == 422
    block = field_block(response.content.decode(), f"accept-{proposal.pk}-due_back_at")
    assert "应归还时间须晚于借出时间" in block
    assert not Loan.objects.exists()
    unit.refresh_from_db()
    assert unit.status == UnitStatus.AVAILABLE


def test_declining_needs_a_reason_and_happens_once(dispatcher, proposal, client_for):
    client = client_for(dispatcher)
    blank = client.post(f"{PROPOSALS}{proposal.pk}/decline", {"reason": ""})
    assert blank.status_code == 422
    assert 'class="error"' in field_block(blank.content.decode(), f"decline-{proposal.pk}-reason")
    assert client.post(f"{PROPOSALS}{proposal.pk}/decline", {"reason": "客户自有备机"}).status_code == 302
    again = client.post(f"{PROPOSALS}{proposal.pk}/decline", {"reason": "再次提交"})
    assert again.status_code == 409
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decline_reason) == (ProposalStatus.DECLINED, "客户自有备机")


# --- loans ----------------------------------------------------------------------------------


def test_the_loans_list_filters_out_overdue_and_returned(dispatcher, agent, acme, acme_asset, depot, loan, client_for):
    # given a second loan lent yesterday and due this morning (overdue), and one returned
    late_case = make_case(agent, acme, acme_asset)
    late_unit = make_unit(acme_asset.product, depot, "SUB-LATE")
    late, _ = services.loan_out(actor=dispatcher, case_id=late_case.pk, unit_id=late_unit.pk, condition_out="好",
                                due_back_at=at("2026-11-03 09:00"), now=at("2026-11-02 11:00"))
    client = client_for(dispatcher)
    # when
    out = client.get(LOANS, {"status": "out"}).content.decode()
    overdue = client.get(LOANS, {"status": "overdue"}).content.decode()
    returned = client.get(LOANS, {"status": "returned"}).content.decode()
    # then
    assert f'data-loan="{loan.pk}" data-state="out"' in out
    assert f'data-loan="{late.pk}" data-state="overdue"' in out
    assert f'data-loan="{late.pk}"' in overdue
    assert f'data-loan="{loan.pk}"' not in overdue
    assert "data-loan=" not in returned


def test_taking_a_unit_back_faulty_sends_it_to_repair_once(dispatcher, loan, unit, client_for):
    client = client_for(dispatcher)
    blank = client.post(f"/console/loans/{loan.pk}/return", {"condition_in": ""})
    assert blank.status_code == 422
    assert 'class="error"' in field_block(blank.content.decode(), f"return-{loan.pk}-condition_in")
    done = client.post(f"/console/loans/{loan.pk}/return", {"condition_in": "屏幕裂纹", "faulty": "on"})
    assert done.status_code == 302
    again = client.post(f"/console/loans/{loan.pk}/return", {"condition_in": "再次提交"})
    assert again.status_code == 409
    loan.refresh_from_db()
    unit.refresh_from_db()
    assert (loan.status, loan.condition_in, loan.is_returned_faulty) == (LoanStatus.RETURNED, "屏幕裂纹", True)
    assert unit.status == UnitStatus.IN_REPAIR
    assert 'data-loan' in client.get(LOANS, {"status": "returned"}).content.decode()


def test_the_pool_lists_units_per_depot_with_their_status(bob, acme_asset, depot, unit, client_for):
    other = make_depot("sh-1", name="上海备件库", region="华东")
    make_unit(acme_asset.product, other, "SUB-SH", status=UnitStatus.IN_REPAIR)
    client = client_for(bob)
    page = client.get(UNITS).content.decode()
    assert (page.index(f'id="depot-{depot.pk}"') < page.index('data-unit="SUB-001"')
            < page.index(f'id="depot-{other.pk}"') < page.index('data-unit="SUB-SH"'))
    assert 'data-unit="SUB-SH" data-status="in_repair"' in page
    only = client.get(UNITS, {"status": "in_repair"}).content.decode()
    assert 'data-unit="SUB-001"' not in only
    assert 'data-unit="SUB-SH"' in only


def test_user_text_is_escaped(dispatcher, proposal, client_for):
    client = client_for(dispatcher)
    client.post(f"{PROPOSALS}{proposal.pk}/decline", {"reason": "<script>alert(1)</script>"})
    page = client.get(PROPOSALS, {"status": "declined"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
