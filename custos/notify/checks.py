"""GOV.UK Notify settings fail ``manage.py check`` (and so start-up in production) when half set or malformed."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import checks

# Notify's API keys end in the service id and the secret, two UUIDs: "{name}-{service id}-{secret}".
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@checks.register()
def check_notify_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    key, template = settings.CUSTOS_NOTIFY_API_KEY, settings.CUSTOS_NOTIFY_SMS_TEMPLATE_ID
    errors: list[checks.CheckMessage] = []
    if bool(key) != bool(template):
        errors.append(
            checks.Error(
                "Text messages need both CUSTOS_NOTIFY_API_KEY and CUSTOS_NOTIFY_SMS_TEMPLATE_ID.",
                id="custos_notify.E001",
            )
        )
    if key and not re.search(f"{UUID}-{UUID}$", key):
        errors.append(
            checks.Error(
                "CUSTOS_NOTIFY_API_KEY does not look like a GOV.UK Notify API key (name-serviceid-secret).",
                id="custos_notify.E002",
            )
        )
    if template and not re.fullmatch(UUID, template):
        errors.append(checks.Error("CUSTOS_NOTIFY_SMS_TEMPLATE_ID must be a template id.", id="custos_notify.E003"))
    return errors
