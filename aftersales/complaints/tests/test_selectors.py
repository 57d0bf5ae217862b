from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aftersales.accounts.models import User
from aftersales.cases import services as case_services
from aftersales.complaints import services
from aftersales.complaints.models import Complaint
from aftersales.complaints.selectors import complaint_counts

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_complaint_counts_for_the_compliance_report(
        file_complaint: Callable[..., Complaint], acme: Any, globex: Any, agent: User, bob: User,
        manager: User, alice: User) -> None:
    # given: in March, two Acme complaints (one closed in March with a verified action, one open
    # with an action due 20 March not done) and one Globex complaint; one Acme complaint in April
    march = dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
    closed = file_complaint(now=march)
    services.complaint_set_root_cause(actor=agent, complaint_id=closed.pk, category="attitude", text="x")
    done = services.action_add(actor=agent, complaint_id=closed.pk, kind="corrective", description="培训",
                               owner_id=bob.pk, due_on=dt.date(2026, 3, 5), now=march)
    services.action_complete(actor=bob, action_id=done.pk, now=march)
    services.action_verify(actor=manager, action_id=done.pk, now=march)
    case_services.case_acknowledge(actor=agent, case_id=closed.case_id, now=march + dt.timedelta(hours=1))
    case_services.case_resolve(actor=agent, case_id=closed.case_id, resolution="已处理",
                               now=march + dt.timedelta(days=1))
    case_services.case_confirm_closure(actor=alice, case_id=closed.case_id, now=march + dt.timedelta(days=2))
    still_open = file_complaint(now=march + dt.timedelta(days=5))
    services.complaint_set_root_cause(actor=agent, complaint_id=still_open.pk, category="spare_parts", text="y")
    services.action_add(actor=agent, complaint_id=still_open.pk, kind="preventive", description="备件前置",
                        owner_id=bob.pk, due_on=dt.date(2026, 3, 20), now=march)
    file_complaint(customer_id=globex.pk, now=march)
    file_complaint(now=dt.datetime(2026, 4, 3, 9, tzinfo=SHANGHAI))
    # when
    counts = complaint_counts(customer_id=acme.pk, start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1))
    # then
    assert counts == {"filed": 2, "closed": 1, "open": 1, "with_capa_overdue": 1,
                      "by_root_cause": {"attitude": 1, "spare_parts": 1}}
    everyone = complaint_counts(start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1))
    assert (everyone["filed"], everyone["open"]) == (3, 2)
