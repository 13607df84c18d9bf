"""Under PostgreSQL the application's own database role can append to the audit log but never rewrite it."""

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, transaction

from custos.audit.actions import record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="database roles are a PostgreSQL feature")
def test_the_app_role_may_append_but_not_update_delete_or_disable_the_guard(figure) -> None:
    role, password = "custos_app_test", "app-role-test-password"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        cursor.execute(f"GRANT CONNECT ON DATABASE {connection.settings_dict['NAME']} TO {role}")
    call_command("grant_app_role", role)
    with transaction.atomic():
        record(None, "reliability.owner_write", None)
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, dbname=settings["NAME"],
        user=role, password=password, autocommit=True,
    ) as app:  # fmt: skip
        app.execute("SELECT count(*) FROM audit_auditevent").fetchone()
        refused = []
        for statement in (
            "UPDATE audit_auditevent SET action = 'rewritten'",
            "DELETE FROM audit_auditevent",
            "TRUNCATE audit_auditevent",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
            refused.append(statement.split()[0])
        app.execute("UPDATE custos_tasks_job SET attempts = attempts")  # other tables stay writable
    figure(f"app role refused {', '.join(refused)} on the audit log; other tables writable")
