"""The work-order state machine: for each action, the statuses it may start from and where it
leads. Only services change a work order's status, and only through this table."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.errors import Conflict
from aftersales.workorders.models import WorkOrderStatus

# A for arrived (on site); O would read as zero.
S, T, A, D, G, C, X = (
    WorkOrderStatus.SCHEDULED,
    WorkOrderStatus.TRAVELLING,
    WorkOrderStatus.ON_SITE,
    WorkOrderStatus.WORK_DONE,
    WorkOrderStatus.SIGNED,
    WorkOrderStatus.CLOSED,
    WorkOrderStatus.CANCELLED,
)

TRANSITIONS: dict[str, dict[str, str]] = {
    # Once the technician is on the road the visit is theirs; a change of person is a new order.
    "assign": {S: S},
    "start_travel": {S: T},
    "check_in": {T: A},
    # Findings may be corrected until the customer has signed what they read.
    "record": {A: A, D: D},
    "complete": {A: D},
    "sign": {D: G},
    "close": {G: C},
    "cancel": {S: X, T: X},
    "add_photo": {A: A, D: D, G: G},
}

ACTIONS = tuple(TRANSITIONS)

ACTION_LABELS = {
    "assign": gettext_lazy("指派工程师"), "start_travel": gettext_lazy("出发"),
    "check_in": gettext_lazy("到场签到"), "record": gettext_lazy("记录处理情况"),
    "complete": gettext_lazy("完工"), "sign": gettext_lazy("客户签字"), "close": gettext_lazy("关闭"),
    "cancel": gettext_lazy("取消"), "add_photo": gettext_lazy("上传照片"),
}


def next_status(action: str, status: str) -> str:
    """The status after `action`, or Conflict naming the current status and the action."""
    table = TRANSITIONS[action]
    if status not in table:
        allowed = _("、").join(str(WorkOrderStatus(s).label) for s in table)
        raise Conflict(
            _("派工单当前为“%(status)s”，不能执行“%(action)s”；仅在以下状态可以：%(allowed)s")
            % {"status": WorkOrderStatus(status).label, "action": ACTION_LABELS[action], "allowed": allowed},
            code="invalid_transition",
        )
    return table[status]
