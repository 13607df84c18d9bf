"""What monitoring keeps (8.1), and no more: daily counts per person and category inside contracted hours (6.13),
encyclopaedia edit requests (6.11), the ledger that makes ingestion idempotent, and the notice staff acknowledge.

Raw proxy-log lines are never stored (UK GDPR data minimisation): see docs/monitoring.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from custos.accounts.models import School


class Category(models.TextChoices):
    """Kinds of social media the policy names (2.3); every one is social media for 6.13."""

    SOCIAL = "social", "Social networking and microblogs"
    VIDEO = "video", "Video and content sharing"
    MESSAGING = "messaging", "Messaging and chat"
    FORUM = "forum", "Forums, blogs and social bookmarking"
    ENCYCLOPAEDIA = "encyclopaedia", "Open access encyclopaedias"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class DomainCategory(models.Model):
    """The maintained list: a domain (and its subdomains) and its category."""

    domain = models.CharField(max_length=253, unique=True, help_text="e.g. facebook.com (covers its subdomains)")
    category = models.CharField(max_length=20, choices=Category.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category", "domain"]

    def __str__(self) -> str:
        return f"{self.domain} ({self.get_category_display()})"


class HoursRange(models.Model):
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        abstract = True
        ordering = ["weekday", "start"]


class SchoolDefaultHours(HoursRange):
    """A school's usual contracted hours, for staff with none of their own. Several ranges a day allow breaks."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="default_hours")

    class Meta(HoursRange.Meta):
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="school_hours_end_after")]

    def __str__(self) -> str:
        return f"{self.school}: {self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class ContractedHours(HoursRange):
    """One person's contracted hours (from HR); when a person has any, the school default no longer applies."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contracted_hours")

    class Meta(HoursRange.Meta):
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="user_hours_end_after")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class AddressAssignment(models.Model):
    """A network address used by one person for a time (a staff laptop's fixed lease), for unauthenticated lines."""

    address = models.GenericIPAddressField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="address_assignments")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["address", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")), name="address_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.address} → {self.user}"


class LogFormat(models.TextChoices):
    SQUID = "squid", "Squid native access.log"
    CSV = "csv", "CSV export with named columns"


class IngestedSource(models.Model):
    """The ledger of one proxy log: how far it has been read, so reading it again counts nothing twice."""

    identity = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the file's first line(s)")
    format = models.CharField(max_length=10, choices=LogFormat.choices)
    name = models.CharField(max_length=500, help_text="The path it was last read from (for people, not matching)")
    bytes_consumed = models.BigIntegerField(default=0)
    lines_consumed = models.BigIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the 1 KB before bytes_consumed")
    first_ingested_at = models.DateTimeField(default=timezone.now)
    last_ingested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_ingested_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.lines_consumed} lines)"


class DailyUse(models.Model):
    """Requests to one category of social media by one person on one day inside their contracted hours (6.13)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    category = models.CharField(max_length=20, choices=Category.choices)
    requests = models.PositiveIntegerField()
    first_at = models.TimeField()
    last_at = models.TimeField()

    class Meta:
        ordering = ["day", "user", "category"]
        constraints = [models.UniqueConstraint(fields=["user", "day", "category"], name="daily_use_unique")]
        indexes = [models.Index(fields=["school", "day"])]

    def __str__(self) -> str:
        return f"{self.user} {self.day} {self.category}: {self.requests}"


class EncyclopaediaEdit(models.Model):
    """An edit request to an open access encyclopaedia from the school's network (6.11)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    host = models.CharField(max_length=253)
    article = models.CharField(max_length=255, blank=True, help_text="Empty when the proxy log did not show it")
    source = models.ForeignKey(IngestedSource, on_delete=models.CASCADE, related_name="edits")
    line = models.BigIntegerField()

    class Meta:
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["source", "line"], name="edit_once_per_source_line")]
        indexes = [models.Index(fields=["school", "at"])]

    def __str__(self) -> str:
        return f"{self.user} edited {self.article or 'an article'} on {self.host}"


class NoticeAcknowledgement(models.Model):
    """A staff member has read the monitoring notice (8.1, 8.2) in this version."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.CharField(max_length=20)
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="notice_ack_once")]

    def __str__(self) -> str:
        return f"{self.user} read notice {self.version}"
