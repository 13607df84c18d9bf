"""Cases: safeguarding concerns, illegal content, friend requests, media enquiries, breaches, referrals and
allegations (A.2.3, A.5.6, 6.6, A.3.7, 9.1–9.3), each worked to an end with a chronology."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from custos.accounts.models import Pupil, School, Trust
from custos.cases.business_time import SchoolDay
from custos.cases.storage import private_evidence_storage
from custos.cases.types import Agency, CaseType, Outcome, Retention, TargetUnit, spec_for


class Status(models.TextChoices):
    NEW = "new", "New: not yet acknowledged"
    OPEN = "open", "Being dealt with"
    CLOSED = "closed", "Closed"


# The state machine: every status change goes through actions._move(), which checks this table.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.CLOSED}),
    Status.OPEN: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}


class Source(models.TextChoices):
    REPORT_FORM = "report_form", "A member of staff's report"
    MODERATION = "moderation", "Moderation of a school-hosted site"
    SCREENING = "screening", "Automatic screening"
    API = "api", "Another system"


class BankHolidays(models.TextChoices):
    """Which part of the UK's bank holidays (from the ``holidays`` package) the schools close for."""

    ENGLAND_AND_WALES = "ENG", "England and Wales"
    SCOTLAND = "SCT", "Scotland"
    NORTHERN_IRELAND = "NIR", "Northern Ireland"
    NONE = "none", "None: only the closed days and holidays listed here"


class CaseSettings(models.Model):
    """The trust's school day, for targets counted in school time (A.2.3), and how fast urgent alerts climb."""

    trust = models.OneToOneField(Trust, on_delete=models.CASCADE, related_name="case_settings")
    day_starts = models.TimeField(default=dt.time(8, 0))
    day_ends = models.TimeField(default=dt.time(17, 0))
    weekdays = models.CharField(
        max_length=20, default="0,1,2,3,4", help_text="School days, 0 = Monday … 6 = Sunday, comma separated"
    )
    time_zone = models.CharField(max_length=60, default="Europe/London")
    bank_holidays = models.CharField(max_length=4, choices=BankHolidays.choices, default=BankHolidays.ENGLAND_AND_WALES)
    # A.2.3 "immediately": an urgent alert not acknowledged within this many minutes goes to the next person.
    alert_ack_minutes = models.PositiveSmallIntegerField(default=15)
    # Bumped by every change, so that of two people saving the same page at once exactly one wins.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "case settings"
        constraints = [
            models.CheckConstraint(condition=Q(day_ends__gt=models.F("day_starts")), name="day_ends_later"),
            models.CheckConstraint(
                condition=Q(alert_ack_minutes__gte=1, alert_ack_minutes__lte=120), name="alert_ack_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Case settings for {self.trust}"

    @property
    def weekday_numbers(self) -> list[int]:
        return [int(d) for d in self.weekdays.split(",") if d.strip()]

    def school_day(self, closed_days: frozenset[dt.date] = frozenset()) -> SchoolDay:
        return SchoolDay(
            start=self.day_starts,
            end=self.day_ends,
            weekdays=frozenset(self.weekday_numbers),
            tz=ZoneInfo(self.time_zone),
            closed_days=closed_days,
        )


class ClosedDay(models.Model):
    """A day the schools are closed (bank holiday, INSET): the target clock does not run."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="case_closed_days")
    day = models.DateField()
    label = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["trust", "day"], name="closed_day_unique")]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.label}"


class SchoolHoliday(models.Model):
    """A school holiday between terms (half term, Easter): the schools are closed from ``first_day`` to
    ``last_day`` inclusive, so out-of-hours cover runs all day and school-time targets do not."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="school_holidays")
    first_day = models.DateField()
    last_day = models.DateField()
    label = models.CharField(max_length=100)

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=models.F("first_day")), name="holiday_ends_after_start"),
            models.UniqueConstraint(fields=["trust", "first_day"], name="holiday_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.first_day:%d/%m/%Y}–{self.last_day:%d/%m/%Y}"

    def days(self) -> list[dt.date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + dt.timedelta(days=n) for n in range(count)]


class CaseTarget(models.Model):
    """A trust's own acknowledgement target for a case type (defaults in ``types.CASE_TYPES``)."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="case_targets")
    case_type = models.CharField(max_length=20, choices=CaseType.choices)
    amount = models.PositiveIntegerField()
    unit = models.CharField(max_length=20, choices=TargetUnit.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trust", "case_type"], name="case_target_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="case_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_case_type_display()}: {self.amount} {self.get_unit_display()}"


class Case(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="cases")
    case_type = models.CharField(max_length=20, choices=CaseType.choices, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    summary = models.TextField(help_text="What was reported, exactly as received")
    details = models.JSONField(default=dict, blank=True, help_text="The report form's other answers, as received")
    source = models.CharField(max_length=20, choices=Source.choices)
    source_ref = models.CharField(max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reported_cases"
    )
    reporter_label = models.CharField(max_length=200)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(help_text="Acknowledge by")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)
    # An allegation against the Head of School goes to the Executive Headteacher and never to the Head (KCSIE).
    against_head = models.BooleanField(default=False)
    # When the type's required referral must be recorded by (KCSIE: the LADO within one working day).
    referral_due_at = models.DateTimeField(null=True, blank=True)
    # A.2.3 "immediately": a screening ``escalate`` finding, or a concern marked "a child may be at risk now". The
    # person on call is alerted at once on the wall clock (``cases.oncall``), not in school time.
    immediate_risk = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(blank=True)
    no_referral_reason = models.TextField(blank=True)
    retain_until = models.DateField(null=True, blank=True)
    linked_pupils = models.ManyToManyField(Pupil, blank=True, related_name="+")
    linked_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # A custos_sites.Site, kept as a plain id and label until that app's model settles (then a ForeignKey).
    linked_site_id = models.PositiveBigIntegerField(null=True, blank=True)
    linked_site_label = models.CharField(max_length=200, blank=True)
    linked_content = models.TextField(blank=True, help_text="Where the content is: URLs, post ids")

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="case_due_idx")]

    def __str__(self) -> str:
        # Content-free on purpose: this is what the audit log and mail show.
        return f"Case {self.reference}"

    @property
    def spec(self):
        return spec_for(self.case_type, against_head=self.against_head)

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.status == Status.NEW and self.due_at <= (now or timezone.now())


class EntryKind(models.TextChoices):
    OPENED = "opened", "Opened"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    NOTE = "note", "Note"
    ACTION = "action", "Action taken"
    DECISION = "decision", "Decision"
    REFERRAL = "referral", "External referral"
    ASSIGNED = "assigned", "Assigned"
    LINKED = "linked", "Linked"
    EVIDENCE = "evidence", "Evidence added"
    ESCALATED = "escalated", "Escalated"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"
    QUARANTINE_OPENED = "quarantine_opened", "Quarantined evidence opened"
    ALERTED = "alerted", "Urgent alert sent"
    ALERT_ACKNOWLEDGED = "alert_acknowledged", "Urgent alert acknowledged"


class Entry(models.Model):
    """One line of a case's chronology. Never edited: a correction is a new entry."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_label = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    text = models.TextField(blank=True)
    agency = models.CharField(max_length=20, choices=Agency.choices, blank=True)
    agency_reference = models.CharField(max_length=100, blank=True)
    referred_on = models.DateField(null=True, blank=True)
    referred_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} at {self.at:%d/%m/%Y %H:%M}"


