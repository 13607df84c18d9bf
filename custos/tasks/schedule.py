"""Periodic tasks: each is enqueued once per interval however many workers (or Celery beats) are ticking."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from custos.tasks import registry
from custos.tasks.models import Job, Schedule


def tick(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic task that is due; return their names."""
    now = now or timezone.now()
    enqueued = []
    for spec in registry.periodic():
        assert spec.every is not None
        with contextlib.suppress(IntegrityError):  # another worker created it a moment ago
            Schedule.objects.get_or_create(name=spec.name, defaults={"next_run_at": now})
        with transaction.atomic():
            won = Schedule.objects.filter(name=spec.name, next_run_at__lte=now).update(next_run_at=now + spec.every)
            if won:
                Job.objects.create(name=spec.name, kwargs={}, max_attempts=spec.max_attempts, run_after=now)
                enqueued.append(spec.name)
    return enqueued
