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

from django.utils import timezone

from custos.tasks.models import Job


@dataclass(frozen=True)
class TaskSpec:
    name: str
    func: Callable[..., Any]
    max_attempts: int
    lease_seconds: int | None


_REGISTRY: dict[str, TaskSpec] = {}


def task(
    *, max_attempts: int = 8, lease_seconds: int | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        name = f"{func.__module__}.{func.__qualname__}"
        _REGISTRY[name] = TaskSpec(name, func, max_attempts, lease_seconds)
        func.task_name = name  # type: ignore[attr-defined]
        return func

    return register


def get(name: str) -> TaskSpec:
    return _REGISTRY[name]


def enqueue(func: Callable[..., Any], *, delay: dt.timedelta | None = None, **kwargs: Any) -> Job:
    name = getattr(func, "task_name", None)
    if name is None or name not in _REGISTRY:
        raise ValueError(f"{func!r} is not a registered task (decorate it with @task)")
    spec = _REGISTRY[name]
    return Job.objects.create(
        name=name,
        kwargs=kwargs,
        max_attempts=spec.max_attempts,
        run_after=timezone.now() + (delay or dt.timedelta()),
    )
