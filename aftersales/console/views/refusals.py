"""How a page shows a service's refusal (a DomainError): at the form field it names, else above
the form; as a message after a redirect. A 404 is never shown: it goes on as the 404 page, so
another customer's object stays indistinguishable from a missing one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from aftersales.core.errors import DomainError

NO_ALIASES: Mapping[str, str | None] = {}
# Fields of the form's machinery, hidden and never shown with an error: a refusal naming one
# (a stale version) goes above the form.
MACHINERY = frozenset({"version", "expected_version", "idempotency_key", "offset"})


def refused_field(form: Any, name: str, aliases: Mapping[str, str | None] = NO_ALIASES) -> str | None:
    """The form field a service's field name stands for: an alias, the name itself, or the name
    without `_id`/`_ids` (services name ids, forms the things); None when the form has no such
    field or it is part of the form's machinery (the version, the idempotency key)."""
    if name in aliases:
        field = aliases[name]
    elif name in form.fields:
        field = name
    else:
        field = name.removesuffix("_ids").removesuffix("_id")
    if field is None or field in MACHINERY or field not in form.fields:
        return None
    return field


def show_refusal(form: Any, refused: DomainError, *, aliases: Mapping[str, str | None] = NO_ALIASES) -> int:
    """Put the refusal on the form; answers the status the page is rendered with."""
    if refused.status == 404:
        raise refused
    form.add_error(refused_field(form, refused.field or "", aliases), refused.detail)
    return refused.status


def flash_refusal(request: HttpRequest, refused: DomainError) -> None:
    """The refusal of an action that redirects: a message on the next page."""
    if refused.status == 404:
        raise refused
    messages.error(request, refused.detail)
