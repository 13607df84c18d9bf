"""A bad retention setting fails ``manage.py check`` (and so start-up in production), not the first purge."""

from __future__ import annotations

from typing import Any

from django.core import checks

from custos.mail.retention import PERIOD


@checks.register()
def check_mail_retention(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return PERIOD.check()
