"""School-hosted spaces (7.1, A.4, A.5): who belongs to each, what they contribute and what members report.

A space *is* a live, school-hosted official ``Site`` (custos_sites): its title, Terms of Use, House Rules,
engagement level and team come from the approved form and are never copied here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class MemberStatus(models.TextChoices):
    """Labels cite clauses for staff; members see ``MEMBER_STATUS_PLAIN`` instead."""

    REQUESTED = "requested", "Asked to join, waiting for vetting (A.5.7)"
    AWAITING_HEAD = "awaiting_head", "Vetted, waiting for the Head's approval (A.5.8, A.5.9)"
    ACTIVE = "active", "Member"
    SUSPENDED = "suspended", "Suspended"
    REMOVED = "removed", "Removed"
    DECLINED = "declined", "Request declined"


# What a member (a pupil or an external member) is shown about their own membership: plain words, no clause ids.
MEMBER_STATUS_PLAIN: dict[str, str] = {
    MemberStatus.REQUESTED: "Asked to join: someone at the school is checking your request",
    MemberStatus.AWAITING_HEAD: "Checked: waiting for the Head of School to approve",
    MemberStatus.ACTIVE: "Member",
    MemberStatus.SUSPENDED: "Suspended",
    MemberStatus.REMOVED: "Removed",
    MemberStatus.DECLINED: "Request declined",
}


# The membership state machine, in one place.
MEMBER_TRANSITIONS: dict[str, frozenset[str]] = {
    MemberStatus.REQUESTED: frozenset({MemberStatus.ACTIVE, MemberStatus.AWAITING_HEAD, MemberStatus.DECLINED}),
    MemberStatus.AWAITING_HEAD: frozenset({MemberStatus.ACTIVE, MemberStatus.DECLINED}),
    MemberStatus.ACTIVE: frozenset({MemberStatus.SUSPENDED, MemberStatus.REMOVED}),
    MemberStatus.SUSPENDED: frozenset({MemberStatus.ACTIVE, MemberStatus.REMOVED}),
    MemberStatus.REMOVED: frozenset(),
    MemberStatus.DECLINED: frozenset(),
}


class Membership(models.Model):
    """One person's place in one space. Pupils and external members are shown only by ``pseudonym`` (A.5.2)."""

    site = models.ForeignKey("custos_sites.Site", on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=15, choices=MemberStatus.choices)
    pseudonym = models.CharField(
        max_length=60, help_text="How pupils and external members appear to others (A.5.2); set by the school"
    )
    is_organisation = models.BooleanField(
        default=False, help_text="Joins on behalf of an external organisation: needs the Head's approval (A.5.9)"
    )
    organisation_name = models.CharField(max_length=200, blank=True)
    request_reason = models.TextField(blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vetted_at = models.DateTimeField(null=True, blank=True)
    vetting_notes = models.TextField(blank=True)
    head_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    head_approved_at = models.DateTimeField(null=True, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True, help_text="Terms of Use and House Rules (A.4.1)")
    status_reason = models.TextField(blank=True, help_text="Why the member was suspended, removed or declined")
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["site", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["site", "user"], name="membership_once_per_site"),
            models.UniqueConstraint(fields=["site", "pseudonym"], name="membership_pseudonym_unique_per_site"),
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.pseudonym} in {self.site.title}"

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    @property
    def has_accepted_terms(self) -> bool:
        return self.terms_accepted_at is not None

    @property
    def plain_status(self) -> str:
        return MEMBER_STATUS_PLAIN.get(self.status, self.get_status_display())


class ContributionKind(models.TextChoices):
    POST = "post", "Post"
    COMMENT = "comment", "Comment"


class ContributionState(models.TextChoices):
    SCREENING = "screening", "Being screened"
    PENDING = "pending", "Waiting for a moderator (A.5.3)"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not posted (A.5.7)"
    ESCALATED = "escalated", "Escalated to the safeguarding lead (A.5.6)"
    REMOVED = "removed", "Removed (A.5.4)"


