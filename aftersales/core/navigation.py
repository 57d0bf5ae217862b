"""The menu a signed-in user sees: each role only its own entries."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.core.roles import Role

# (url name, label, roles that see it)
MENU: tuple[tuple[str, Any, frozenset[str]], ...] = (
    ("console:queue", _("工单队列"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT,
                                            Role.ENGINEER, Role.EXPERT})),
    ("console:report-dashboard", _("报表"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER})),
    ("console:intake", _("热线受理"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT})),
    ("console:customers", _("客户档案"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT,
                                                Role.ENGINEER, Role.EXPERT})),
    ("console:my_work_orders", _("我的派工单"), frozenset({Role.ENGINEER, Role.EXPERT})),
    ("console:emergencies", _("应急指挥"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT})),
    ("console:roster-on-duty", _("值班"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT,
                                                  Role.ENGINEER, Role.EXPERT})),
    ("console:parts-depots", _("备件"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.ENGINEER})),
    ("console:loans", _("替代设备"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT,
                                             Role.ENGINEER})),
    ("console:returns", _("退换货"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT,
                                            Role.ENGINEER})),
    ("console:inspection-plans", _("巡检计划"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.ENGINEER})),
    ("console:maintenance", _("维修保养记录"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.ENGINEER})),
    ("console:special-periods", _("特殊时期保障"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT,
                                                       Role.ENGINEER, Role.EXPERT})),
    ("console:training-sessions", _("培训"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT,
                                                     Role.ENGINEER, Role.EXPERT})),
    ("console:knowledge", _("知识库"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT,
                                              Role.ENGINEER, Role.EXPERT})),
    ("console:complaints", _("投诉与质量评价"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT,
                                                      Role.ENGINEER, Role.EXPERT})),
    ("console:surveys", _("满意度与回访"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT,
                                                 Role.ENGINEER, Role.EXPERT})),
    ("console:survey-return-visits", _("我的回访"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT})),
    ("console:commitments", _("服务承诺导入"), frozenset({Role.ADMIN, Role.MANAGER})),
    ("console:chat", _("在线客服"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT})),
    ("console:mail-triage", _("待分拣邮件"), frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AGENT})),
    ("console:webhooks", _("Webhook 订阅"), frozenset({Role.ADMIN})),
    ("portal:home", _("我的服务请求"), frozenset({Role.CUSTOMER})),
    ("portal:request", _("提交服务申请"), frozenset({Role.CUSTOMER})),
    ("portal:returns", _("退换货申请"), frozenset({Role.CUSTOMER})),
    ("portal:training", _("培训与资料"), frozenset({Role.CUSTOMER})),
    ("portal:knowledge", _("知识库"), frozenset({Role.CUSTOMER})),
    ("portal:surveys", _("满意度调查"), frozenset({Role.CUSTOMER})),
    ("portal:chat", _("在线客服"), frozenset({Role.CUSTOMER})),
    ("admin:index", _("系统管理"), frozenset({Role.ADMIN})),
)


def menu(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    role = getattr(user, "role", "")
    items = [{"url": reverse(name), "label": label, "active": False} for name, label, roles in MENU if role in roles]
    # The entry whose address is the longest beginning of this page's path is the current one.
    current = max((i for i in items if request.path.startswith(i["url"])), key=lambda i: len(i["url"]), default=None)
    if current is not None:
        current["active"] = True
    return {"menu": items}
