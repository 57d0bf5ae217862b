from __future__ import annotations

import datetime as dt
import io

import pytest

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.workorders import services
from aftersales.workorders.models import WorkOrder, WorkOrderEvent, WorkOrderPhoto, WorkOrderStatus
from aftersales.workorders.tests.factories import (
    PATHS,
    T0,
    photo_bytes,
    signature_png,
    work_order_in,
)
from aftersales.workorders.transitions import TRANSITIONS

pytestmark = pytest.mark.django_db

LATER = T0 + dt.timedelta(hours=3)


def _perform(action, actor, work_order, technician):
    arguments = {"actor": actor, "work_order_id": work_order.pk, "now": LATER}
    match action:
        case "assign":
            services.work_order_assign(**arguments, technician_id=technician.pk)
        case "start_travel":
            services.work_order_start_travel(**arguments)
        case "check_in":
            services.work_order_check_in(**arguments, note="已到收费站")
        case "record":
            services.work_order_record(**arguments, work_performed="补充：已清洁接口")
        case "complete":
            services.work_order_complete(**arguments)
        case "sign":
            services.work_order_sign(**arguments, signature_png=signature_png(), signer_name="马建国")
        case "close":
            services.work_order_close(**arguments)
        case "cancel":
            services.work_order_cancel(**arguments, reason="重复派工")
        case "add_photo":
            services.work_order_add_photo(**arguments, upload=io.BytesIO(photo_bytes()), caption="现场")
        case _:
            raise AssertionError(action)


def test_every_action_of_the_table_is_exercised():
    assert set(TRANSITIONS) == {"assign", "start_travel", "check_in", "record", "complete", "sign", "close",
                                "cancel", "add_photo"}
    assert set(PATHS) == set(WorkOrderStatus.values)


@pytest.mark.parametrize("status", list(PATHS))
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_action_follows_the_transition_table_in_every_status(agent, bob, case, status, action):
    # given
    work_order = work_order_in(status, actor=agent, case=case, technician=bob)
    events_before = WorkOrderEvent.objects.filter(work_order=work_order).count()
    version_before = work_order.version
    # when
    if status in TRANSITIONS[action]:
        _perform(action, agent, work_order, bob)
        # then
        work_order.refresh_from_db()
        assert work_order.status == TRANSITIONS[action][status]
        assert work_order.version == version_before + 1
        events = list(WorkOrderEvent.objects.filter(work_order=work_order).order_by("sequence"))
        assert len(events) == events_before + 1
        assert (events[-1].status_before, events[-1].status_after) == (status, work_order.status)
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        assert work_order.last_event_sequence == len(events)
    else:
        with pytest.raises(Conflict) as refused:
            _perform(action, agent, work_order, bob)
        # then: 409 naming the current status and the action, and nothing changed
        assert refused.value.status == 409
        assert refused.value.code == "invalid_transition"
        assert str(WorkOrderStatus(status).label) in refused.value.detail
        assert WorkOrder.objects.get(pk=work_order.pk).status == status
        assert WorkOrder.objects.get(pk=work_order.pk).version == version_before
        assert WorkOrderEvent.objects.filter(work_order=work_order).count() == events_before


def test_the_conflict_message_names_the_status_and_the_action(agent, bob, case):
    work_order = work_order_in(WorkOrderStatus.SCHEDULED, actor=agent, case=case, technician=bob)
    with pytest.raises(Conflict) as refused:
        services.work_order_close(actor=agent, work_order_id=work_order.pk)
    assert refused.value.detail == "派工单当前为“已派工”，不能执行“关闭”；仅在以下状态可以：客户已签字"


def test_the_happy_path_stamps_each_time(agent, bob, case):
    work_order = work_order_in(WorkOrderStatus.CLOSED, actor=agent, case=case, technician=bob)
    assert work_order.travel_started_at == T0 + dt.timedelta(minutes=10)
    assert work_order.checked_in_at == T0 + dt.timedelta(minutes=20)
    assert work_order.work_done_at == T0 + dt.timedelta(minutes=40)
    assert work_order.signed_at == T0 + dt.timedelta(minutes=50)
    assert work_order.closed_at == T0 + dt.timedelta(minutes=60)
    assert list(work_order.events.values_list("kind", flat=True)) == [
        "created", "assigned", "travel_started", "checked_in", "recorded", "completed", "signed", "closed"]


def test_cancelling_needs_a_reason_and_keeps_it(agent, bob, case):
    work_order = work_order_in(WorkOrderStatus.TRAVELLING, actor=agent, case=case, technician=bob)
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_cancel(actor=agent, work_order_id=work_order.pk, reason="  ")
    assert refused.value.field == "reason"
    assert WorkOrder.objects.get(pk=work_order.pk).status == WorkOrderStatus.TRAVELLING
    services.work_order_cancel(actor=agent, work_order_id=work_order.pk, reason="客户改期", now=LATER)
    work_order.refresh_from_db()
    assert (work_order.status, work_order.cancel_reason, work_order.cancelled_at) == ("cancelled", "客户改期", LATER)


def test_completing_needs_a_diagnosis_and_a_result(agent, bob, case):
    work_order = work_order_in(WorkOrderStatus.TRAVELLING, actor=agent, case=case, technician=bob)
    services.work_order_check_in(actor=agent, work_order_id=work_order.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_complete(actor=agent, work_order_id=work_order.pk)
    assert (refused.value.status, refused.value.field) == (422, "diagnosis")
    services.work_order_record(actor=agent, work_order_id=work_order.pk, diagnosis="电源模块故障")
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_complete(actor=agent, work_order_id=work_order.pk)
    assert refused.value.field == "result"
    assert WorkOrder.objects.get(pk=work_order.pk).status == WorkOrderStatus.ON_SITE


def test_travel_needs_a_technician(agent, case):
    work_order, _created = services.work_order_create(actor=agent, case_id=case.pk, kind="repair")
    with pytest.raises(Conflict) as refused:
        services.work_order_start_travel(actor=agent, work_order_id=work_order.pk)
    assert refused.value.code == "no_technician"


def test_events_are_append_only(agent, bob, case):
    work_order = work_order_in(WorkOrderStatus.SCHEDULED, actor=agent, case=case, technician=bob)
    event = work_order.events.first()
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_a_photo_on_a_closed_work_order_is_refused_and_nothing_is_stored(agent, bob, case, media):
    work_order = work_order_in(WorkOrderStatus.CLOSED, actor=agent, case=case, technician=bob)
    with pytest.raises(Conflict):
        services.work_order_add_photo(actor=agent, work_order_id=work_order.pk, upload=io.BytesIO(photo_bytes()))
    assert not WorkOrderPhoto.objects.exists()
    assert not any(p.is_file() for p in (media / "workorders" / "photos").rglob("*"))
