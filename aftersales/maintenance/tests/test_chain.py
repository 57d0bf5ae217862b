"""The chain proves itself intact, or names the first broken link — also for edits made
directly in the database with the guard triggers dropped."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from aftersales.maintenance.chain import content_hash, verify_chain
from aftersales.maintenance.tests.factories import sealed, triggers_dropped

TABLE = "maintenance_maintenancelog"


def _id(log):
    return log.pk.hex if connection.vendor == "sqlite" else str(log.pk)


def _raw(statement, *params):
    with triggers_dropped(), connection.cursor() as cursor:
        cursor.execute(statement, list(params))


@pytest.fixture
def chain(bob, acme_site):
    return [sealed(bob, acme_site, problem=f"第 {n} 次巡检发现问题") for n in range(1, 4)]


def test_an_untouched_chain_is_intact(chain):
    report = verify_chain()
    assert (report.is_intact, report.checked, report.broken) == (True, 3, None)


def test_an_edit_in_the_database_is_named_as_the_first_broken_link(chain, acme_site):
    # when someone changes the second log's text straight in the database
    _raw(f"UPDATE {TABLE} SET treatment = %s WHERE id = %s", "未处理", _id(chain[1]))  # noqa: S608

    # then
    report = verify_chain()
    assert report.checked == 1
    assert report.broken is not None
    assert (report.broken.site_id, report.broken.chain_index, report.broken.log_id, report.broken.problem) == (
        acme_site.pk, 2, chain[1].pk, "content_hash")
    assert report.broken.found == chain[1].content_hash


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(chain):
    # when the attacker also rewrites the second log's hash
    log = chain[1]
    log.treatment = "未处理"
    forged = content_hash({**dict(log.__dict__), "site_id": log.site_id}, log.previous_hash)
    _raw(f"UPDATE {TABLE} SET treatment = %s, content_hash = %s WHERE id = %s",  # noqa: S608
         "未处理", forged, _id(log))

    # then the third log no longer points at it
    report = verify_chain()
    assert report.broken is not None
    assert (report.broken.chain_index, report.broken.log_id, report.broken.problem) == (3, chain[2].pk,
                                                                                         "previous_hash")
    assert (report.broken.expected, report.broken.found) == (forged, chain[1].content_hash)


def test_a_deleted_log_leaves_a_gap(chain):
    _raw(f"DELETE FROM {TABLE} WHERE id = %s", _id(chain[0]))  # noqa: S608

    report = verify_chain()
    assert report.broken is not None
    assert (report.broken.chain_index, report.broken.problem, report.broken.expected) == (2, "chain_index", "1")


def test_a_changed_signature_digest_is_detected(chain):
    _raw(f"UPDATE {TABLE} SET owner_signature_sha256 = %s WHERE id = %s", "f" * 64, _id(chain[2]))  # noqa: S608
    report = verify_chain()
    assert report.broken is not None
    assert (report.broken.chain_index, report.broken.problem) == (3, "content_hash")


def test_the_command_reports_an_intact_chain(chain, capsys):
    call_command("verify_maintenance_logs")
    assert capsys.readouterr().out.strip() == "intact: 3 sealed logs over 1 sites"


def test_the_command_fails_naming_the_broken_link(chain):
    _raw(f"UPDATE {TABLE} SET problem = %s WHERE id = %s", "无", _id(chain[0]))  # noqa: S608
    with pytest.raises(CommandError) as failure:
        call_command("verify_maintenance_logs")
    assert f"index 1, log {chain[0].pk}: content_hash" in str(failure.value)
