from __future__ import annotations

import pytest

from aftersales.cases import services
from aftersales.cases.models import CaseEvent
from aftersales.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def _case(agent, acme):
    case, _created = services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                        title="情报板黑屏", impact="limited")
    return case


def test_a_system_note_is_internal_without_actor_and_changes_nothing_else(agent, acme):
    case = _case(agent, acme)
    services.case_system_note(case_id=case.pk, text="  系统建议借用替代设备  ")
    note = CaseEvent.objects.filter(case=case).latest("sequence")
    case.refresh_from_db()
    assert (note.kind, note.actor_id, note.data["note"], note.data["by"]) == ("note", None, "系统建议借用替代设备", "system")
    assert (note.sequence, case.last_event_sequence, case.status) == (2, 2, "new")


def test_an_empty_system_note_is_refused(agent, acme):
    case = _case(agent, acme)
    with pytest.raises(ValidationFailed) as refused:
        services.case_system_note(case_id=case.pk, text=" ")
    assert refused.value.field == "note"
