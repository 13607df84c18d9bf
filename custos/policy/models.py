"""The policy as data: versions, their numbered clauses, and each person's acknowledgement of a version."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class PolicyVersion(models.Model):
    title = models.CharField(max_length=300)
    label = models.CharField(max_length=40, help_text="e.g. 2026.1")
    source = models.TextField(help_text="The policy's Markdown, exactly as imported")
    sha256 = models.CharField(max_length=64)
    form = models.JSONField(default=dict, help_text="The Appendix B form description")
    imported_at = models.DateTimeField(default=timezone.now)
    in_force_from = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["label"], name="policy_label_unique"),
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_policy"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.label})"


class Clause(models.Model):
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="clauses")
    number = models.CharField(max_length=10)
    section = models.CharField(max_length=10)
    section_title = models.CharField(max_length=200)
    text = models.TextField()
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="clause_unique_per_version")]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:60]}"

    @property
    def anchor(self) -> str:
        return "clause-" + self.number.replace(".", "-")


class Acknowledgement(models.Model):
    """A member of staff confirmed, on a date, that they have read one policy version (sections 5 and 6)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="policy_acknowledgements")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="acknowledgement_once_per_version")]

    def __str__(self) -> str:
        return f"{self.user} read version {self.version.label}"


class ReviewState(models.TextChoices):
    """A policy review (10.1): opened by HR, given a draft, then published (or closed with no change)."""

    OPEN = "open", "Open: consulting"
    DRAFTED = "drafted", "Draft ready"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed without change"


# The one place that says which review state may follow which (10.1).
REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewState.OPEN: frozenset({ReviewState.DRAFTED, ReviewState.CLOSED}),
    ReviewState.DRAFTED: frozenset({ReviewState.DRAFTED, ReviewState.PUBLISHED, ReviewState.CLOSED}),
    ReviewState.PUBLISHED: frozenset(),
    ReviewState.CLOSED: frozenset(),
}


class PolicyReview(models.Model):
    """HR's review of the policy (10.1), in consultation with the trade unions and teacher associations."""

    under_review = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="reviews")
    review_date = models.DateField(help_text="When the review is due to conclude")
    reason = models.TextField(blank=True, help_text="The changing circumstances that prompt the review")
    state = models.CharField(max_length=12, choices=ReviewState.choices, default=ReviewState.OPEN)
    draft = models.OneToOneField(
        PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="drafted_in"
    )
    opened_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Review of version {self.under_review.label} due {self.review_date:%d/%m/%Y}"

    @property
    def is_active(self) -> bool:
        return self.state in (ReviewState.OPEN, ReviewState.DRAFTED)


class ConsultationNote(models.Model):
    """A meeting or exchange with a trade union or teacher association during a review (10.1)."""

    review = models.ForeignKey(PolicyReview, on_delete=models.CASCADE, related_name="notes")
    organisation = models.CharField(max_length=200, help_text="e.g. NEU, NASUWT, UNISON, ASCL, NAHT")
    met_on = models.DateField()
    notes = models.TextField()
    written_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["met_on", "written_at"]

    def __str__(self) -> str:
        return f"{self.organisation} on {self.met_on:%d/%m/%Y}"
