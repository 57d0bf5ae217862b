"""Apps above cases are told of every change of a case's text and status, in the transaction."""

from __future__ import annotations

import pytest

from aftersales.cases import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr(services, "_status_hooks", [lambda case, before, after, now: calls.append(
        ("status", case.pk, before, after))])
    monkeypatch.setattr(services, "_text_hooks", [lambda case, resolution, is_new: calls.append(
        ("text", case.pk, resolution, is_new))])
    return calls


def test_every_status_change_and_text_change_is_heard_once(heard, agent, alice, acme, diamond_contract):
    case, _ = services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                 title="断电", impact="outage")
    services.case_acknowledge(actor=agent, case_id=case.pk)
    services.case_resolve(actor=agent, case_id=case.pk, resolution="更换电源")
    services.case_confirm_closure(actor=alice, case_id=case.pk)
    assert heard == [
        ("text", case.pk, "", True),
        ("status", case.pk, "new", "acknowledged"),
        ("text", case.pk, "更换电源", False),
        ("status", case.pk, "acknowledged", "resolved"),
        ("status", case.pk, "resolved", "closed"),
    ]


def test_a_hook_is_registered_once(monkeypatch):
    monkeypatch.setattr(services, "_status_hooks", [])

    def hook(case, before, after, now):
        return None

    services.register_case_status_hook(hook)
    services.register_case_status_hook(hook)
    assert services._status_hooks == [hook]
