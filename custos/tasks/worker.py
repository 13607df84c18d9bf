"""The embedded worker: claim a due job with a conditional UPDATE, run it, record the outcome under its lease.

A job whose worker died (``kill -9``) keeps state RUNNING until its lease expires; then any worker claims it
again. The outcome is written only while the lease is still ours (fencing by ``locked_by`` and ``attempts``),
so a worker that comes back late cannot overwrite the result of the run that replaced it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import traceback
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections
from django.db.models import F, Q
from django.utils import timezone

from custos.tasks import registry, schedule
from custos.tasks.models import Job, JobState

log = logging.getLogger(__name__)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _due(now: dt.datetime) -> Q:
    return Q(state=JobState.PENDING, run_after__lte=now) | Q(state=JobState.RUNNING, lease_expires_at__lt=now)


def claim(me: str, now: dt.datetime | None = None, *, only: uuid.UUID | None = None) -> Job | None:
    """Take one due job (or the job ``only``, if it is due), or return None. Safe with any number of workers."""
    now = now or timezone.now()
    due = Job.objects.filter(_due(now))
    if only is not None:
        due = due.filter(pk=only)
    candidates = due.order_by("run_after").values_list("pk", "name")[:20]
    for pk, name in candidates:
        try:
            spec = registry.get(name)
        except KeyError:
            log.error("Job %s names an unknown task %s; leaving it for a worker that knows it", pk, name)
            continue
        lease = spec.lease_seconds or settings.CUSTOS_TASK_LEASE_SECONDS
        won = Job.objects.filter(Q(pk=pk) & _due(now)).update(
            state=JobState.RUNNING,
            locked_by=me,
            lease_expires_at=now + dt.timedelta(seconds=lease),
            attempts=F("attempts") + 1,
        )
        if won:
            return Job.objects.get(pk=pk)
    return None


def run(job: Job, me: str) -> bool:
    """Run a claimed job; return True when it succeeded."""
    spec = registry.get(job.name)
    mine = Job.objects.filter(pk=job.pk, locked_by=me, attempts=job.attempts, state=JobState.RUNNING)
    try:
        # Handlers open their own transactions: holding one open across, say, an SMTP conversation would
        # block every other writer on SQLite for as long as the mail server takes to answer.
        spec.func(**job.kwargs)
    except Exception:
        error = traceback.format_exc(limit=20)
        log.exception("Task %s (job %s) failed on attempt %s", job.name, job.pk, job.attempts)
        if job.attempts >= job.max_attempts:
            mine.update(state=JobState.FAILED, finished_at=timezone.now(), last_error=error)
        else:
            backoff = dt.timedelta(seconds=min(300, 2**job.attempts))
            mine.update(state=JobState.PENDING, run_after=timezone.now() + backoff, last_error=error)
        return False
    mine.update(state=JobState.DONE, finished_at=timezone.now(), last_error="")
    return True


def run_once(me: str | None = None) -> int:
    """Run every job that is due now; return how many ran. Used by tests and by ``run_worker --once``."""
    me = me or worker_id()
    count = 0
    while (job := claim(me)) is not None:
        run(job, me)
        count += 1
    return count


def warm_up() -> None:
    """Build the screening context (rosters, word lists) before the first job, so the first post is not slow.
    A failure here is logged, never fatal: the first job then builds what it needs itself."""
    from custos.lib.screening import warm_up as warm_screening

    try:
        warm_screening()
    except Exception:
        log.exception("Worker warm-up failed; continuing without it")
        close_old_connections()


def loop(
    me: str | None = None, *, stop_after: float | None = None, stopping: Callable[[], bool] = lambda: False
) -> None:
    """Claim and run due tasks until ``stop_after`` seconds have passed or ``stopping()`` says so (checked between
    tasks, so a stop never cuts one short)."""
    me = me or worker_id()
    started = time.monotonic()
    log.info("Worker %s started", me)
    warm_up()
    while (stop_after is None or time.monotonic() - started < stop_after) and not stopping():
        try:
            schedule.tick()
            ran = run_once(me)
        except Exception:
            # The database went away or a query failed: wait and try again rather than die.
            log.exception("Worker %s could not reach the database; retrying", me)
            close_old_connections()
            ran = 0
            time.sleep(2)
        if not ran:
            close_old_connections()
            time.sleep(settings.CUSTOS_TASK_POLL_SECONDS)
    log.info("Worker %s stopped", me)
