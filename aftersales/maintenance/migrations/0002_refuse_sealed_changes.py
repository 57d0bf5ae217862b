"""Database triggers that refuse UPDATE and DELETE of a sealed maintenance log, so that even
raw SQL cannot change one; the hash chain still proves an edit made with them dropped."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "maintenance_maintenancelog"

POSTGRESQL_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION maintenance_log_refuse_sealed() RETURNS trigger AS $$
    BEGIN
        IF OLD.sealed_at IS NOT NULL THEN
            RAISE EXCEPTION 'sealed maintenance log % cannot be changed', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE TRIGGER maintenance_log_sealed_guard BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION maintenance_log_refuse_sealed();
    """,
]
POSTGRESQL_BACKWARD = [
    f"DROP TRIGGER IF EXISTS maintenance_log_sealed_guard ON {TABLE};",
    "DROP FUNCTION IF EXISTS maintenance_log_refuse_sealed();",
]
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER maintenance_log_sealed_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW WHEN OLD.sealed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'sealed maintenance log cannot be changed'); END;
    """,
    f"""
    CREATE TRIGGER maintenance_log_sealed_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW WHEN OLD.sealed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'sealed maintenance log cannot be deleted'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS maintenance_log_sealed_no_update;",
    "DROP TRIGGER IF EXISTS maintenance_log_sealed_no_delete;",
]

STATEMENTS = {
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def _run(schema_editor: Any, backward: bool) -> None:
    forward_sql, backward_sql = STATEMENTS.get(schema_editor.connection.vendor, ([], []))
    for statement in backward_sql if backward else forward_sql:
        schema_editor.execute(statement, params=None)


def forward(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, backward=False)


def backward(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, backward=True)


class Migration(migrations.Migration):
    dependencies = [("maintenance", "0001_maintenance_logs")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
