"""The task interface. A task is a plain function of keyword arguments (JSON values), registered by name.

``enqueue(send_email, email_id=…)`` writes a Job row in the caller's transaction: it commits with the change
that asked for it, or not at all. The embedded worker (``manage.py run_worker``) runs it; a production
deployment can hand the same rows to Celery (see docs/deploy.md) without changing any task.
Delivery is at least once: handlers must be idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from custos.tasks.models import Job


@dataclass(frozen=True)
class TaskSpec:
    name: str
    func: Callable[..., Any]
    max_attempts: int
    lease_seconds: int | None
    every: dt.timedelta | None = None


_REGISTRY: dict[str, TaskSpec] = {}


def task(
    *, max_attempts: int = 8, lease_seconds: int | None = None, every: dt.timedelta | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a task. With ``every``, it also runs periodically (with no arguments) on any backend."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        name = f"{func.__module__}.{func.__qualname__}"
        _REGISTRY[name] = TaskSpec(name, func, max_attempts, lease_seconds, every)
        func.task_name = name  # type: ignore[attr-defined]
        return func

    return register


def get(name: str) -> TaskSpec:
    return _REGISTRY[name]


def periodic() -> list[TaskSpec]:
    return [spec for spec in _REGISTRY.values() if spec.every is not None]


def enqueue(func: Callable[..., Any], *, delay: dt.timedelta | None = None, **kwargs: Any) -> Job:
    name = getattr(func, "task_name", None)
    if name is None or name not in _REGISTRY:
        raise ValueError(f"{func!r} is not a registered task (decorate it with @task)")
    spec = _REGISTRY[name]
    job = Job.objects.create(
        name=name,
        kwargs=kwargs,
        max_attempts=spec.max_attempts,
        run_after=timezone.now() + (delay or dt.timedelta()),
    )
    if settings.CUSTOS_TASK_BACKEND == "celery" and not delay:
        from custos.tasks.celery_backend import dispatch

        transaction.on_commit(lambda: dispatch(job.pk))
    return job
