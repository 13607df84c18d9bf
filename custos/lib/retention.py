"""A retention period read from a setting of whole days (UK GDPR Art. 5(1)(e) storage limitation; policy 3.2).

Read at call time, so operators and tests can change it; a bad value fails ``manage.py check`` (and so start-up in
production) through ``check()``, and any purge that reads it refuses to run rather than guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


@dataclass(frozen=True)
class RetentionPeriod:
    setting: str
    default: int
    check_id: str

    def days(self) -> int:
        days = getattr(settings, self.setting, self.default)
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ImproperlyConfigured(f"{self.setting} must be a whole number of days, at least 1, not {days!r}.")
        return days

    def cutoff(self, now: dt.datetime | None = None) -> dt.datetime:
        """Anything dated before this moment is past retention."""
        return (now or timezone.now()) - dt.timedelta(days=self.days())

    def check(self) -> list[checks.CheckMessage]:
        try:
            self.days()
        except ImproperlyConfigured as error:
            return [checks.Error(str(error), id=self.check_id)]
        return []
