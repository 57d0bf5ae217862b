from __future__ import annotations

from django.db.models import QuerySet

from aftersales.mail.models import InboundMessage, InboundStatus


def triage_list() -> QuerySet[InboundMessage]:
    """Messages from unknown senders waiting for an agent, oldest first. Staff only (the
    callers check the role): these are not yet any customer's data."""
    return InboundMessage.objects.filter(status=InboundStatus.TRIAGE).defer("raw").order_by("received_at")
