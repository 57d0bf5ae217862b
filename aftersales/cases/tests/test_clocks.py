from __future__ import annotations

import pytest
import time_machine

from aftersales.calendars.models import Calendar
from aftersales.calendars.services import calendar_exception_set
from aftersales.cases.models import Case, CaseClock
from aftersales.cases.services import clocks_sync
from aftersales.cases.sweep import sla_sweep
from aftersales.cases.tests.helpers import at, clock, new_case_payload

pytestmark = pytest.mark.django_db


def _act(client, case_id, action, payload=None):
    response = client.post(f"/api/v1/cases/{case_id}/actions/{action}", payload or {})
    assert response.status_code == 200, response.content
    return response.json()


def test_waiting_on_the_customer_pauses_the_clocks_and_resuming_adds_the_time_back(api, agent, acme, diamond_contract):
    # given a P1 filed at 10:00 (resolution due 24 h later)
    client = api(agent)
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        case_id = client.post("/api/v1/cases", new_case_payload(acme)).json()["id"]
        _act(client, case_id, "respond")
    # when it waits on the customer from 11:00 to 14:30
    with time_machine.travel(at("2026-11-02 11:00"), tick=False):
        paused = _act(client, case_id, "wait_on_customer", {"reason": "等待业主开门"})
    with time_machine.travel(at("2026-11-02 14:30"), tick=False):
        resumed = _act(client, case_id, "resume")
    # then
    assert clock(paused, "resolution")["state"] == "paused"
    assert clock(paused, "resolution")["due_at"] is None
    assert clock(paused, "resolution")["paused_at"] == "2026-11-02T11:00:00+08:00"
    assert clock(paused, "first_response")["state"] == "met"
    assert paused["next_due_at"] is None
    assert clock(resumed, "resolution")["state"] == "running"
    assert clock(resumed, "resolution")["due_at"] == "2026-11-03T13:30:00+08:00"
    assert clock(resumed, "on_site")["due_at"] == "2026-11-02T17:30:00+08:00"
    assert resumed["next_due_at"] == "2026-11-02T17:30:00+08:00"


def test_milestones_stop_their_clocks_and_a_late_one_counts_as_breached(api, agent, acme, diamond_contract):
    client = api(agent)
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        case_id = client.post("/api/v1/cases", new_case_payload(acme)).json()["id"]
    with time_machine.travel(at("2026-11-02 10:45"), tick=False):
        body = _act(client, case_id, "respond")
    with time_machine.travel(at("2026-11-02 13:00"), tick=False):
        body = _act(client, case_id, "check_in")
    response = clock(body, "first_response")
    assert (response["state"], response["met_at"], response["breached"]) == ("met", "2026-11-02T10:45:00+08:00", True)
    on_site = clock(body, "on_site")
    assert (on_site["state"], on_site["breached"]) == ("met", False)
    assert body["breached"] is True


def test_resolving_without_a_visit_marks_the_on_site_clock_not_required(api, agent, acme, diamond_contract):
    client = api(agent)
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        case_id = client.post("/api/v1/cases", new_case_payload(acme)).json()["id"]
        _act(client, case_id, "acknowledge")
    with time_machine.travel(at("2026-11-02 10:20"), tick=False):
        body = _act(client, case_id, "resolve", {"resolution": "远程重启恢复"})
    states = {c["target"]: c["state"] for c in body["clocks"]}
    assert states == {"first_response": "met", "on_site": "not_required", "resolution": "met", "restoration": "met"}
    assert body["next_due_at"] is None


def test_a_reopen_runs_the_fix_clocks_again_without_the_time_spent_resolved(api, agent, acme, diamond_contract):
    client = api(agent)
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        case_id = client.post("/api/v1/cases", new_case_payload(acme)).json()["id"]
        _act(client, case_id, "acknowledge")
    with time_machine.travel(at("2026-11-02 12:00"), tick=False):
        _act(client, case_id, "resolve", {"resolution": "更换电源"})
    with time_machine.travel(at("2026-11-02 20:00"), tick=False):
        body = _act(client, case_id, "reopen", {"reason": "再次断电"})
    resolution = clock(body, "resolution")
    assert resolution["state"] == "running"
    assert resolution["due_at"] == "2026-11-03T18:00:00+08:00"
    assert clock(body, "first_response")["state"] == "met"


