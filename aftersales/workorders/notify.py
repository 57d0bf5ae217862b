"""Who hears about what happens to a work order, and what the message says."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.notifications.services import Notification
from aftersales.workorders.models import WorkOrder


def assignment_notification(*, work_order: WorkOrder, technician: User, sequence: int) -> list[Notification]:
    """The technician's notice of a new visit; the key makes a retried write a no-op."""
    if not technician.email:
        return []
    case = work_order.case
    when = (timezone.localtime(work_order.scheduled_for).strftime("%Y-%m-%d %H:%M")
            if work_order.scheduled_for else _("待定"))
    site = case.site.name if case.site_id and case.site else ""
    return [
        Notification(
            key=f"workorder:{work_order.pk}:assigned:{sequence}",
            recipient=technician.email,
            subject=_("【新派工】%(number)s %(title)s") % {"number": work_order.number, "title": case.title},
            body=_("派工单 %(number)s（服务工单 %(case)s，%(severity)s）\n客户：%(customer)s %(site)s\n"
                   "计划时间：%(when)s\n%(summary)s") % {
                "number": work_order.number, "case": case.number, "severity": case.severity,
                "customer": case.customer.name, "site": site, "when": when, "summary": work_order.summary,
            },
        )
    ]
