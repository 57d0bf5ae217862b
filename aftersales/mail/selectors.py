from __future__ import annotations

from django.db.models import QuerySet

from aftersales.cases.models import Case
from aftersales.mail.models import InboundMessage, InboundStatus


def triage_list() -> QuerySet[InboundMessage]:
    """Messages from unknown senders waiting for an agent, oldest first. Staff only (the
    callers check the role): these are not yet any customer's data."""
    return InboundMessage.objects.filter(status=InboundStatus.TRIAGE).defer("raw").order_by("received_at")


def latest_inbound(case: Case) -> InboundMessage | None:
    """The customer's latest mail about the case that a person wrote (replies answer it)."""
    return (InboundMessage.objects.filter(case=case).exclude(status=InboundStatus.AUTOMATIC)
            .exclude(sender="").defer("raw").order_by("-received_at").first())


def reply_recipient(case: Case) -> str:
    """Where a reply about the case goes: the case's contact's address, else whoever wrote
    about it last; "" when there is nobody to write to. The caller reached `case` through the
    scoping layer."""
    contact = case.contact if case.contact_id else None
    if contact is not None and contact.email:
        return contact.email
    answering = latest_inbound(case)
    return answering.sender if answering else ""
