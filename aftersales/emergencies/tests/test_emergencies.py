"""Emergency levels (R10): a fault class sets a case's severity and targets; a missed target of
an emergency case needs a written reason before the case is resolved or closed."""

from __future__ import annotations

import pytest

from aftersales.cases import services
from aftersales.cases.models import CaseClock, CaseEvent, EventKind
from aftersales.cases.sweep import sla_recompute_stale, sla_sweep
from aftersales.cases.tests.helpers import at, clock, new_case_payload
from aftersales.contracts.services import policy_targets
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.emergencies.services import emergency_level_save, fault_class_create, fault_level


@pytest.fixture
def lane_down(db):
    emergency_level_save(level=1, name="一级（重大）", severity="P1",
                         targets={"first_response": 10, "on_site": 60},
                         required_actions=["通知业主值班室", "30 分钟内派出抢修队"])
    emergency_level_save(level=3, name="三级（一般）", severity="P3", breach_reason_required=False)
    return fault_class_create(code="lane-down", name="收费车道中断", level=1)


def _file(agent, customer, when, **kw):
    case, _ = services.case_open(actor=agent, customer_id=customer.pk, channel="phone", category="fault",
                                 title="收费车道中断", now=when, **kw)
    return case


def test_a_fault_class_sets_the_severity_and_replaces_the_targets_its_level_sets(agent, acme, diamond_contract,
                                                                                lane_down):
    case = _file(agent, acme, at("2026-11-02 10:00"), fault_class="lane-down")
    assert case.severity == "P1"
    clocks = {c.target: c for c in CaseClock.objects.filter(case=case)}
    assert clocks["first_response"].target_minutes == 10
    assert clocks["on_site"].target_minutes == 60
    # the targets the level leaves empty stay the policy's
    assert clocks["resolution"].target_minutes == policy_targets(case.policy, "P1")["resolution"]
    opened = CaseEvent.objects.get(case=case, kind=EventKind.OPENED)
    assert opened.data["fault_class"] == "lane-down"
    assert opened.data["emergency_level"] == 1


def test_a_severity_contradicting_the_fault_class_is_refused_naming_the_field(agent, acme, diamond_contract,
                                                                             lane_down):
    with pytest.raises(ValidationFailed) as refused:
        _file(agent, acme, at("2026-11-02 10:00"), fault_class="lane-down", severity="P3")
    assert refused.value.field == "severity"


def test_an_unknown_fault_class_is_refused_naming_the_field(agent, acme, diamond_contract, lane_down):
    with pytest.raises(ValidationFailed) as refused:
        _file(agent, acme, at("2026-11-02 10:00"), fault_class="no-such")
    assert refused.value.field == "fault_class"


def test_a_customer_user_cannot_choose_the_fault_class(alice, acme, diamond_contract, lane_down):
    with pytest.raises(PermissionDenied) as refused:
        _file(alice, acme, at("2026-11-02 10:00"), fault_class="lane-down")
    assert refused.value.field == "fault_class"


def test_the_severity_of_a_case_with_a_fault_class_cannot_be_edited(agent, acme, diamond_contract, lane_down):
    case = _file(agent, acme, at("2026-11-02 10:00"), fault_class="lane-down")
    with pytest.raises(Conflict):
        services.case_update(actor=agent, case_id=case.pk, expected_version=None, changes={"severity": "P4"})


def test_a_missed_target_needs_a_written_reason_before_resolving(agent, acme, diamond_contract, lane_down):
    case = _file(agent, acme, at("2026-11-02 10:00"), fault_class="lane-down")
    services.case_respond(actor=agent, case_id=case.pk, now=at("2026-11-02 10:05"))
    sla_sweep(now=at("2026-11-02 11:01"))  # on-site (60 min) missed
    with pytest.raises(Conflict) as refused:
        services.case_resolve(actor=agent, case_id=case.pk, resolution="更换电源", now=at("2026-11-02 12:00"))
    assert refused.value.code == "breach_reason_required"
    assert "到场" in refused.value.detail
    # a reason for a clock that was not missed is refused
    with pytest.raises(Conflict):
        services.case_act(actor=agent, case_id=case.pk, action="explain_breach", target="first_response",
                          reason="无")
    with pytest.raises(ValidationFailed) as empty:
        services.case_act(actor=agent, case_id=case.pk, action="explain_breach", target="on_site", reason=" ")
    assert empty.value.field == "reason"
    services.case_explain_breach(actor=agent, case_id=case.pk, target="on_site",
                                 reason="暴雪封路，抢修车 11:20 到达", now=at("2026-11-02 11:30"))
    resolved = services.case_resolve(actor=agent, case_id=case.pk, resolution="更换电源", now=at("2026-11-02 12:00"))
    assert resolved.status == "resolved"


