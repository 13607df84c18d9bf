"""The same tasks on Celery (production scale-out): the Job row stays the record of truth.

``enqueue`` writes the Job in the caller's transaction and, once it commits, sends its id to Celery. A Celery
worker claims the row under the same lease as the embedded worker and runs the same function, so a message
delivered twice runs the task once, and a lost message (broker down at commit, worker killed) is sent again by
``sweep``, which Celery beat runs with the periodic schedule. Messages are acknowledged late and re-queued when
the worker is lost (``acks_late``, ``reject_on_worker_lost``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from uuid import UUID

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from custos.tasks import schedule, worker
from custos.tasks.models import Job, JobState

log = logging.getLogger(__name__)


@shared_task(name="custos.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: str) -> None:
    me = worker.worker_id()
    job = worker.claim(me, only=UUID(job_id))
    if job is not None:
        worker.run(job, me)


@shared_task(name="custos.tick", ignore_result=True)
def tick() -> None:
    schedule.tick()
    sweep()


def dispatch(job_id: Any) -> None:
    try:
        run_job.delay(str(job_id))
    except Exception:
        # The broker is unreachable: the Job row is safe and sweep() will send it when the broker is back.
        log.exception("Could not send job %s to Celery; it will be swept up", job_id)


def sweep(now: dt.datetime | None = None, *, grace: dt.timedelta = dt.timedelta(seconds=30)) -> int:
    """Send again every due job that no worker holds (lost message, expired lease)."""
    now = now or timezone.now()
    stale = Job.objects.filter(
        Q(state=JobState.PENDING, run_after__lte=now - grace) | Q(state=JobState.RUNNING, lease_expires_at__lt=now)
    ).values_list("pk", flat=True)[:500]
    count = 0
    for pk in stale:
        dispatch(pk)
        count += 1
    return count
