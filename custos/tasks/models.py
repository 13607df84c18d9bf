"""Background work as rows: written in the transaction that asks for it, claimed by a worker under a lease."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class JobState(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    run_after = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # With Celery: when its id was last sent to the broker, so the sweep re-sends only what looks lost.
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "run_after"], name="job_claim_idx"),
            models.Index(fields=["state", "lease_expires_at"], name="job_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_state_display()})"


class Schedule(models.Model):
    """When each periodic task is next due; claimed with a conditional UPDATE so it is enqueued once."""

    name = models.CharField(max_length=200, unique=True)
    next_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} next at {self.next_run_at:%Y-%m-%d %H:%M}"