def test_a_met_clock_stores_the_working_time_it_ran_without_pauses_nor_time_resolved(
        api, agent, acme, diamond_contract):
    # given a 7×24 P1 filed 10:00, answered 10:45, waiting 11:00–12:00, resolved 13:00,
    # reopened 20:00 and resolved again 21:30
    client = api(agent)
    steps = [("2026-11-02 10:45", "respond", None), ("2026-11-02 11:00", "wait_on_customer", {"reason": "等待"}),
             ("2026-11-02 12:00", "resume", None), ("2026-11-02 13:00", "resolve", {"resolution": "更换电源"}),
             ("2026-11-02 20:00", "reopen", {"reason": "再次断电"}),
             ("2026-11-02 21:30", "resolve", {"resolution": "更换主板"})]
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        case_id = client.post("/api/v1/cases", new_case_payload(acme)).json()["id"]
    for when, action, payload in steps:
        with time_machine.travel(at(when), tick=False):
            _act(client, case_id, action, payload)
    # then: response 45 min; resolution 3 h − 1 h waiting + 1.5 h after the reopen = 3.5 h
    elapsed = dict(CaseClock.objects.filter(case_id=case_id).values_list("target", "elapsed_seconds"))
    assert elapsed["first_response"] == 45 * 60
    assert elapsed["resolution"] == 210 * 60
    assert elapsed["on_site"] is None  # not required: it never ran to a milestone


def test_an_agreed_deadline_replaces_the_due_time_with_its_reason(api, agent, manager, acme, diamond_contract):
    client = api(agent)
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        case_id = client.post("/api/v1/cases", new_case_payload(acme)).json()["id"]
        _act(client, case_id, "acknowledge")
        body = _act(api(manager), case_id, "agree_deadline", {
            "target": "resolution", "due_at": "2026-11-05T18:00:00+08:00", "reason": "天线返厂，业主同意"})
    resolution = clock(body, "resolution")
    assert resolution["due_at"] == "2026-11-05T18:00:00+08:00"
    assert resolution["calendar_due_at"] == "2026-11-03T10:00:00+08:00"
    assert resolution["agreed_reason"] == "天线返厂，业主同意"
    assert body["events"][-1]["kind"] == "deadline_agreed"


def test_an_agreed_deadline_on_a_stopped_clock_is_refused(api, agent, acme, diamond_contract):
    client = api(agent)
    case_id = client.post("/api/v1/cases", new_case_payload(acme)).json()["id"]
    _act(client, case_id, "respond")
    response = client.post(f"/api/v1/cases/{case_id}/actions/agree_deadline", {
        "target": "first_response", "due_at": "2030-01-01T00:00:00+08:00", "reason": "x"})
    assert response.status_code == 409
    assert response.json()["code"] == "clock_stopped"


def test_a_severity_change_gives_the_same_due_times_as_filing_with_that_severity(api, agent, acme, diamond_contract):
    # given two cases filed at the same moment, one as P3 then raised to P1
    client = api(agent)
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        changed = client.post("/api/v1/cases", new_case_payload(acme, impact="limited")).json()
        direct = client.post("/api/v1/cases", new_case_payload(acme, impact="outage")).json()
    # when
    with time_machine.travel(at("2026-11-02 10:10"), tick=False):
        body = client.patch(f"/api/v1/cases/{changed['id']}", {"severity": "P1"},
                            headers={"If-Match": '"1"'}).json()
    # then
    assert [c["due_at"] for c in body["clocks"]] == [c["due_at"] for c in direct["clocks"]]
    assert body["events"][-1]["data"] == {"before": {"severity": "P3"}, "after": {"severity": "P1"}}


def test_a_holiday_entered_later_moves_open_deadlines_as_a_replay_would(api, manager, agent, acme):
    # given a silver (office hours) case filed Friday 2027-10-01... a year the package may not know
    api(manager).post("/api/v1/contracts", {"number": "HT-S", "customer_id": str(acme.pk), "tier": "silver",
                                            "starts_on": "2027-01-01", "ends_on": "2027-12-31"})
    with time_machine.travel(at("2027-09-29 17:00"), tick=False):
        body = api(agent).post("/api/v1/cases", new_case_payload(acme)).json()
    before = clock(body, "resolution")["due_at"]
    # when an administrator enters the 2027 National Day holidays by hand
    calendar = Calendar.objects.get(code="cn-office")
    for day in range(1, 8):
        calendar_exception_set(calendar=calendar, date=f"2027-10-0{day}", kind="holiday", name="国庆节")
    with time_machine.travel(at("2027-09-29 17:05"), tick=False):
        result = sla_sweep()
    # then the stored clock equals a fresh replay and moved past the holidays
    case = Case.objects.get(pk=body["id"])
    stored = {c.target: c.due_at for c in CaseClock.objects.filter(case=case)}
    with time_machine.travel(at("2027-09-29 17:05"), tick=False):
        replayed = {c.target: c.due_at for c in clocks_sync(case=case)}
    assert result.recomputed == 1
    assert stored == replayed
    assert stored["resolution"].isoformat() != before
    assert stored["resolution"].astimezone(at("2027-01-01 00:00").tzinfo).date().isoformat() >= "2027-10-08"
