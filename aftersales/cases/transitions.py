"""The case state machine: for each action, the statuses it may start from and where it leads.

Only services change a case's status, and only through this table.
"""

from __future__ import annotations

from aftersales.cases.models import Status
from aftersales.core.errors import Conflict

N, A, P, W, R, C = (
    Status.NEW,
    Status.ACKNOWLEDGED,
    Status.IN_PROGRESS,
    Status.WAITING_ON_CUSTOMER,
    Status.RESOLVED,
    Status.CLOSED,
)

TRANSITIONS: dict[str, dict[str, str]] = {
    "acknowledge": {N: A},
    "respond": {N: A, A: A, P: P, W: W},
    "assign": {N: P, A: P, P: P, W: W},
    "escalate": {N: N, A: A, P: P, W: W},
    "wait_on_customer": {A: W, P: W},
    "resume": {W: P},
    "check_in": {A: P, P: P},
    "resolve": {A: R, P: R},
    "restore": {A: P, P: P},
    "agree_deadline": {N: N, A: A, P: P, W: W},
    "confirm_closure": {R: C},
    "reopen": {R: P, C: P},
}

ACTIONS = tuple(TRANSITIONS)


def next_status(action: str, status: str) -> str:
    """The status after `action`, or Conflict naming the statuses the action is allowed in."""
    table = TRANSITIONS[action]
    if status not in table:
        allowed = ", ".join(sorted(table))
        raise Conflict(
            f"cannot {action} a case that is {status}; allowed when: {allowed}",
            code="invalid_transition",
        )
    return table[status]
