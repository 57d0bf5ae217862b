"""The case state machine: for each action, the statuses it may start from and where it leads.

Only services change a case's status, and only through this table.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    # An internal note changes nothing; a customer's reply to a case waiting on them resumes it.
    "note": {N: N, A: A, P: P, W: W, R: R, C: C},
    "customer_reply": {N: N, A: A, P: P, W: P},
    # The written reason for a missed target (R10) changes nothing but is required to close.
    "explain_breach": {N: N, A: A, P: P, W: W, R: R},
}

ACTIONS = tuple(TRANSITIONS)

ACTION_LABELS = {
    "acknowledge": gettext_lazy("确认受理"), "respond": gettext_lazy("答复"), "assign": gettext_lazy("指派"), "escalate": gettext_lazy("升级"),
    "wait_on_customer": gettext_lazy("等待客户"), "resume": gettext_lazy("恢复处理"), "check_in": gettext_lazy("到场签到"),
    "resolve": gettext_lazy("解决"), "restore": gettext_lazy("恢复运行"), "agree_deadline": gettext_lazy("约定期限"),
    "confirm_closure": gettext_lazy("确认关闭"), "reopen": gettext_lazy("重新打开"),
    "note": gettext_lazy("内部备注"), "customer_reply": gettext_lazy("客户回复"),
    "explain_breach": gettext_lazy("说明超时原因"),
}


def next_status(action: str, status: str) -> str:
    """The status after `action`, or Conflict naming the statuses the action is allowed in."""
    table = TRANSITIONS[action]
    if status not in table:
        allowed = _("、").join(str(Status(s).label) for s in table)
        raise Conflict(
            _("工单当前为“%(status)s”，不能执行“%(action)s”；仅在以下状态可以：%(allowed)s")
            % {"status": Status(status).label, "action": ACTION_LABELS[action], "allowed": allowed},
            code="invalid_transition",
        )
    return table[status]
