"""Readiness: may this process take traffic? The database answers, its schema is the code's,
and the task queue's storage answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor

# Aliases whose migrations were found applied: migrations never go backwards under a running
# process, and loading the migration graph costs far more than a probe should, every few seconds.
_migrated_aliases: set[str] = set()


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    # The exception's class or a short fixed reason; never its text, which may name hosts,
    # users or data.
    detail: str = "ok"


def check_database(connection: BaseDatabaseWrapper) -> CheckResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        _discard_broken_connection(connection)
        return CheckResult("database", ok=False, detail=type(error).__name__)
    return CheckResult("database", ok=True)


def check_migrations(connection: BaseDatabaseWrapper) -> CheckResult:
    if connection.alias in _migrated_aliases:
        return CheckResult("migrations", ok=True)
    try:
        executor = MigrationExecutor(connection)
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # noqa: BLE001
        _discard_broken_connection(connection)
        return CheckResult("migrations", ok=False, detail=type(error).__name__)
    if unapplied:
        return CheckResult("migrations", ok=False, detail=f"{len(unapplied)} unapplied")
    _migrated_aliases.add(connection.alias)
    return CheckResult("migrations", ok=True)


def check_task_queue(huey: Any) -> CheckResult:
    try:
        huey.storage.queue_size()
    except Exception as error:  # noqa: BLE001
        return CheckResult("task_queue", ok=False, detail=type(error).__name__)
    return CheckResult("task_queue", ok=True)


def readiness(*, connection: BaseDatabaseWrapper | None = None, huey: Any) -> list[CheckResult]:
    """All checks, in order (the default database unless another connection is given); the
    migrations are not asked about while the database is down."""
    connection = connection or connections["default"]
    database = check_database(connection)
    migrations = check_migrations(connection) if database.ok else CheckResult("migrations", ok=False,
                                                                          detail="skipped")
    return [database, migrations, check_task_queue(huey)]


def _discard_broken_connection(connection: BaseDatabaseWrapper) -> None:
    # A persistent connection (CONN_MAX_AGE) that failed is closed, so the next probe opens a new
    # one instead of reusing the broken one.
    try:
        connection.close()
    except Exception:  # noqa: BLE001, S110 - closing a dead connection may fail too
        pass
