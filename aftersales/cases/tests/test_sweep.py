from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection

from aftersales.cases import services
from aftersales.cases.models import Case, CaseClock, CaseEvent, EventKind
from aftersales.cases.sweep import sla_sweep
from aftersales.cases.tests.helpers import at
from aftersales.notifications.models import OutboxMessage, OutboxStatus
from aftersales.notifications.services import outbox_deliver


def _file(agent, customer, when, **kw):
    case, _ = services.case_open(actor=agent, customer_id=customer.pk, channel="phone", category="fault",
                                 title="隧道照明故障", impact="outage", now=when, **kw)
    return case


@pytest.mark.django_db
def test_a_sweep_with_nothing_due_records_nothing(agent, acme, diamond_contract):
    _file(agent, acme, at("2026-11-02 10:00"))
    result = sla_sweep(now=at("2026-11-02 10:01"))
    assert (result.warnings, result.breaches) == (0, 0)
    assert CaseEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_sweep_warns_then_breaches_escalates_and_notifies_once_each(agent, manager, acme, diamond_contract):
    # given a P1 filed at 10:00, response due 10:30, warning at 10:24
    case = _file(agent, acme, at("2026-11-02 10:00"), assignee_id=agent.pk)
    # when
    warned = sla_sweep(now=at("2026-11-02 10:25"))
    warned_again = sla_sweep(now=at("2026-11-02 10:26"))
    breached = sla_sweep(now=at("2026-11-02 10:31"))
    breached_again = sla_sweep(now=at("2026-11-02 10:40"))
    # then
    assert (warned.warnings, warned_again.warnings, breached.breaches, breached_again.breaches) == (1, 0, 1, 0)
    case.refresh_from_db()
    kinds = list(CaseEvent.objects.filter(case=case).order_by("sequence").values_list("kind", flat=True))
    assert kinds == ["opened", "assigned", "sla_warning", "sla_breached", "escalated"]
    assert case.escalation_level == 2
    assert case.is_breached is True
    response_clock = CaseClock.objects.get(case=case, target="first_response")
    assert response_clock.is_breached
    assert response_clock.breach_recorded_at == at("2026-11-02 10:31")
    subjects = sorted(OutboxMessage.objects.values_list("recipient", "subject"))
    assert [r for r, _ in subjects] == ["agent@example.invalid", "agent@example.invalid",
                                        "agent@example.invalid", "manager@example.invalid"]
    # and delivery sends each once
    assert outbox_deliver() == 4
    assert outbox_deliver() == 0
    assert len(mail.outbox) == 4
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()


@pytest.mark.django_db
def test_a_paused_clock_is_never_swept(agent, acme, diamond_contract):
    case = _file(agent, acme, at("2026-11-02 10:00"))
    services.case_respond(actor=agent, case_id=case.pk, now=at("2026-11-02 10:05"))
    services.case_wait_on_customer(actor=agent, case_id=case.pk, now=at("2026-11-02 10:06"))
    result = sla_sweep(now=at("2026-11-05 10:00"))
    assert (result.warnings, result.breaches) == (0, 0)


@pytest.mark.django_db
def test_a_deadline_agreed_after_a_breach_is_watched_anew(agent, manager, acme, diamond_contract):
    case = _file(agent, acme, at("2026-11-02 10:00"))
    services.case_respond(actor=agent, case_id=case.pk, now=at("2026-11-02 10:05"))
    services.case_check_in(actor=agent, case_id=case.pk, now=at("2026-11-02 11:00"))
    assert sla_sweep(now=at("2026-11-03 10:01")).breaches == 1  # resolution due 11-03 10:00
    with time_machine.travel(at("2026-11-03 11:00"), tick=False):
        services.case_agree_deadline(actor=manager, case_id=case.pk, target="resolution",
                                     due_at=at("2026-11-04 18:00"), reason="更换设备需厂家到货")
    assert sla_sweep(now=at("2026-11-03 12:00")).breaches == 0
    sla_sweep(now=at("2026-11-04 18:01"))
    breached_targets = [e.data["target"] for e in CaseEvent.objects.filter(case=case, kind=EventKind.SLA_BREACHED)
                        .order_by("sequence")]
    assert breached_targets == ["resolution", "restoration", "resolution"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_sweepers_record_each_breach_exactly_once(agent, manager, acme, diamond_contract):
    # given 40 P1 cases filed two days ago: every clock is past due
    for _ in range(40):
        _file(agent, acme, at("2026-11-01 10:00"))
    due_clocks = CaseClock.objects.count()
    barrier = threading.Barrier(2)
    results = []
    errors = []

    def sweeper():
        try:
            barrier.wait()
            results.append(sla_sweep(now=at("2026-11-03 12:00"), batch_size=7))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then
    assert errors == []
    assert sum(r.breaches for r in results) == due_clocks
    assert sum(r.warnings for r in results) == due_clocks
    assert CaseEvent.objects.filter(kind=EventKind.SLA_BREACHED).count() == due_clocks
    assert CaseEvent.objects.filter(kind=EventKind.SLA_WARNING).count() == due_clocks
    for case in Case.objects.all():
        sequences = list(CaseEvent.objects.filter(case=case).values_list("sequence", flat=True))
        assert sorted(sequences) == list(range(1, case.last_event_sequence + 1))
        assert case.escalation_level == 3
    assert OutboxMessage.objects.count() == OutboxMessage.objects.values("key").distinct().count()
    assert not CaseClock.objects.filter(state="running", breach_recorded_at__isnull=True,
                                        due_at__lte=at("2026-11-03 12:00")).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_requests_with_one_idempotency_key_create_one_case(agent, acme):
    barrier = threading.Barrier(4)
    outcomes = []
    errors = []

    def file_once():
        try:
            barrier.wait()
            case, created = services.case_open(
                actor=agent, customer_id=acme.pk, channel="api", category="fault", title="并发报修",
                idempotency_key="same-key", fingerprint="f1")
            outcomes.append((case.pk, created))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=file_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Case.objects.count() == 1
    assert len({pk for pk, _ in outcomes}) == 1
    assert sorted(created for _, created in outcomes) == [False, False, False, True]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_actions_on_one_case_never_lose_an_event(agent, acme):
    case = _file(agent, acme, at("2026-11-02 10:00"))
    barrier = threading.Barrier(3)
    errors = []

    def respond(i):
        try:
            barrier.wait()
            services.case_respond(actor=agent, case_id=case.pk, message=f"答复{i}",
                                  now=at("2026-11-02 10:05") + dt.timedelta(seconds=i))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=respond, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    case.refresh_from_db()
    assert case.version == 4
    assert list(CaseEvent.objects.filter(case=case).order_by("sequence").values_list("sequence", flat=True)) == [1, 2, 3, 4]
