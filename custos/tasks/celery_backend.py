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


def use_broker(url: str) -> None:
    """Point this process's Celery app at another broker, dropping connections pooled for the old one."""
    from custos.celery import app

    app.conf.broker_url = url
    # As Celery itself does after a fork: forget the pools, so the next send connects to the new URL.
    app._pool = None
    app.amqp._producer_pool = None


def _resend_after() -> dt.timedelta:
    # A message unacknowledged this long is re-delivered by the broker anyway (Redis visibility timeout); the
    # sweep only has to catch what never reached the broker, or a lease that expired.
    from django.conf import settings

    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return dt.timedelta(seconds=min(int(timeout), settings.CUSTOS_TASK_LEASE_SECONDS))


@shared_task(name="custos.tick", ignore_result=True)
def tick() -> None:
    schedule.tick()
    sweep()


def dispatch(job_id: Any) -> None:
    try:
        run_job.apply_async(args=[str(job_id)], retry=False)
    except Exception:
        # The broker is unreachable: the Job row is safe and sweep() will send it when the broker is back.
        log.exception("Could not send job %s to Celery; it will be swept up", job_id)
        return
    Job.objects.filter(pk=job_id).update(dispatched_at=timezone.now())


def sweep(now: dt.datetime | None = None, *, grace: dt.timedelta = dt.timedelta(seconds=30)) -> int:
    """Send again every due job that no worker holds (lost message, expired lease) and that was not sent lately:
    a job still waiting its turn in a long queue is not sent a second time at every tick."""
    now = now or timezone.now()
    not_sent_lately = Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - _resend_after())
    stale = (
        Job.objects.filter(
            Q(state=JobState.PENDING, run_after__lte=now - grace) | Q(state=JobState.RUNNING, lease_expires_at__lt=now)
        )
        .filter(not_sent_lately)
        .values_list("pk", flat=True)[:500]
    )
    count = 0
    for pk in stale:
        dispatch(pk)
        count += 1
    return count
