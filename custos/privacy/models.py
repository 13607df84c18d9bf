"""People's data-protection rights (UK GDPR Articles 15 and 16; Data Protection Act 2018): subject access
requests and their archives, and requests to correct personal details."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from custos.privacy.retention import archive_days


class SarState(models.TextChoices):
    REQUESTED = "requested", "Being gathered"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Could not be gathered"
    EXPIRED = "expired", "Expired: archive deleted"


# The state machine, in one place.
SAR_TRANSITIONS: dict[str, frozenset[str]] = {
    SarState.REQUESTED: frozenset({SarState.READY, SarState.FAILED}),
    SarState.FAILED: frozenset({SarState.REQUESTED}),
    # The archive is deleted CUSTOS_SAR_ARCHIVE_DAYS after it was gathered; the request record stays (3.2).
    SarState.READY: frozenset({SarState.EXPIRED}),
    SarState.EXPIRED: frozenset(),
}


class SubjectAccessRequest(models.Model):
    """A subject access request (UK GDPR Art. 15) for one person: a staff member, a pupil (their roster record and
    their account, if any) or an external member. The archive is kept in the database, never at a public URL, and
    deleted ``CUSTOS_SAR_ARCHIVE_DAYS`` after it was gathered; who asked, when, what was gathered and withheld, its
    SHA-256 and the number of downloads stay, for accountability."""

    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_pupil = models.ForeignKey(
        "accounts.Pupil", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_label = models.CharField(max_length=200)
    school = models.ForeignKey("accounts.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(help_text="When the person asked: the one-month time limit runs from this day")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=SarState.choices, default=SarState.REQUESTED)
    generated_at = models.DateTimeField(null=True, blank=True)
    archive = models.BinaryField(null=True, blank=True, editable=False)
    archive_sha256 = models.CharField(max_length=64, blank=True)
    archive_size = models.PositiveBigIntegerField(default=0)
    sections = models.JSONField(default=list, blank=True, help_text="Each section's title and number of records")
    withheld = models.JSONField(default=list, blank=True, help_text="What was withheld and why (no content)")
    archive_deleted_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_user__isnull=False) | Q(subject_pupil__isnull=False), name="sar_has_a_subject"
            )
        ]

    def __str__(self) -> str:
        return f"Subject access request #{self.pk}"

    @property
    def archive_expires_at(self) -> dt.datetime | None:
        """When the archive is deleted (at the first retention run after this moment)."""
        if self.generated_at is None:
            return None
        return self.generated_at + dt.timedelta(days=archive_days())

    @property
    def due_on(self) -> dt.date:
        """One calendar month from receipt (UK GDPR Art. 12(3)); the last day of a shorter month when needed."""
        day = self.received_on
        year, month = (day.year + (day.month // 12), day.month % 12 + 1)
        for candidate in (day.day, 30, 29, 28):
            try:
                return dt.date(year, month, candidate)
            except ValueError:
                continue
        return dt.date(year, month, 28)


class CorrectableField(models.TextChoices):
    FIRST_NAME = "first_name", "First name"
    LAST_NAME = "last_name", "Last name"
    JOB_TITLE = "job_title", "Job title"
    EMAIL = "email", "Email address"
    PREFERRED_FIRST_NAME = "preferred_first_name", "Preferred first name"
    PREFERRED_LAST_NAME = "preferred_last_name", "Preferred last name"


class CorrectionState(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPLIED = "applied", "Corrected"
    DECLINED = "declined", "Not corrected"


CORRECTION_TRANSITIONS: dict[str, frozenset[str]] = {
    CorrectionState.PENDING: frozenset({CorrectionState.APPLIED, CorrectionState.DECLINED}),
    CorrectionState.APPLIED: frozenset(),
    CorrectionState.DECLINED: frozenset(),
}


class CorrectionRequest(models.Model):
    """A person's request to correct one of their personal details (UK GDPR Art. 16)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=24, choices=CorrectableField.choices)
    current_value = models.CharField(max_length=254, blank=True)
    requested_value = models.CharField(max_length=254)
    reason = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=CorrectionState.choices, default=CorrectionState.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "field"], condition=Q(state="pending"), name="one_pending_correction_per_field"
            )
        ]

    def __str__(self) -> str:
        return f"Correction of {self.get_field_display().lower()} for {self.person}"
