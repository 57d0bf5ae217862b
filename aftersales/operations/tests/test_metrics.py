from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from huey.contrib.djhuey import HUEY
from prometheus_client.parser import text_string_to_metric_families

from aftersales.cases import services
from aftersales.cases.models import CaseClock
from aftersales.cases.sweep import sla_sweep
from aftersales.cases.tests.helpers import at
from aftersales.notifications.models import OutboxMessage, OutboxStatus

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def scrape(client: Client | None = None, **extra) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = (client or Client()).get("/metrics", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def gauge(samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


# --- access ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_answer_a_scraper_on_loopback(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["10.1.2.3", "203.0.113.9", "::ffff:198.51.100.7", "not-an-address"])
def test_metrics_refuse_other_addresses(client, address):
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 403
    assert b"aftersales_" not in response.content


@pytest.mark.django_db
def test_metrics_refuse_a_request_forwarded_by_a_proxy_on_loopback(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 403


@pytest.mark.django_db
def test_metrics_answer_an_allowed_network_from_the_setting(client, settings):
    settings.AFTERSALES_METRICS_ALLOWED_NETWORKS = "10.20.0.0/16, 127.0.0.0/8"
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.21.3.4").status_code == 403


@pytest.mark.django_db
def test_metrics_answer_anyone_with_the_token_and_refuse_a_wrong_one(client, settings):
    settings.AFTERSALES_METRICS_TOKEN = "s3cret-scrape-token"  # noqa: S105 - test value
    outside = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", **outside).status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **outside).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="s3cret-scrape-token", **outside).status_code == 403
    assert client.get("/metrics", **outside).status_code == 403


@pytest.mark.django_db
def test_without_a_configured_token_an_empty_bearer_is_refused(client, settings):
    settings.AFTERSALES_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR="203.0.113.9").status_code == 403


# --- request metrics --------------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_by_route_name_never_by_path_with_ids(api, client_for, agent, acme, diamond_contract):
    # given a case, looked at through the API and the console page
    case, _ = services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                 title="隧道照明故障", impact="outage")
    before = scrape()
    key = ("aftersales_http_request_duration_seconds_count",
           (("method", "GET"), ("route", "api-v1:case_detail"), ("status", "2xx")))
    # when
    assert api(agent).get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert api(agent).get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert client_for(agent).get(f"/console/cases/{case.pk}/").status_code == 200
    assert Client().get(f"/no/such/page/{case.pk}").status_code == 404
    # then
    response = Client().get("/metrics")
    text = response.content.decode()
    assert str(case.pk) not in text
    assert not UUID.search(text)
    after = scrape()
    assert after[key] - before.get(key, 0) == 2
    page = ("aftersales_http_request_duration_seconds_count",
            (("method", "GET"), ("route", "console:case"), ("status", "2xx")))
    assert after[page] - before.get(page, 0) == 1
    unmatched = ("aftersales_http_request_duration_seconds_count",
                 (("method", "GET"), ("route", "unmatched"), ("status", "4xx")))
    assert after[unmatched] - before.get(unmatched, 0) == 1


@pytest.mark.django_db
def test_server_errors_are_counted(client, monkeypatch):
    # given a readiness check that breaks (an error of the view itself, not a refusal)
    from aftersales.operations import views

    def broken(**_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "readiness", broken)
    key = ("aftersales_http_server_errors_total", (("method", "GET"), ("route", "operations:readyz")))
    before = scrape().get(key, 0)
    # when
    response = Client(raise_request_exception=False).get("/readyz")
    # then
    assert response.status_code == 500
    assert scrape()[key] - before == 1


# --- state gauges --------------------------------------------------------------------------


@pytest.mark.django_db
def test_state_gauges_follow_the_clocks_the_outbox_and_the_queue(agent, manager, acme, diamond_contract):
    # given a P1 filed at 10:00 (first response due 10:30, warning at 10:24); its other clocks
    # are due hours later
    case, _ = services.case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                                 title="隧道照明故障", impact="outage", assignee_id=agent.pk,
                                 now=at("2026-11-02 10:00"))
    response_clock = CaseClock.objects.get(case=case, target="first_response")
    assert (response_clock.warn_at, response_clock.due_at) == (at("2026-11-02 10:24"), at("2026-11-02 10:30"))
    assert not CaseClock.objects.filter(case=case, state="running", warn_at__lt=at("2026-11-02 11:00")) \
        .exclude(target="first_response").exists()

    filed_messages = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
    assert filed_messages == 1  # the assignee is told

    # when nothing is due yet
    with time_machine.travel(at("2026-11-02 10:20"), tick=False):
        quiet = scrape()
    # then
    assert gauge(quiet, "aftersales_sla_clocks_at_risk") == 0
    assert gauge(quiet, "aftersales_sla_clocks_breached") == 0
    assert gauge(quiet, "aftersales_sla_sweep_lag_seconds") == 0
    assert gauge(quiet, "aftersales_outbox_messages", status="pending") == 1
    assert gauge(quiet, "aftersales_outbox_messages", status="failed") == 0
    assert gauge(quiet, "aftersales_state_source_up", source="database") == 1
    assert gauge(quiet, "aftersales_state_source_up", source="task_queue") == 1

    # when the warning time passed 90 s ago and no sweep ran
    with time_machine.travel(at("2026-11-02 10:25:30"), tick=False):
        late = scrape()
        sla_sweep()
        swept = scrape()
    # then the lag shows, and goes once the sweep recorded the warning (and queued its mail)
    assert gauge(late, "aftersales_sla_clocks_at_risk") == 1
    assert gauge(late, "aftersales_sla_sweep_lag_seconds") == 90
    assert gauge(swept, "aftersales_sla_sweep_lag_seconds") == 0
    assert gauge(swept, "aftersales_sla_clocks_at_risk") == 1
    assert gauge(late, "aftersales_outbox_messages", status="pending") == 1
    assert gauge(swept, "aftersales_outbox_messages", status="pending") == 2  # and the warning

    # when the due time passed a minute ago, one message failed for good, a task waits
    OutboxMessage.objects.filter(pk=OutboxMessage.objects.first().pk).update(status=OutboxStatus.FAILED)
    HUEY.storage.enqueue(b"waiting task")
    try:
        with time_machine.travel(at("2026-11-02 10:31"), tick=False):
            breached = scrape()
    finally:
        HUEY.storage.flush_queue()
    # then
    assert gauge(breached, "aftersales_sla_clocks_at_risk") == 0
    assert gauge(breached, "aftersales_sla_clocks_breached") == 1
    assert gauge(breached, "aftersales_sla_sweep_lag_seconds") == 60
    assert gauge(breached, "aftersales_outbox_messages", status="failed") == 1
    assert gauge(breached, "aftersales_outbox_messages", status="pending") == 1
    assert gauge(breached, "aftersales_task_queue_depth", state="pending") == 1


@pytest.mark.django_db
def test_a_scrape_costs_two_queries(client, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert client.get("/metrics").status_code == 200


@pytest.mark.django_db
def test_an_unreachable_task_queue_is_reported_not_raised(client, monkeypatch):
    from huey import RedisHuey

    from aftersales.operations import views
    from aftersales.operations.tests.conftest import closed_port

    monkeypatch.setattr(views, "HUEY", RedisHuey("aftersales-test", url=f"redis://127.0.0.1:{closed_port()}/0"))
    samples = scrape(client)
    assert gauge(samples, "aftersales_state_source_up", source="task_queue") == 0
    assert gauge(samples, "aftersales_state_source_up", source="database") == 1
    assert not any(name == "aftersales_task_queue_depth" for name, _ in samples)
