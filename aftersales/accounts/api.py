from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from aftersales.accounts.schemas import MeOut, TokenIn, TokenOut
from aftersales.accounts.services import api_token_issue

router = Router(tags=["auth"])


@router.post("/token", auth=None, response={201: TokenOut})
def token_create(request: HttpRequest, payload: TokenIn) -> Status[TokenOut]:
    token, plain = api_token_issue(username=payload.username, password=payload.password, name=payload.name)
    return Status(201, TokenOut(token=plain, expires_at=token.expires_at))


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        id=user.pk, username=user.username, role=user.role,
        customer_id=str(user.customer_id) if user.customer_id else None,
    )
