"""dispatch_assign: a work order for the case, assigned to a ranked technician, who is notified."""

from __future__ import annotations

import pytest

from aftersales.cases import services as case_services
from aftersales.cases.tests.helpers import at
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from aftersales.dispatch.services import dispatch_assign
from aftersales.dispatch.tests.factories import make_technician
from aftersales.notifications.models import OutboxMessage
from aftersales.roster.services import technician_update
from aftersales.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

WHEN = at("2026-11-02 10:30")


@pytest.fixture
def near(rsu):
    return make_technician("near", first_name="近工", km_north=10, product_ids=[rsu.pk],
                           max_concurrent_work_orders=1)


def test_the_dispatcher_assigns_and_the_technician_is_notified(dispatcher, case, near):
    # when
    assignment = dispatch_assign(actor=dispatcher, case_id=case.pk, technician_id=near.pk,
                                 scheduled_for=at("2026-11-02 11:00"), summary="更换天线", now=WHEN)
    # then
    work_order = WorkOrder.objects.get()
    assert assignment.created is True
    assert assignment.work_order == work_order
    assert (work_order.case, work_order.kind, work_order.status, work_order.technician_id,
            work_order.created_by, work_order.summary, work_order.scheduled_for) == (
        case, "repair", "scheduled", near.user_id, dispatcher, "更换天线", at("2026-11-02 11:00"))
    assert list(work_order.events.values_list("kind", flat=True)) == ["created", "assigned"]
    assert [(m.recipient, m.key) for m in OutboxMessage.objects.all()] == [
        ("near@example.invalid", f"workorder:{work_order.pk}:assigned:2")]


def test_a_repeated_idempotency_key_gives_back_the_first_work_order(dispatcher, case, near):
    first = dispatch_assign(actor=dispatcher, case_id=case.pk, technician_id=near.pk,
                            idempotency_key="k-1", now=WHEN)
    again = dispatch_assign(actor=dispatcher, case_id=case.pk, technician_id=near.pk,
                            idempotency_key="k-1", now=WHEN)
    assert (first.created, again.created, again.work_order.pk) == (True, False, first.work_order.pk)
    assert (WorkOrder.objects.count(), OutboxMessage.objects.count()) == (1, 1)


def test_the_same_key_for_another_technician_is_a_conflict(dispatcher, case, near):
    other = make_technician("other")
    dispatch_assign(actor=dispatcher, case_id=case.pk, technician_id=near.pk,
                    idempotency_key="k-1", now=WHEN)
    with pytest.raises(Conflict) as refused:
        dispatch_assign(actor=dispatcher, case_id=case.pk, technician_id=other.pk,
                        idempotency_key="k-1", now=WHEN)
    assert refused.value.code == "idempotency_key_reused"
    assert WorkOrder.objects.count() == 1


def test_a_technician_at_capacity_may_still_be_chosen(dispatcher, case, near):
    dispatch_assign(actor=dispatcher, case_id=case.pk, technician_id=near.pk, now=WHEN)
    second = dispatch_assign(actor=dispatcher, case_id=case.pk, technician_id=near.pk, now=WHEN)
    assert second.created is True
    assert WorkOrder.objects.filter(technician_id=near.user_id).count() == 2


@pytest.mark.parametrize("technician_id", ["00000000-0000-0000-0000-000000000000", "bob", None])
def test_an_unknown_technician_names_the_field_and_creates_nothing(dispatcher, case, technician_id):
    with pytest.raises(ValidationFailed) as refused:
        dispatch_assign(actor=dispatcher, case_id=case.pk, technician_id=technician_id, now=WHEN)
    assert (refused.value.field, refused.value.code) == ("technician_id", "unknown_technician")
    assert not WorkOrder.objects.exists()


def test_an_inactive_technician_is_refused(dispatcher, case, near):
    technician_update(technician_id=near.pk, changes={"is_active": False})
    with pytest.raises(ValidationFailed) as refused:
        dispatch_assign(actor=dispatcher, case_id=case.pk, technician_id=near.pk, now=WHEN)
    assert refused.value.field == "technician_id"
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize(("kind", "scheduled_for", "field"), [
    ("visit", None, "kind"),
    ("repair", at("2026-11-02 11:00").replace(tzinfo=None), "scheduled_for"),
])
def test_invalid_input_names_the_field(dispatcher, case, near, kind, scheduled_for, field):
    with pytest.raises(ValidationFailed) as refused:
        dispatch_assign(actor=dispatcher, case_id=case.pk, technician_id=near.pk, kind=kind,
                        scheduled_for=scheduled_for, now=WHEN)
    assert refused.value.field == field
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("role_user", ["admin", "manager", "dispatcher"])
def test_dispatchers_managers_and_admins_may_assign(request, role_user, case, near):
    actor = request.getfixturevalue(role_user)
    assert dispatch_assign(actor=actor, case_id=case.pk, technician_id=near.pk, now=WHEN).created


@pytest.mark.parametrize("role_user", ["agent", "bob", "alice"])
def test_other_roles_may_not_assign_and_nothing_changes(request, role_user, case, near):
    actor = request.getfixturevalue(role_user)
    with pytest.raises(PermissionDenied):
        dispatch_assign(actor=actor, case_id=case.pk, technician_id=near.pk, now=WHEN)
    assert (WorkOrder.objects.count(), OutboxMessage.objects.count()) == (0, 0)


def test_another_customers_user_gets_404(charlie, case, near):
    with pytest.raises(NotFound):
        dispatch_assign(actor=charlie, case_id=case.pk, technician_id=near.pk, now=WHEN)
    assert not WorkOrder.objects.exists()


def test_a_resolved_case_takes_no_dispatch(agent, dispatcher, case, near):
    case_services.case_acknowledge(actor=agent, case_id=case.pk)
    case_services.case_resolve(actor=agent, case_id=case.pk, resolution="远程重启")
    with pytest.raises(Conflict) as refused:
        dispatch_assign(actor=dispatcher, case_id=case.pk, technician_id=near.pk, now=WHEN)
    assert refused.value.code == "case_not_open"
    assert not WorkOrder.objects.exists()
