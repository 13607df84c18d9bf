"""No back door (issue 15, item 8): in production nobody is above the rules, so ``check --deploy`` (which
``bootstrap.py production`` runs before it starts anything) fails while an active superuser exists."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError, connection


def existing_tables() -> set[str] | None:
    """The database's tables, or None when it cannot be reached (a check must not crash ``manage.py``)."""
    try:
        return set(connection.introspection.table_names())
    except DatabaseError:
        return None


@checks.register(checks.Tags.security, deploy=True)
def check_no_superuser(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from custos.accounts.models import User

    tables = existing_tables()
    if tables is None:
        return [
            checks.Warning(
                "The database could not be reached, so Custos could not check that no superuser exists.",
                id="accounts.W001",
            )
        ]
    if User._meta.db_table not in tables:
        return []  # not migrated yet: nobody exists
    superusers = sorted(User.objects.filter(is_superuser=True, is_active=True).values_list("username", flat=True))
    if not superusers:
        return []
    return [
        checks.Error(
            f"Active superuser account(s): {', '.join(superusers[:5])}. In production nobody is above the policy's "
            "need-to-know rules and second factor.",
            hint="Give the person the roles they need instead, then remove the flag: "
            'manage.py shell -c "from custos.accounts.models import User; '
            'User.objects.filter(is_superuser=True).update(is_superuser=False, is_staff=False)"',
            id="accounts.E001",
        )
    ]
