from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from aftersales.accounts.models import User
from aftersales.complaints import services
from aftersales.complaints.models import ActionStatus, Complaint, CorrectiveAction

pytestmark = pytest.mark.django_db


def test_staff_see_the_complaint_pages_and_customers_get_404(
        client_for: Callable[..., Any], file_complaint: Callable[..., Complaint], agent: User, alice: User) -> None:
    complaint = file_complaint(title="工程师<script>迟到</script>")
    urls = ["/console/complaints/", f"/console/complaints/{complaint.pk}/", "/console/complaints/trend/",
            "/console/complaints/evaluations/", "/console/complaints/create/",
            "/console/complaints/evaluations/?start=2026-03-01&end=2026-04-01"]
    for url in urls:
        response = client_for(agent).get(url)
        assert response.status_code == 200, url
        assert b"<script>" not in response.content
        assert client_for(alice).get(url).status_code == 404
    assert "工程师&lt;script&gt;".encode() in client_for(agent).get(f"/console/complaints/{complaint.pk}/").content


def test_filing_a_complaint_from_the_console_once_per_form(client_for: Callable[..., Any], acme: Any,
                                                            agent: User) -> None:
    client = client_for(agent)
    form = {"idempotency_key": "k" * 32, "customer": str(acme.pk), "title": "安装质量差", "channel": "phone",
            "severity": "serious", "subject_case": "", "subject_technician": "", "subject_team": ""}
    first = client.post("/console/complaints/create/", form)
    again = client.post("/console/complaints/create/", form)
    assert first.status_code == 302
    assert again.url == first.url
    assert Complaint.objects.get().severity == "serious"
    refused = client.post("/console/complaints/create/", {**form, "idempotency_key": "z" * 32,
                                                           "subject_case": "AS-NONE"})
    assert refused.status_code == 422
    assert "该客户没有这个工单" in refused.content.decode()
    assert Complaint.objects.count() == 1


def test_the_action_flow_on_the_complaint_page(client_for: Callable[..., Any],
                                               file_complaint: Callable[..., Complaint], agent: User, bob: User,
                                               manager: User) -> None:
    complaint = file_complaint()
    page = f"/console/complaints/{complaint.pk}/"
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()  # noqa: DTZ011
    refused = client_for(agent).post(f"{page}actions/create/", {"kind": "corrective", "description": "x",
                                                               "owner": str(agent.pk), "due_on": "2000-01-01"})
    assert refused.status_code == 422
    assert "完成期限不能早于今天" in refused.content.decode()
    added = client_for(agent).post(f"{page}actions/create/", {"kind": "corrective", "description": "重新培训",
                                                             "owner": str(bob.pk), "due_on": due})
    assert added.status_code == 302
    action = CorrectiveAction.objects.get()
    client_for(bob).post(f"/console/complaints/actions/{action.pk}/complete/", {"note": "完成"})
    client_for(bob).post(f"/console/complaints/actions/{action.pk}/verify/", {"decision": "accept"})
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE  # an engineer cannot verify
    client_for(manager).post(f"/console/complaints/actions/{action.pk}/verify/", {"decision": "accept"})
    action.refresh_from_db()
    assert action.status == ActionStatus.VERIFIED
    root = client_for(agent).post(f"{page}root-cause/", {"version": 1, "category": "workmanship", "text": "接线松动"})
    assert root.status_code == 302
    assert "接线松动" in client_for(agent).get(page).content.decode()
    services.evaluations_snapshot(period_start=dt.date(2026, 3, 1))
