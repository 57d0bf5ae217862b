"""Drafts, signatures, sealing into the site's chain, corrections, and what a sealed log refuses."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.customers.services import site_create
from aftersales.maintenance import services
from aftersales.maintenance.chain import GENESIS_HASH, content_hash, log_values, verify_chain
from aftersales.maintenance.models import LogStatus, MaintenanceLog, SealedLogError
from aftersales.maintenance.tests.factories import draft, sealed, technician_signed
from aftersales.workorders.tests.factories import signature_png

TABLE = "maintenance_maintenancelog"


def test_a_draft_records_the_content_and_the_technician(bob, acme_site, acme_asset):
    log = draft(bob, acme_site, asset_id=acme_asset.pk)

    assert log.status == LogStatus.DRAFT
    assert log.technician == bob
    assert log.asset == acme_asset
    assert log.treatment == "更换馈线接头并重新校准"
    assert log.sealed_at is None
    assert log.chain_index is None
    assert log.content_hash == ""


def test_an_unknown_period_kind_is_refused_naming_the_field(bob, acme_site):
    with pytest.raises(ValidationFailed) as refusal:
        draft(bob, acme_site, period_kind="hourly")
    assert refusal.value.field == "period_kind"
    assert MaintenanceLog.objects.count() == 0


def test_an_asset_of_another_site_is_refused(bob, acme, acme_site, acme_asset):
    other = site_create(customer=acme, name="南收费站")
    with pytest.raises(ValidationFailed) as refusal:
        draft(bob, other, asset_id=acme_asset.pk)
    assert refusal.value.field == "asset_id"


def test_a_customer_user_cannot_write_a_log(alice, acme_site):
    with pytest.raises(PermissionDenied):
        draft(alice, acme_site)


def test_only_the_logs_technician_signs_it(bob, agent, acme_site):
    log = draft(bob, acme_site)
    with pytest.raises(PermissionDenied):
        services.maintenance_log_technician_sign(actor=agent, log_id=log.pk, signature_png=signature_png())
    log.refresh_from_db()
    assert log.status == LogStatus.DRAFT
    assert log.technician_signed_at is None


def test_a_blank_signature_is_refused(bob, acme_site):
    log = draft(bob, acme_site)
    with pytest.raises(ValidationFailed) as refusal:
        services.maintenance_log_technician_sign(actor=bob, log_id=log.pk, signature_png=signature_png(blank=True))
    assert refusal.value.code == "signature_blank"


def test_a_signed_log_cannot_be_edited(bob, acme_site):
    log = technician_signed(bob, acme_site)
    with pytest.raises(Conflict) as refusal:
        services.maintenance_log_update(actor=bob, log_id=log.pk, treatment="改")
    assert refusal.value.code == "log_signed"


def test_the_owner_cannot_sign_before_the_technician(bob, acme_site):
    log = draft(bob, acme_site)
    with pytest.raises(Conflict) as refusal:
        services.maintenance_log_owner_sign(actor=bob, log_id=log.pk, signer_name="马建国",
                                            signature_png=signature_png())
    assert refusal.value.code == "technician_not_signed"


def test_both_signatures_seal_the_log_into_the_sites_chain(bob, acme_site):
    first = sealed(bob, acme_site)
    second = sealed(bob, acme_site, period_kind="daily")

    assert (first.status, first.chain_index, first.previous_hash) == (LogStatus.SEALED, 1, GENESIS_HASH)
    assert (second.chain_index, second.previous_hash) == (2, first.content_hash)
    stored = MaintenanceLog.objects.get(pk=second.pk)
    assert stored.content_hash == content_hash(log_values(stored), stored.previous_hash)
    assert stored.owner_signed_via == "drawn"
    assert stored.owner_signature.read().startswith(b"\x89PNG")
    report = verify_chain()
    assert (report.is_intact, report.checked, report.sites) == (True, 2, 1)


def test_each_site_has_its_own_chain(bob, acme, acme_site):
    other = site_create(customer=acme, name="南收费站")
    sealed(bob, acme_site)
    log = sealed(bob, other)
    assert (log.chain_index, log.previous_hash) == (1, GENESIS_HASH)
    assert verify_chain().sites == 2
    assert verify_chain(other).checked == 1


def test_a_sealed_log_refuses_the_service_update(bob, acme_site):
    log = sealed(bob, acme_site)
    with pytest.raises(Conflict) as refusal:
        services.maintenance_log_update(actor=bob, log_id=log.pk, treatment="改")
    assert refusal.value.code == "log_sealed"


def test_a_sealed_log_refuses_orm_save_and_delete(bob, acme_site):
    log = sealed(bob, acme_site)
    log.treatment = "改"
    with pytest.raises(SealedLogError):
        log.save()
    with pytest.raises(SealedLogError):
        log.delete()
    assert MaintenanceLog.objects.get(pk=log.pk).treatment == "更换馈线接头并重新校准"


def test_a_sealed_log_refuses_queryset_update_and_delete(bob, acme_site):
    log = sealed(bob, acme_site)
    with pytest.raises(SealedLogError):
        MaintenanceLog.objects.filter(pk=log.pk).update(treatment="改")
    with pytest.raises(SealedLogError):
        MaintenanceLog.objects.all().delete()
    assert MaintenanceLog.objects.get(pk=log.pk).treatment == "更换馈线接头并重新校准"


def test_a_draft_may_still_be_updated_and_deleted_in_bulk(bob, acme_site):
    sealed(bob, acme_site)
    log = draft(bob, acme_site)
    assert MaintenanceLog.objects.filter(pk=log.pk).update(treatment="改") == 1
    MaintenanceLog.objects.filter(pk=log.pk).delete()
    assert MaintenanceLog.objects.count() == 1


def test_the_database_refuses_raw_sql_updates_and_deletes_of_a_sealed_log(bob, acme_site):
    log = sealed(bob, acme_site)
    for statement in (f"UPDATE {TABLE} SET treatment = 'x' WHERE id = %s",  # noqa: S608
                      f"DELETE FROM {TABLE} WHERE id = %s"):  # noqa: S608
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [log.pk.hex if connection.vendor == "sqlite" else str(log.pk)])
    assert MaintenanceLog.objects.get(pk=log.pk).treatment == "更换馈线接头并重新校准"


def test_a_correction_is_a_new_linked_draft(bob, acme_site):
    original = sealed(bob, acme_site)
    correction = services.maintenance_log_correct(actor=bob, log_id=original.pk, state_after="读卡成功率 99.5%")

    assert correction.corrects == original
    assert correction.status == LogStatus.DRAFT
    assert correction.state_after == "读卡成功率 99.5%"
    assert correction.treatment == original.treatment
    assert MaintenanceLog.objects.get(pk=original.pk).content_hash == original.content_hash


def test_a_draft_is_not_corrected_but_edited(bob, acme_site):
    log = draft(bob, acme_site)
    with pytest.raises(Conflict) as refusal:
        services.maintenance_log_correct(actor=bob, log_id=log.pk)
    assert refusal.value.code == "log_not_sealed"