# The contribution state machine (A.5.3, A.5.4, A.5.6). Nothing is seen by members until APPROVED.
CONTRIBUTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ContributionState.SCREENING: frozenset(
        {ContributionState.PENDING, ContributionState.APPROVED, ContributionState.ESCALATED}
    ),
    ContributionState.PENDING: frozenset(
        {ContributionState.APPROVED, ContributionState.REJECTED, ContributionState.ESCALATED}
    ),
    ContributionState.APPROVED: frozenset({ContributionState.REMOVED, ContributionState.ESCALATED}),
    ContributionState.REJECTED: frozenset(),
    ContributionState.ESCALATED: frozenset(),
    ContributionState.REMOVED: frozenset(),
}

# Queue order (A.5.4): escalate, block, warn, then clean; ``info`` findings count as clean.
SEVERITY_RANKS = {"clean": 0, "info": 0, "warn": 1, "block": 2, "escalate": 3}
SEVERITY_LABELS = {0: "clean", 1: "warn", 2: "block", 3: "escalate"}


class Contribution(models.Model):
    """A post or a comment. Saved as SCREENING, screened in the background, then held until a moderator decides."""

    site = models.ForeignKey("custos_sites.Site", on_delete=models.CASCADE, related_name="contributions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contributions")
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="contributions"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(max_length=10, choices=ContributionKind.choices, default=ContributionKind.POST)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=ContributionState.choices, default=ContributionState.SCREENING)
    findings = models.JSONField(default=list, blank=True)
    severity_rank = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    screened_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    house_rule = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The House Rule broken (A.5.7)")
    decision_note = models.TextField(blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The moderators' queue (A.5.4): severity first, then oldest first, paged by keyset.
            models.Index(fields=["site", "state", "-severity_rank", "created_at", "id"], name="contribution_queue"),
            # Rate limits and "my contributions", counted from the database.
            models.Index(fields=["author", "created_at"], name="contribution_author_recent"),
            models.Index(fields=["site", "state", "created_at"], name="contribution_feed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="post", parent__isnull=True) | Q(kind="comment", parent__isnull=False),
                name="contribution_comment_has_parent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def severity(self) -> str:
        return SEVERITY_LABELS.get(self.severity_rank, "clean")

    @property
    def is_public_to_members(self) -> bool:
        return self.state == ContributionState.APPROVED


class ContributionImage(models.Model):
    """An uploaded image, re-encoded without metadata (A.5.2), kept in the database: never at a public URL."""

    contribution = models.OneToOneField(Contribution, on_delete=models.CASCADE, related_name="image")
    data = models.BinaryField()
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(max_length=250, blank=True)

    def __str__(self) -> str:
        return f"Image of {self.contribution}"


class ReportState(models.TextChoices):
    OPEN = "open", "Waiting for a moderator"
    UPHELD = "upheld", "Upheld: the contribution was removed"
    DISMISSED = "dismissed", "Dismissed: the contribution stays"


class Report(models.Model):
    """A member's report of an approved contribution; it comes back to the moderators' queue (A.5.4, A.5.7)."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "reporter"], condition=Q(state="open"), name="report_once_while_open"
            )
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"Report on {self.contribution}"


DEFAULT_QUEUE_TARGET_HOURS = 24
DEFAULT_RATE_LIMIT_PER_MINUTE = 10


class SpaceSettings(models.Model):
    """What the site's administrators may tune for their space; absent means the defaults."""

    site = models.OneToOneField("custos_sites.Site", on_delete=models.CASCADE, related_name="space_settings")
    queue_target_hours = models.PositiveSmallIntegerField(
        default=DEFAULT_QUEUE_TARGET_HOURS, help_text="Items waiting longer are flagged and moderators alerted (A.5.4)"
    )
    rate_limit_per_minute = models.PositiveSmallIntegerField(
        default=DEFAULT_RATE_LIMIT_PER_MINUTE, help_text="Contributions one member may make in a minute"
    )

    def __str__(self) -> str:
        return f"Settings for {self.site_id}"
