from __future__ import annotations

import pytest
from django.db import connection
from huey import RedisHuey
from huey.contrib.djhuey import HUEY

from aftersales.operations import readiness, views
from aftersales.operations.readiness import check_database, check_migrations, check_task_queue
from aftersales.operations.tests.conftest import closed_port


def _unreachable(extra_connection, tmp_path):
    if connection.vendor == "sqlite":
        return extra_connection("unreachable", NAME=str(tmp_path / "no-such-folder" / "db.sqlite3"))
    return extra_connection("unreachable", PORT=str(closed_port()),
                            OPTIONS={**connection.settings_dict["OPTIONS"], "connect_timeout": 2})


@pytest.mark.django_db
def test_healthz_answers_ok_without_asking_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Content-Security-Policy" not in response
    assert "Set-Cookie" not in response


@pytest.mark.django_db
def test_readyz_answers_ok_when_database_migrations_and_queue_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "failed": [],
                               "checks": {"database": "ok", "migrations": "ok", "task_queue": "ok"}}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_is_503_naming_the_task_queue_when_its_storage_does_not_answer(client, monkeypatch):
    # given the task queue on a Redis port nobody listens on
    monkeypatch.setattr(views, "HUEY", RedisHuey("aftersales-test", url=f"redis://127.0.0.1:{closed_port()}/0"))
    # when
    response = client.get("/readyz")
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["task_queue"]
    assert body["checks"]["task_queue"] == "ConnectionError"
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_a_database_that_does_not_answer_fails_the_database_check_and_skips_migrations(extra_connection, tmp_path):
    results = readiness.readiness(connection=_unreachable(extra_connection, tmp_path), huey=HUEY)
    assert [(r.name, r.ok) for r in results] == [("database", False), ("migrations", False), ("task_queue", True)]
    assert results[0].detail == "OperationalError"
    assert results[1].detail == "skipped"


@pytest.mark.django_db
def test_the_default_database_answers_the_database_check():
    assert check_database(connection).ok


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_without_migrations_is_not_ready_and_is_not_cached_as_ready(extra_connection, tmp_path):
    # given a database that answers but has no tables
    if connection.vendor == "sqlite":
        empty = extra_connection("empty", NAME=str(tmp_path / "empty.sqlite3"))
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS aftersales_ops_empty")
            cursor.execute("CREATE DATABASE aftersales_ops_empty")
        empty = extra_connection("empty", NAME="aftersales_ops_empty")
    try:
        # when
        database = check_database(empty)
        migrations = check_migrations(empty)
        # then
        assert database.ok
        assert not migrations.ok
        assert migrations.detail.endswith(" unapplied")
        assert int(migrations.detail.split()[0]) > 50
        assert "empty" not in readiness._migrated_aliases
    finally:
        empty.close()
        if connection.vendor != "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DROP DATABASE IF EXISTS aftersales_ops_empty")


@pytest.mark.django_db
def test_migrations_found_applied_are_remembered_for_the_process(django_assert_num_queries):
    readiness._migrated_aliases.discard("default")
    assert check_migrations(connection).ok
    assert "default" in readiness._migrated_aliases
    with django_assert_num_queries(0):
        assert check_migrations(connection).ok


def test_a_task_queue_that_does_not_answer_fails_its_check():
    result = check_task_queue(RedisHuey("aftersales-test", url=f"redis://127.0.0.1:{closed_port()}/0"))
    assert (result.name, result.ok, result.detail) == ("task_queue", False, "ConnectionError")


def test_the_configured_task_queue_answers():
    assert check_task_queue(HUEY).ok


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_not_redirected_to_https(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(path)
    assert response.status_code == 200
    assert client.get("/accounts/sign-in/").status_code == 301
