from __future__ import annotations

import pytest
from django.test import Client

from aftersales.cases import services
from aftersales.cases.models import Case

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case(agent, customer, title="收费车道无法交易", impact="outage") -> Case:
    case, _created = services.case_open(actor=agent, customer_id=customer.pk, channel="phone", category="fault",
                                        title=title, impact=impact)
    return case


def test_the_queue_shows_open_cases_by_next_due_with_their_clocks(agent, acme):
    later = _case(agent, acme, "情报板显示乱码", "limited")
    first = _case(agent, acme, "隧道摄像机黑屏", "outage")
    page = _client(agent).get("/console/").content.decode()
    assert page.index(first.number) < page.index(later.number)
    assert "首次响应" in page
    assert "剩余" in page
    assert 'lang="zh-hans"' in page


def test_the_queue_filters_and_searches_and_answers_htmx_with_rows_only(agent, acme, globex):
    acme_case = _case(agent, acme, "隧道摄像机黑屏")
    globex_case = _case(agent, globex, "UPS电池告警")
    client = _client(agent)
    rows = client.get(f"/console/?customer={globex.pk}", HTTP_HX_REQUEST="true").content.decode()
    assert globex_case.number in rows
    assert acme_case.number not in rows
    assert "<html" not in rows
    found = client.get("/console/?q=摄像机").content.decode()
    assert acme_case.number in found
    assert globex_case.number not in found
    by_number = client.get(f"/console/?q={globex_case.number.lower()}").content.decode()
    assert globex_case.number in by_number
    assert acme_case.number not in by_number


def test_user_text_is_escaped(agent, acme):
    _case(agent, acme, '<script>alert("x")</script>')
    page = _client(agent).get("/console/").content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


def test_the_case_page_offers_only_the_actions_its_status_allows_and_performs_them(agent, acme, bob):
    case = _case(agent, acme)
    client = _client(agent)
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert 'data-action="acknowledge"' in page
    assert 'data-action="resolve"' not in page
    response = client.post(f"/console/cases/{case.pk}/actions/assign", {"assignee_id": bob.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.assignee) == ("in_progress", bob)
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert 'data-action="resolve"' in page
    assert 'data-action="acknowledge"' not in page


def test_a_refused_action_says_why_and_changes_nothing(agent, acme):
    case = _case(agent, acme)
    response = _client(agent).post(f"/console/cases/{case.pk}/actions/resolve", {"resolution": "x"})
    assert response.status_code == 409
    assert "不能执行“解决”" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "new"
    response = _client(agent).post(f"/console/cases/{case.pk}/actions/assign", {})
    assert response.status_code == 422


def test_customer_users_and_strangers_never_reach_the_console(agent, alice, acme):
    case = _case(agent, acme)
    assert _client(alice).get("/console/").status_code == 404
    assert _client(alice).get(f"/console/cases/{case.pk}/").status_code == 404
    assert Client().get("/console/")["Location"].startswith("/accounts/sign-in/")


def test_pages_carry_a_content_security_policy_without_inline_scripts(agent):
    response = _client(agent).get("/console/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.content.decode()


def test_english_is_one_click_away(agent):
    client = _client(agent)
    client.post("/i18n/setlang/", {"language": "en", "next": "/console/"})
    page = client.get("/console/").content.decode()
    assert 'lang="en"' in page


def test_the_timeline_escapes_what_people_wrote_and_marks_internal_notes(agent, acme):
    case = _case(agent, acme)
    services.case_note(actor=agent, case_id=case.pk, text='<img src=x onerror="alert(1)">')
    page = _client(agent).get(f"/console/cases/{case.pk}/").content.decode()
    assert '<img src=x onerror="alert(1)">' not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert '<span class="internal">仅内部可见</span>' in page


def test_times_are_shown_in_the_users_own_time_zone(agent, acme):
    case = _case(agent, acme)
    assert "+08:00" in _client(agent).get(f"/console/cases/{case.pk}/").content.decode()
    agent.time_zone = "Asia/Urumqi"
    agent.save()
    page = _client(agent).get(f"/console/cases/{case.pk}/").content.decode()
    assert "+06:00" in page
    assert "+08:00" not in page
