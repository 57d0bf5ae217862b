from __future__ import annotations

from ninja import Schema

from aftersales.core.api_types import LocalDateTime


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str
    expires_at: LocalDateTime | None = None


class MeOut(Schema):
    id: int
    username: str
    role: str
    customer_id: str | None = None