def test_a_level_that_asks_no_reason_lets_a_breached_case_resolve(agent, acme, diamond_contract, lane_down):
    fault_class_create(code="camera-offline", name="摄像机离线", level=3)
    case = _file(agent, acme, at("2026-11-02 10:00"), fault_class="camera-offline")
    services.case_respond(actor=agent, case_id=case.pk, now=at("2026-11-02 10:05"))
    sla_sweep(now=at("2026-11-09 10:00"))
    assert CaseClock.objects.filter(case=case, is_breached=True).exists()
    assert services.case_resolve(actor=agent, case_id=case.pk, resolution="重启", now=at("2026-11-09 11:00")).status == "resolved"


def test_changing_a_level_re_derives_its_open_cases(agent, acme, diamond_contract, lane_down):
    case = _file(agent, acme, at("2026-11-02 10:00"), fault_class="lane-down")
    emergency_level_save(level=1, name="一级（重大）", severity="P1", targets={"first_response": 5, "on_site": 45})
    assert sla_recompute_stale(now=at("2026-11-02 10:01")) == 1
    assert CaseClock.objects.get(case=case, target="on_site").target_minutes == 45
    assert sla_recompute_stale(now=at("2026-11-02 10:02")) == 0


def test_level_rules_name_the_field(db):
    with pytest.raises(ValidationFailed) as bad_level:
        emergency_level_save(level=0, name="x", severity="P1")
    assert bad_level.value.field == "level"
    with pytest.raises(ValidationFailed) as bad_severity:
        emergency_level_save(level=1, name="x", severity="P9")
    assert bad_severity.value.field == "severity"
    with pytest.raises(ValidationFailed) as bad_target:
        emergency_level_save(level=1, name="x", severity="P1", targets={"on_site": -5})
    assert bad_target.value.field == "targets.on_site"
    with pytest.raises(ValidationFailed) as unknown:
        emergency_level_save(level=1, name="x", severity="P1", targets={"lunch": 5})
    assert unknown.value.field == "targets"
    with pytest.raises(ValidationFailed) as no_level:
        fault_class_create(code="x", name="x", level=2)
    assert no_level.value.field == "level"


def test_a_fault_class_code_is_unique(lane_down):
    with pytest.raises(Conflict):
        fault_class_create(code="lane-down", name="again", level=1)
    assert fault_level(lane_down.pk).required_actions == ("通知业主值班室", "30 分钟内派出抢修队")


def test_the_api_files_an_emergency_case_and_lists_levels(api, agent, manager, alice, acme, diamond_contract,
                                                          lane_down):
    created = api(agent).post("/api/v1/cases", new_case_payload(acme, fault_class="lane-down", impact=""))
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["severity"], body["fault_class"], body["emergency_level"]) == ("P1", "lane-down", 1)
    assert clock(body, "on_site")["target_minutes"] == 60
    listed = api(agent).get("/api/v1/cases").json()["items"]
    assert listed[0]["fault_class"] == "lane-down"
    assert listed[0]["emergency_level"] == 1
    assert api(agent).get(f"/api/v1/cases/{body['id']}").json()["emergency_level"] == 1
    levels = api(agent).get("/api/v1/emergencies/levels").json()
    assert [lv["level"] for lv in levels] == [1, 3]
    assert api(alice).get("/api/v1/emergencies/levels").status_code == 403
    refused = api(agent).put("/api/v1/emergencies/levels/2", {"name": "二级", "severity": "P2"})
    assert refused.status_code == 403
    saved = api(manager).put("/api/v1/emergencies/levels/2", {"name": "二级", "severity": "P2",
                                                              "targets": {"on_site": 120}})
    assert saved.status_code == 200
    assert saved.json()["targets"]["on_site"] == 120
    made = api(manager).post("/api/v1/emergencies/fault-classes", {"code": "power", "name": "供电故障", "level": 2})
    assert made.status_code == 201
    assert made.json()["severity"] == "P2"
    bad = api(manager).post("/api/v1/emergencies/fault-classes", {"code": "bad code", "name": "x", "level": 2})
    assert bad.status_code == 422
    assert bad.json()["field"] == "code"
