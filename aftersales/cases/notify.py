"""Who hears about what happens to a case, and what the message says."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.cases.models import Case, ClockTarget
from aftersales.notifications.services import Notification


def manager_emails() -> list[str]:
    return list(
        User.objects.filter(role=Role.MANAGER, is_active=True)
        .exclude(email="")
        .order_by("username")
        .values_list("email", flat=True)
    )


def _recipients(case: Case, assignee_email: str | None, managers: Iterable[str]) -> list[str]:
    if assignee_email:
        return [assignee_email]
    return list(managers)


def clock_notifications(
    *, case: Case, kind: str, target: str, due_iso: str, assignee_email: str | None,
    managers: Iterable[str],
) -> list[Notification]:
    """A warning goes to the assignee; a breach to the assignee and the managers."""
    target_label = str(ClockTarget(target).label)
    if kind == "warning":
        subject = _("【时效预警】%(number)s %(target)s 将于 %(due)s 到期") % {
            "number": case.number, "target": target_label, "due": due_iso,
        }
        recipients = _recipients(case, assignee_email, managers)
    else:
        subject = _("【已超时】%(number)s %(target)s 已于 %(due)s 超时，已升级") % {
            "number": case.number, "target": target_label, "due": due_iso,
        }
        recipients = sorted({*([assignee_email] if assignee_email else []), *managers})
    body = _("工单 %(number)s：%(title)s\n严重等级 %(severity)s\n") % {
        "number": case.number, "title": case.title, "severity": case.severity,
    }
    return [
        Notification(
            key=f"case:{case.pk}:{kind}:{target}:{due_iso}:{recipient}",
            recipient=recipient,
            subject=subject,
            body=body,
        )
        for recipient in recipients
    ]


def assignment_notification(*, case: Case, assignee: User, sequence: int) -> list[Notification]:
    if not assignee.email:
        return []
    return [
        Notification(
            key=f"case:{case.pk}:assigned:{sequence}",
            recipient=assignee.email,
            subject=_("【新指派】%(number)s %(title)s") % {"number": case.number, "title": case.title},
            body=_("您被指派处理工单 %(number)s（%(severity)s）。") % {
                "number": case.number, "severity": case.severity,
            },
        )
    ]
