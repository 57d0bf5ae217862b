"""Dispatching (派工): give a case's visit to a technician picked from the ranked list.

The work order itself, its event and the technician's notice (through the outbox) are the
workorders app's: this service checks who may dispatch and whom, then calls it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import ValidationFailed
from aftersales.core.roles import Role
from aftersales.dispatch.selectors import get_case_for_dispatch
from aftersales.roster.models import Technician
from aftersales.workorders.models import WorkOrder, WorkOrderKind
from aftersales.workorders.services import request_fingerprint, work_order_create

ASSIGN_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER})


@dataclass(frozen=True)
class Assignment:
    work_order: WorkOrder
    technician: Technician
    created: bool


def _active_technician(technician_id: Any) -> Technician:
    try:
        technician = (
            Technician.objects.select_related("user")
            .filter(pk=technician_id, is_active=True, user__is_active=True)
            .first()
        )
    except (ValidationError, ValueError, TypeError):
        technician = None
    if technician is None:
        raise ValidationFailed(
            _("没有这个在岗的工程师"), code="unknown_technician", field="technician_id"
        )
    return technician


def dispatch_assign(
    *,
    actor: User,
    case_id: Any,
    technician_id: Any,
    kind: str = WorkOrderKind.REPAIR,
    scheduled_for: dt.datetime | None = None,
    summary: str = "",
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> Assignment:
    """A new work order for the case, assigned to the technician (a `roster.Technician` id, as
    the ranked list gives it), who is notified through the outbox.

    A technician at capacity may still be chosen: the list marks them, the dispatcher decides.
    A repeated Idempotency-Key returns the first work order with `created` False.

    Not wrapped in a transaction here: `work_order_create` runs its own, and must see its
    IntegrityError on a racing Idempotency-Key outside any outer one to answer with the winner.
    """
    case = get_case_for_dispatch(actor, case_id, roles=ASSIGN_ROLES, doing=_("派工"))
    technician = _active_technician(technician_id)
    fingerprint = ""
    if idempotency_key:
        fingerprint = request_fingerprint({
            "endpoint": "dispatch_assign",
            "case_id": str(case.pk),
            "technician_id": str(technician.pk),
            "kind": kind,
            "scheduled_for": scheduled_for.isoformat() if scheduled_for else None,
            "summary": summary,
        })
    work_order, created = work_order_create(
        actor=actor,
        case_id=case.pk,
        kind=kind,
        technician_id=technician.user_id,
        scheduled_for=scheduled_for,
        summary=summary,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        now=now,
    )
    return Assignment(work_order=work_order, technician=technician, created=created)
