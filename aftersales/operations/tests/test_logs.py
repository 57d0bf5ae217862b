from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from aftersales.accounts.models import Role
from aftersales.cases.tests.helpers import new_case_payload
from aftersales.core.logging import PersonalDataFilter, mask_personal_data
from aftersales.operations.log_format import JsonFormatter

PHONE = "13899100001"
EMAIL = "ma.jianguo@acme.invalid"
ID_CARD = "11010519491231002X"
PERSONAL = (PHONE, EMAIL, ID_CARD, "马建国")


@pytest.fixture
def json_lines():
    """Every record of every logger, as the production handler writes it (filter + JSON)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    access = logging.getLogger("aftersales.access")
    previous = (root.level, access.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    access.setLevel(logging.DEBUG)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(previous[0])
    access.setLevel(previous[1])


@pytest.mark.parametrize(("text", "masked"), [
    (f"call {PHONE} now", "call [phone] now"),
    (f"write to {EMAIL}.", "write to [email]."),
    (f"身份证 {ID_CARD} 已核验", "身份证 [id-card] 已核验"),
    ("old card 110105491231002 here", "old card [id-card] here"),
    ("landline 0991-2345678", "landline [phone]"),
    ("case AS261124-0007 took 1234 ms", "case AS261124-0007 took 1234 ms"),
])
def test_personal_data_is_masked(text, masked):
    assert mask_personal_data(text) == masked


def test_an_exception_text_with_personal_data_is_masked_in_plain_and_json_lines():
    # given a record carrying an exception whose message quotes personal data
    try:
        raise ValueError(f"duplicate contact {PHONE} {EMAIL} {ID_CARD}")
    except ValueError:
        record = logging.getLogger("aftersales.test").makeRecord(
            "aftersales.test", logging.ERROR, __file__, 1, "saving failed", None, sys.exc_info())
    # when
    PersonalDataFilter().filter(record)
    plain = logging.Formatter("%(message)s").format(record)
    line = json.loads(JsonFormatter().format(record))
    # then
    for text in (plain, line["exception"]):
        assert "ValueError: duplicate contact [phone] [email] [id-card]" in text
        assert not any(value in text for value in (PHONE, EMAIL, ID_CARD))


@pytest.mark.django_db
def test_requests_write_json_lines_with_request_id_route_status_and_no_personal_data(
        json_lines, api, make_user, acme):
    # given a contact's personal data in a case filing, and a 404 whose path quotes it
    agent = make_user("wang.xiaoming", Role.AGENT)
    payload = new_case_payload(acme, description=f"联系人马建国 {PHONE} {EMAIL} 身份证 {ID_CARD}")
    # when
    filed = api(agent).post("/api/v1/cases", payload, headers={"X-Request-ID": "req-0001-abcdef"})
    missing = Client().get(f"/portal/{PHONE}/{EMAIL}/{ID_CARD}")
    logging.getLogger("aftersales.test").warning("contact %s %s %s", PHONE, EMAIL, ID_CARD)
    # then
    assert filed.status_code == 201
    assert filed["X-Request-ID"] == "req-0001-abcdef"
    assert missing.status_code == 404
    lines = json_lines()
    assert lines
    for line in lines:
        assert {"time", "level", "logger", "message"} <= set(line)
        text = json.dumps(line, ensure_ascii=False)
        assert not any(value in text for value in PERSONAL), text
        assert "wang.xiaoming" not in text
    access = [line for line in lines if line["logger"] == "aftersales.access"]
    assert access[0]["request_id"] == "req-0001-abcdef"
    assert access[0]["route"] == "api-v1:case_create" or access[0]["route"].startswith("api-v1:")
    assert (access[0]["method"], access[0]["status"], access[0]["level"]) == ("POST", 201, "INFO")
    assert isinstance(access[0]["duration_ms"], float)
    assert access[1]["route"] == "unmatched"
    assert access[1]["status"] == 404
    assert len(access[1]["request_id"]) == 32
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert not_found[0]["request_id"] == access[1]["request_id"]
    assert not_found[0]["message"] == "Not Found: /portal/[phone]/[email]/[id-card]"


@pytest.mark.django_db
def test_probes_write_their_access_lines_at_debug(json_lines, client):
    client.get("/healthz")
    [line] = [line for line in json_lines() if line["logger"] == "aftersales.access"]
    assert (line["route"], line["level"], line["status"]) == ("operations:healthz", "DEBUG", 200)


@pytest.mark.parametrize("offered", ["x", "a" * 65, "bad id with spaces", "13899100001\nforged"])
@pytest.mark.django_db
def test_a_request_id_that_does_not_look_like_one_is_replaced(client, offered):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=offered)
    assert response["X-Request-ID"] != offered
    assert len(response["X-Request-ID"]) == 32


def test_the_json_format_is_chosen_by_the_environment_and_masks_personal_data():
    # given the production settings with AFTERSALES_LOG_FORMAT=json, in a fresh process
    environment = {**os.environ, "AFTERSALES_LOG_FORMAT": "json",
                   "DJANGO_SETTINGS_MODULE": "aftersales.config.settings"}
    code = ("import django, logging; django.setup(); "
            f"logging.getLogger('aftersales.test').warning('call %s or %s, card %s', '{PHONE}', '{EMAIL}', "
            f"'{ID_CARD}'); "
            f"logging.getLogger('huey').error('task failed for {EMAIL}')")
    # when
    completed = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True,  # noqa: S603
                               text=True, check=True, cwd=Path(settings.BASE_DIR), timeout=120)
    # then
    [line, task_line] = [json.loads(text) for text in completed.stderr.splitlines()]
    assert line["level"] == "WARNING"
    assert line["logger"] == "aftersales.test"
    assert line["message"] == "call [phone] or [email], card [id-card]"
    assert (task_line["logger"], task_line["message"]) == ("huey", "task failed for [email]")


def test_an_unknown_log_format_is_refused():
    environment = {**os.environ, "AFTERSALES_LOG_FORMAT": "xml",
                   "DJANGO_SETTINGS_MODULE": "aftersales.config.settings"}
    completed = subprocess.run([sys.executable, "-c", "import django; django.setup()"],  # noqa: S603
                               env=environment, capture_output=True, text=True, cwd=Path(settings.BASE_DIR),
                               timeout=120, check=False)
    assert completed.returncode != 0
    assert "AFTERSALES_LOG_FORMAT must be 'plain' or 'json'" in completed.stderr