def _evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name never carries the uploaded name (which may itself be sensitive or hostile).
    return f"{instance.case.school_id}/{instance.case.reference}/{instance.sha256}"


class Evidence(models.Model):
    """Evidence exactly as received, with its SHA-256 (checked again every time it is shown)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    received_at = models.DateTimeField(default=timezone.now)
    added_by_label = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    file = models.FileField(upload_to=_evidence_path, storage=private_evidence_storage, blank=True, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    declared_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    # Illegal imagery (A.5.6, UKCIS guidance): never previewed, never exported, opened only by the DSL.
    quarantined = models.BooleanField(default=False)

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return f"Evidence {self.pk} on {self.case}"

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    def stored_bytes(self) -> bytes:
        if self.file:
            with self.file.open("rb") as handle:
                return handle.read()
        return self.text.encode("utf-8")

    def hash_matches(self) -> bool:
        try:
            return hashlib.sha256(self.stored_bytes()).hexdigest() == self.sha256
        except OSError:
            return False


class Escalation(models.Model):
    """One escalation step of one case: recorded once, so the job can run any number of times."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    step = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    notified = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="case_escalations")
    dismissed_by = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="escalation_step_once")]

    def __str__(self) -> str:
        return f"{self.case} escalation {self.step}"


class Tombstone(models.Model):
    """What is left when a case is deleted at the end of its retention period: enough to prove it was done."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=20, unique=True)
    case_type = models.CharField(max_length=20, choices=CaseType.choices)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    retain_until = models.DateField(null=True, blank=True)
    retention_rule = models.CharField(max_length=30, choices=Retention.choices)
    deleted_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_by_label = models.CharField(max_length=200)
    reason = models.TextField()

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return f"Deleted case {self.reference}"


class OnCallShift(models.Model):
    """Who answers urgent alerts for a school (or, with no school, for the whole Trust as the fallback) from
    ``starts_at`` to ``ends_at``. Several shifts may overlap: ``position`` 1 is asked first, then 2, … (A.2.3)."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="on_call_shifts")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="on_call_shifts")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="on_call_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    position = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "position", "pk"]
        indexes = [models.Index(fields=["trust", "school", "ends_at"], name="shift_lookup_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(position__gte=1), name="shift_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person} on call {self.starts_at:%d/%m/%Y %H:%M}–{self.ends_at:%d/%m/%Y %H:%M}"


class AlertReason(models.TextChoices):
    SCREENING = "screening", "Screening found something that must be escalated"
    AT_RISK_NOW = "at_risk_now", "The person reporting said a child may be at risk now"


class Alert(models.Model):
    """The urgent alert of one case (A.2.3): a ladder of people, each given ``ack_minutes`` of wall-clock time
    before the next is alerted. Acknowledged by any person alerted, or by acknowledging the case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="alert")
    reason = models.CharField(max_length=20, choices=AlertReason.choices)
    raised_at = models.DateTimeField(default=timezone.now)
    ack_minutes = models.PositiveSmallIntegerField()
    # The ladder as worked out when the alert was raised: [[user id, …], …], one list per step, with the words
    # saying who each step is ("on call", "next on the rota", "Head of School", "Executive Headteacher").
    ladder = models.JSONField(default=list)
    nobody_on_call = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["acknowledged_at"], name="alert_open_idx")]

    def __str__(self) -> str:
        return f"Urgent alert for {self.case}"

    def step_due(self, step: int) -> dt.datetime:
        return self.raised_at + dt.timedelta(minutes=self.ack_minutes * (step - 1))


class AlertStep(models.Model):
    """One rung of the ladder, sent once (unique on alert + step) however often the tick runs."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField()
    who = models.CharField(max_length=100)
    at = models.DateTimeField(default=timezone.now)
    notified = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")

    class Meta:
        ordering = ["step"]
        constraints = [models.UniqueConstraint(fields=["alert", "step"], name="alert_step_once")]

    def __str__(self) -> str:
        return f"{self.alert} step {self.step}"
