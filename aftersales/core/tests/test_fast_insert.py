"""insert_rows: the rows land as Model.save would write them, keys read back in order."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import ApiToken
from aftersales.cases.models import CaseEvent, CaseNumber, IdempotencyKey
from aftersales.cases.tests.helpers import at
from aftersales.core.db.fast_insert import insert_rows
from aftersales.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_rows_are_stored_with_their_defaults_and_marked_saved(acme, agent):
    # given: rows with defaults (uuid key, created_at) and auto_now (updated_at) left to fill
    customer = Customer(name="新客户 <b>", code="new-1")
    # when
    insert_rows(Customer, [customer])
    # then
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.name, stored.code) == ("新客户 <b>", "new-1")
    assert stored.created_at is not None
    assert stored.updated_at is not None
    assert customer._state.adding is False


def test_auto_increment_keys_come_back_in_the_rows_order(acme, agent):
    # given: a case to hang events on
    from aftersales.cases.services import case_open

    case, _created = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                               title="断电", now=at("2026-11-02 10:00"))
    events = [CaseEvent(case=case, sequence=100 + n, kind="note", actor=agent, at=at("2026-11-02 11:00"),
                        data={"n": n}) for n in range(3)]
    # when
    insert_rows(CaseEvent, events)
    # then
    assert [CaseEvent.objects.get(pk=e.pk).data["n"] for e in events] == [0, 1, 2]
    assert events[0].pk < events[1].pk < events[2].pk


def test_a_table_of_only_its_key_takes_one_row_at_a_time():
    first, second = CaseNumber(), CaseNumber()
    insert_rows(CaseNumber, [first])
    insert_rows(CaseNumber, [second])
    assert second.pk == first.pk + 1
    with pytest.raises(ValueError, match="one at a time"):
        insert_rows(CaseNumber, [CaseNumber(), CaseNumber()])


def test_a_model_with_save_signal_receivers_is_refused(agent):
    with pytest.raises(TypeError, match="signal receivers"):
        insert_rows(ApiToken, [ApiToken(user=agent, name="x", key_hash="0" * 64)])
    assert not ApiToken.objects.filter(name="x").exists()


def test_nothing_to_insert_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_rows(IdempotencyKey, [])
