"""Entry points of the reports for the pages and the API: who may read which report, the
period's checks, and the figures (compliance.py, operations.py, dashboard.py compute them).

Roles (docs/decisions/0013-reports.md): managers and admins read every report; dispatchers too
(read-only like everyone: reports change nothing), since they run the backlog and the field
work; agents, engineers and experts do not. A customer user reads the compliance report of its
own organisation's contracts through the API (another organisation's contract answers 404);
the console pages are staff only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from aftersales.contracts.models import Contract
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.core.roles import Role
from aftersales.reports import operations
from aftersales.reports.compliance import (
    ComplianceReport,
    Period,
    compliance_report,
    get_contract_for_user,
)
from aftersales.reports.dashboard import dashboard

REPORT_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER})
MAX_PERIOD_DAYS = 400


def can_read_reports(user: Any) -> bool:
    return getattr(user, "role", None) in REPORT_ROLES


def require_report_reader(user: Any) -> None:
    if not can_read_reports(user):
        raise PermissionDenied(_("您的角色无权查看报表"), code="role_forbidden")


def period_of(start: dt.date | None, end: dt.date | None) -> Period:
    """The period start..end (local days, both included), checked."""
    if start is None:
        raise ValidationFailed(_("请填写开始日期"), field="start")
    if end is None:
        raise ValidationFailed(_("请填写结束日期"), field="end")
    if end < start:
        raise ValidationFailed(_("结束日期不能早于开始日期"), field="end")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed(_("期间最长 %(days)d 天") % {"days": MAX_PERIOD_DAYS}, field="end")
    return Period(start, end)


def compliance_for_user(*, user: Any, contract_id: Any, start: dt.date | None, end: dt.date | None,
                        now: dt.datetime) -> ComplianceReport:
    """The compliance report of a contract the user may see: staff readers any, a customer user
    its own organisation's (404 otherwise); other roles are refused."""
    if not getattr(user, "is_customer_user", False):
        require_report_reader(user)
    contract: Contract = get_contract_for_user(user, contract_id)
    return compliance_report(contract=contract, period=period_of(start, end), now=now)


def operations_for_user(*, user: Any, start: dt.date | None, end: dt.date | None, customer_id: Any,
                        now: dt.datetime) -> dict[str, Any]:
    require_report_reader(user)
    period = period_of(start, end)
    return {
        "period": period,
        "backlog": operations.backlog(now=now, customer_id=customer_id),
        "fault_rates": operations.fault_rates(period=period, customer_id=customer_id),
        "mttr": operations.mttr(period=period, customer_id=customer_id),
        "workload": operations.technician_workload(period=period, customer_id=customer_id),
    }


def dashboard_for_user(*, user: Any, now: dt.datetime) -> dict[str, Any]:
    require_report_reader(user)
    return dashboard(now=now)
