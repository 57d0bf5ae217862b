"""Concurrent seals of one site never fork its chain: on PostgreSQL each thread has its own
connection and they queue on the site row lock."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from aftersales.maintenance import services
from aftersales.maintenance.chain import verify_chain
from aftersales.maintenance.models import MaintenanceLog
from aftersales.maintenance.tests.factories import technician_signed
from aftersales.workorders.tests.factories import signature_png

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_twenty_concurrent_seals_make_one_unbroken_chain(bob, acme_site):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises every writer, and its flush "
                    "after a transactional test would meet the sealed-row trigger")
    logs = [technician_signed(bob, acme_site) for _ in range(20)]
    png = signature_png()
    barrier = threading.Barrier(len(logs))
    errors: list[BaseException] = []

    def seal(log_id):
        try:
            barrier.wait()
            services.maintenance_log_owner_sign(actor=bob, log_id=log_id, signer_name="马建国", signature_png=png)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=seal, args=(log.pk,)) for log in logs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    indexes = sorted(MaintenanceLog.objects.values_list("chain_index", flat=True))
    assert indexes == list(range(1, 21))
    report = verify_chain(acme_site)
    assert (report.is_intact, report.checked) == (True, 20)
