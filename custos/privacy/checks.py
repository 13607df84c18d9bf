"""A bad archive retention setting fails ``manage.py check`` (and so start-up in production), not the first purge."""

from __future__ import annotations

from typing import Any

from django.core import checks

from custos.privacy.retention import PERIOD


@checks.register()
def check_sar_archive_retention(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return PERIOD.check()
