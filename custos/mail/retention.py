"""How long sent mail is kept (UK GDPR Art. 5(1)(e) storage limitation; policy 3.2: pupil and staff records are
confidential and protected by data-protection law). Read at call time, so operators and tests can change it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

CLAUSE = "3.2"
SETTING = "CUSTOS_MAIL_RETENTION_DAYS"


def retention_days() -> int:
    """Days a sent email is kept after it was sent (default 90)."""
    days = getattr(settings, SETTING, 90)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(f"{SETTING} must be a whole number of days, at least 1, not {days!r}.")
    return days


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Mail sent before this moment is past retention."""
    return (now or timezone.now()) - dt.timedelta(days=retention_days())
