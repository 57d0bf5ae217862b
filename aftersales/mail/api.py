"""HTTP API of the e-mail channel (/api/v1/mail): staff reply to a case's customer by e-mail
and sort messages from unknown senders (triage). Handlers parse, call one service, render."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Router, Status

from aftersales.core.permissions import require_role
from aftersales.core.roles import STAFF_ROLES
from aftersales.mail import selectors, services
from aftersales.mail.models import OutboundMessage
from aftersales.mail.schemas import (
    MailReplyIn,
    OutboundOut,
    TriageAssignIn,
    TriageAssignOut,
    TriageOut,
)

router = Router(tags=["mail"])
TRIAGE_PAGE = 100


def _outbound_out(message: OutboundMessage) -> OutboundOut:
    return OutboundOut(id=message.pk, case_id=message.case_id, kind=message.kind, message_id=message.message_id,
                       in_reply_to=message.in_reply_to, language=message.language, created_at=message.created_at)


@router.post("/cases/{case_id}/replies", response={201: OutboundOut})
def mail_reply(request: HttpRequest, case_id: uuid.UUID, payload: MailReplyIn,
               idempotency_key: str | None = Header(default=None, alias="Idempotency-Key",
                                                    min_length=1, max_length=100),
               ) -> Status[OutboundOut]:
    """Send the customer an e-mail reply threaded under their latest message (staff only). With
    an Idempotency-Key a repeat returns the first reply and sends nothing more."""
    message = services.mail_reply(actor=request.user, case_id=case_id, body=payload.body,  # type: ignore[arg-type]
                                  idempotency_key=idempotency_key)
    return Status(201, _outbound_out(message))


@router.get("/triage", response=list[TriageOut])
def triage_list(request: HttpRequest) -> list[TriageOut]:
    require_role(request.user, STAFF_ROLES, doing=_("查看待分拣邮件"))
    return [TriageOut(id=m.pk, sender=m.sender, sender_name=m.sender_name, subject=m.subject,
                      received_at=m.received_at, body_text=m.body_text, notes=[str(n) for n in m.notes])
            for m in selectors.triage_list()[:TRIAGE_PAGE]]


@router.post("/triage/{message_id}/assign", response={201: TriageAssignOut})
def triage_assign(request: HttpRequest, message_id: uuid.UUID, payload: TriageAssignIn,
                  ) -> Status[TriageAssignOut]:
    case = services.triage_assign(actor=request.user, message_id=message_id,  # type: ignore[arg-type]
                                  customer_id=payload.customer_id, contact_id=payload.contact_id,
                                  category=payload.category)
    return Status(201, TriageAssignOut(case_id=case.pk, case_number=case.number))


@router.post("/triage/{message_id}/discard", response={204: None})
def triage_discard(request: HttpRequest, message_id: uuid.UUID) -> Status[None]:
    services.triage_discard(actor=request.user, message_id=message_id)  # type: ignore[arg-type]
    return Status(204, None)
