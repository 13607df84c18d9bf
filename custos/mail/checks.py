"""A bad retention setting fails ``manage.py check`` (and so start-up in production), not the first purge."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from custos.mail.retention import retention_days


@checks.register()
def check_mail_retention(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        retention_days()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="custos_mail.E001")]
    return []
