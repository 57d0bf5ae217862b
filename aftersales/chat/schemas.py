from __future__ import annotations

import datetime as dt
import uuid

from ninja import Field, Schema


class ChatStartIn(Schema):
    topic: str = Field(default="", max_length=200)


class ChatSessionOut(Schema):
    id: uuid.UUID
    customer_id: uuid.UUID
    case_id: uuid.UUID
    case_number: str
    topic: str
    status: str
    started_by: str
    agent: str | None
    created_at: dt.datetime
    taken_at: dt.datetime | None
    ended_at: dt.datetime | None
    end_reason: str
    last_sequence: int


class ChatMessageIn(Schema):
    # The length rule (CHAT_MAX_BODY) is the service's, answered as 422 naming `body`; this
    # bound only keeps absurd requests out.
    body: str = Field(max_length=20_000)
    client_id: str = Field(min_length=1, max_length=64)


class ChatMessageOut(Schema):
    id: uuid.UUID
    sequence: int
    side: str
    author: str
    body: str
    client_id: str
    created_at: dt.datetime
