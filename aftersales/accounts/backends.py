"""Django's model backend, with the session's user remembered for a few seconds per process
(accounts.services.session_user): a page costs no user query once the process has seen it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from aftersales.accounts.services import session_user


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        return session_user(user_id, super().get_user)
