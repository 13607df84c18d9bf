"""Integration tokens for the REST API (issue 10) and comments exported from third-party-hosted sites (A.5.5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Scope(models.TextChoices):
    """What a token may do; each maps to the page permission it stands in for."""

    SCREEN = "screen", "Screen a text against the policy (5.4, 5.5, A.4, A.5.6)"
    COMMENTS_SUBMIT = "comments:submit", "Submit comments from third-party-hosted sites for moderation (A.5.5)"
    SITES_READ = "sites:read", "Read the school's official sites inventory (A.3.2)"
    QUEUE_READ = "queue:read", "Read moderation queue counts (A.5.3, A.5.4)"


class ApiToken(models.Model):
    """One integration's credential at one school. Only a SHA-256 of the secret is kept: it is shown once."""

    school = models.ForeignKey("accounts.School", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the integration is, e.g. 'Facebook comment export'")
    scopes = models.JSONField(default=list)
    prefix = models.CharField(max_length=12, help_text="The first characters of the secret, to tell tokens apart")
    secret_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A fixed one-minute window, counted in the database so every web process shares it.
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["school__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name"], condition=Q(revoked_at__isnull=True), name="api_token_name_unique_live"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def get_scopes_display(self) -> list[str]:
        labels = dict(Scope.choices)
        return [labels.get(scope, scope) for scope in self.scopes]


class ExternalCommentState(models.TextChoices):
    PENDING = "pending", "Waiting for a moderator (A.5.5)"
    KEPT = "kept", "Kept on the host site"
    REMOVED = "removed", "Removed from the host site (A.5.7)"
    ESCALATED = "escalated", "Escalated to the safeguarding lead (A.5.6)"


EXTERNAL_COMMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    ExternalCommentState.PENDING: frozenset(
        {ExternalCommentState.KEPT, ExternalCommentState.REMOVED, ExternalCommentState.ESCALATED}
    ),
    ExternalCommentState.KEPT: frozenset({ExternalCommentState.REMOVED, ExternalCommentState.ESCALATED}),
    ExternalCommentState.REMOVED: frozenset(),
    ExternalCommentState.ESCALATED: frozenset(),
}

# The same ranks as the community queue, so counts line up: clean/info 0, warn 1, block 2, escalate 3.
SEVERITY_RANKS = {"clean": 0, "info": 0, "warn": 1, "block": 2, "escalate": 3}
SEVERITY_LABELS = {0: "clean", 1: "warn", 2: "block", 3: "escalate"}


class ExternalComment(models.Model):
    """A comment made on a third-party-hosted official site, exported by an integration and screened here, so
    the site's moderators can plan the school's own intervention (A.5.5)."""

    site = models.ForeignKey("custos_sites.Site", on_delete=models.CASCADE, related_name="external_comments")
    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="comments")
    external_id = models.CharField(max_length=200, help_text="The comment's id on the host platform")
    author_name = models.CharField(max_length=200, blank=True)
    author_kind = models.CharField(max_length=10, default="external")
    body = models.TextField()
    url = models.URLField(max_length=500, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    findings = models.JSONField(default=list)
    severity_rank = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=10, choices=ExternalCommentState.choices, default=ExternalCommentState.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    # Set once, by the conditional UPDATE that claims the right to open the safeguarding case (A.5.6): a comment
    # never opens two cases, whether screening escalated it on arrival or a moderator did later.
    case_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-severity_rank", "received_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["site", "external_id"], name="external_comment_once_per_site")]
        indexes = [
            models.Index(fields=["site", "state", "-severity_rank", "received_at"], name="external_queue"),
            # One commenter's recent comments on a site, screened together as a conversation (A.2.2).
            models.Index(fields=["site", "author_name", "received_at"], name="external_comment_author"),
        ]

    def __str__(self) -> str:
        return f"Comment {self.external_id} on site {self.site_id}"

    @property
    def severity(self) -> str:
        return SEVERITY_LABELS.get(self.severity_rank, "clean")
