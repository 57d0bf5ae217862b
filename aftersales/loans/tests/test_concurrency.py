"""The proposal scan and lending under real concurrency: each thread has its own connection.
On PostgreSQL the scans contend for the case rows (SKIP LOCKED); on SQLite they queue on the
write lock. Either way each at-risk case gets exactly one proposal and one set of messages."""

from __future__ import annotations

from collections import Counter

import pytest

from aftersales.core.tests.concurrency import run_together
from aftersales.loans import services
from aftersales.loans.models import Loan, SubstituteProposal
from aftersales.loans.tests.factories import AFTER_WARNING, at, make_case, make_depot, make_unit
from aftersales.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)




def test_two_concurrent_scans_propose_each_case_exactly_once(agent, manager, acme, acme_asset, diamond_contract):
    # given five at-risk cases and five units
    depot = make_depot()
    for index in range(5):
        make_unit(acme_asset.product, depot, f"S{index}")
    cases = [make_case(agent, acme, acme_asset, assignee_id=agent.pk) for _ in range(5)]
    # when two scans run at once
    made = run_together(2, lambda _index: services.propose_substitutes(now=at(AFTER_WARNING), batch_size=2))
    # then
    assert sum(made) == 5
    assert Counter(SubstituteProposal.objects.values_list("case_id", flat=True)) == {c.pk: 1 for c in cases}
    messages = OutboxMessage.objects.filter(key__startswith="substitute-proposal:")
    assert messages.count() == 10  # assignee and manager, per case


def test_two_concurrent_loans_of_one_unit_lend_it_once(bob, acme, acme_asset, diamond_contract):
    unit = make_unit(acme_asset.product, make_depot())
    cases = [make_case(bob, acme, acme_asset) for _ in range(2)]

    def lend(index):
        services.loan_out(actor=bob, case_id=cases[index].pk, unit_id=unit.pk,
                          due_back_at=at("2030-01-01 00:00"), condition_out="完好")
        return "ok"

    outcomes = run_together(2, lend)
    assert Counter(outcomes) == {"ok": 1, "unit_on_loan": 1}
    assert Loan.objects.count() == 1
    unit.refresh_from_db()
    assert unit.status == "on_loan"
