"""Keys of the forms that made something, kept in the session: a second submit of the same
form (a double click, a reload, a retry after a lost answer) opens what the first one made
instead of making it again."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

SESSION_FORM_KEYS = "console_form_keys"
KEPT_KEYS = 50


def made_by_key(request: HttpRequest, scope: str, key: str) -> str | None:
    made: str | None = request.session.get(SESSION_FORM_KEYS, {}).get(f"{scope}:{key}")
    return made


def remember_key(request: HttpRequest, scope: str, key: str, made_id: Any) -> None:
    kept = dict(request.session.get(SESSION_FORM_KEYS, {}))
    kept[f"{scope}:{key}"] = str(made_id)
    request.session[SESSION_FORM_KEYS] = dict(list(kept.items())[-KEPT_KEYS:])
