from __future__ import annotations

import datetime as dt
import uuid

from ninja import Field, Schema


class MailReplyIn(Schema):
    body: str = Field(max_length=20_000)


class OutboundOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    kind: str
    message_id: str
    in_reply_to: str
    language: str
    created_at: dt.datetime


class TriageOut(Schema):
    id: uuid.UUID
    sender: str
    sender_name: str
    subject: str
    received_at: dt.datetime
    body_text: str
    notes: list[str]


class TriageAssignIn(Schema):
    customer_id: uuid.UUID
    contact_id: uuid.UUID | None = None
    category: str | None = None


class TriageAssignOut(Schema):
    case_id: uuid.UUID
    case_number: str
