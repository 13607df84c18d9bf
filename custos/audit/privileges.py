"""PostgreSQL privileges for the application role: full use of every table but the audit log, which it may only
read and append to. The tables stay owned by the migration role, so the application cannot drop the trigger."""

from __future__ import annotations

from typing import Any

from psycopg import sql

AUDIT_TABLE = "audit_auditevent"


def grant_statements(connection: Any, role: str) -> list[str]:
    ident = sql.Identifier(role).as_string(connection.connection)
    tables = [t for t in connection.introspection.table_names() if t != AUDIT_TABLE]
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {ident}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {ident}",
        f"REVOKE ALL ON {AUDIT_TABLE} FROM {ident}",
        f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {ident}",
    ]
    statements += [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {sql.Identifier(t).as_string(connection.connection)} TO {ident}"
        for t in tables
    ]
    return statements
