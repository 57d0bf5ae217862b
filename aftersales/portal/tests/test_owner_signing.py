"""The owner signs a maintenance log through the e-mailed one-time link: no sign-in, one use."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from aftersales.maintenance import services
from aftersales.maintenance.models import LogStatus, MaintenanceLog
from aftersales.maintenance.tests.factories import technician_signed
from aftersales.workorders.tests.factories import signature_png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def link(bob, acme_site):
    log = technician_signed(bob, acme_site)
    _link, token = services.maintenance_log_send_owner_link(actor=bob, log_id=log.pk, email="ma@acme.invalid")
    return log, f"/portal/maintenance/sign/{token}/"


def _drawn() -> str:
    return "data:image/png;base64," + base64.b64encode(signature_png()).decode()


def test_the_owner_reads_the_log_and_signs_without_signing_in(link):
    log, url = link
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert "天线馈线接头氧化" in page.content.decode()
    signed = client.post(url, {"signer_name": "马建国", "signature": _drawn()})
    assert signed.status_code == 200
    assert "记录已封存" in signed.content.decode()
    log = MaintenanceLog.objects.get(pk=log.pk)
    assert (log.status, log.owner_name) == (LogStatus.SEALED, "马建国")
    # the link is used up
    again = client.get(url)
    assert again.status_code == 409
    assert "已使用" in again.content.decode()


def test_a_missing_signature_or_name_is_refused_at_its_field(link):
    log, url = link
    client = Client()
    no_signature = client.post(url, {"signer_name": "马建国", "signature": ""})
    assert no_signature.status_code == 422
    assert "签名" in no_signature.content.decode()
    no_name = client.post(url, {"signer_name": "", "signature": _drawn()})
    assert no_name.status_code == 422
    assert MaintenanceLog.objects.get(pk=log.pk).status == LogStatus.AWAITING_OWNER


def test_an_unknown_token_answers_404():
    assert Client().get("/portal/maintenance/sign/not-a-token/").status_code == 404
