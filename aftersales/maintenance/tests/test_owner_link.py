"""The one-time link e-mailed to the owner: random token stored hashed, single use, expiring."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from aftersales.core.errors import Conflict, NotFound
from aftersales.maintenance import services
from aftersales.maintenance.models import LogStatus, MaintenanceLog, OwnerSignatureLink
from aftersales.maintenance.tests.factories import T0, draft, technician_signed
from aftersales.notifications.models import OutboxMessage
from aftersales.workorders.tests.factories import signature_png


@pytest.fixture
def sent(bob, acme_site):
    log = technician_signed(bob, acme_site)
    link, token = services.maintenance_log_send_owner_link(actor=bob, log_id=log.pk, email="ma@acme.invalid",
                                                           now=T0)
    return log, link, token


def test_the_link_goes_by_email_through_the_outbox_and_only_its_hash_is_kept(sent):
    log, link, token = sent
    message = OutboxMessage.objects.get()
    assert message.recipient == "ma@acme.invalid"
    assert f"/portal/maintenance/sign/{token}/" in message.body
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash
    assert link.expires_at == T0 + dt.timedelta(days=7)


def test_the_owner_signs_with_the_token_and_seals_the_log(sent):
    log, link, token = sent
    signed = services.owner_sign_with_token(token, "马建国", signature_png(), now=T0 + dt.timedelta(hours=1))

    assert (signed.status, signed.owner_signed_via, signed.chain_index) == (LogStatus.SEALED, "link", 1)
    assert OwnerSignatureLink.objects.get().used_at == T0 + dt.timedelta(hours=1)


def test_a_token_works_once(sent):
    _log, _link, token = sent
    services.owner_sign_with_token(token, "马建国", signature_png(), now=T0)
    with pytest.raises(Conflict) as refusal:
        services.owner_sign_with_token(token, "马建国", signature_png(), now=T0)
    assert refusal.value.code == "link_used"


def test_an_expired_token_is_refused(sent):
    log, _link, token = sent
    with pytest.raises(Conflict) as refusal:
        services.owner_sign_with_token(token, "马建国", signature_png(), now=T0 + dt.timedelta(days=7))
    assert refusal.value.code == "link_expired"
    assert MaintenanceLog.objects.get(pk=log.pk).status == LogStatus.AWAITING_OWNER


def test_an_unknown_token_is_not_found(sent):
    with pytest.raises(NotFound):
        services.owner_sign_with_token("nope", "马建国", signature_png(), now=T0)


def test_a_new_link_retires_the_earlier_one(sent, bob):
    log, _link, token = sent
    services.maintenance_log_send_owner_link(actor=bob, log_id=log.pk, email="ma@acme.invalid",
                                             now=T0 + dt.timedelta(minutes=5))
    with pytest.raises(Conflict) as refusal:
        services.owner_sign_with_token(token, "马建国", signature_png(), now=T0 + dt.timedelta(minutes=6))
    assert refusal.value.code == "link_expired"


def test_no_link_before_the_technician_signed(bob, acme_site):
    log = draft(bob, acme_site)
    with pytest.raises(Conflict):
        services.maintenance_log_send_owner_link(actor=bob, log_id=log.pk, email="ma@acme.invalid")
    assert OutboxMessage.objects.count() == 0
