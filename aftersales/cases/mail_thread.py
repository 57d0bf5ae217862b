"""The e-mail thread of a case: every mail we send about a case names the same root Message-ID
in its References, so the customer's mail client groups the acknowledgement, replies, status
changes and the survey link as one conversation whichever of them came first."""

from __future__ import annotations

from typing import Any

from aftersales.notifications.services import fixed_message_id


def case_thread_root(case_id: Any) -> str:
    return fixed_message_id(f"case-thread:{case_id}")


def thread_references(case_id: Any, earlier: list[str] | None = None) -> str:
    """The References header: the case's root first, then the latest earlier ids (at most 20)."""
    root = case_thread_root(case_id)
    rest = [m for m in (earlier or []) if m != root][-19:]
    return " ".join([root, *rest])
