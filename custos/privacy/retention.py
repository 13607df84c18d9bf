"""How long a subject access archive is kept after it was gathered (UK GDPR Art. 5(1)(e) storage limitation; policy
3.2: pupil and staff records are confidential and protected by data-protection law). The archive is a copy of
everything held about one person, often a child: once it has been released there is no need to keep the copy.
Read at call time, so operators and tests can change it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

CLAUSE = "3.2"
SETTING = "CUSTOS_SAR_ARCHIVE_DAYS"


def archive_days() -> int:
    """Days an archive is kept after it was gathered (default 30)."""
    days = getattr(settings, SETTING, 30)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(f"{SETTING} must be a whole number of days, at least 1, not {days!r}.")
    return days


def archive_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Archives gathered before this moment are past retention."""
    return (now or timezone.now()) - dt.timedelta(days=archive_days())
