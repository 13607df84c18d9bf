"""The demo stays a demo (issue 15, item 8): ``check --deploy`` fails while the demo's published authenticator key
is in the database, since anyone who has read the README could pass those accounts' second factor."""

from __future__ import annotations

from typing import Any

from django.core import checks

from custos.accounts.checks import existing_tables


@checks.register(checks.Tags.security, deploy=True)
def check_no_demo_authenticator(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from custos.core.demo import DEMO_TOTP_KEY

    tables = existing_tables()
    if not tables or TOTPDevice._meta.db_table not in tables:
        return []
    if not TOTPDevice.objects.filter(key=DEMO_TOTP_KEY).exists():
        return []
    return [
        checks.Error(
            "The demo's published authenticator key is in this database (seed_demo was run on it).",
            hint="Start production from an empty database with manage.py setup_trust (docs/setup.md).",
            id="core.E001",
        )
    ]
