"""What moderation keeps besides the items themselves: patterns found over a member's conversation (A.2.2, A.2.3).

Every row hangs off the item it was raised on, so it is deleted with that item and kept no longer (3.2).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ConversationFinding(models.Model):
    """One pattern (e.g. grooming) found over one member's recent messages in a space, though no single message
    raised it. Raised on the message that completed it, which then waits at the top of the queue as ``escalate``;
    ``contributions`` / ``comments`` are the messages that formed it. ``messages_key`` names the set, so the same
    pattern over the same messages is raised once."""

    site = models.ForeignKey("custos_sites.Site", on_delete=models.CASCADE, related_name="+")
    raised_on_contribution = models.ForeignKey(
        "community.Contribution", null=True, blank=True, on_delete=models.CASCADE, related_name="conversation_findings"
    )
    raised_on_comment = models.ForeignKey(
        "api.ExternalComment", null=True, blank=True, on_delete=models.CASCADE, related_name="conversation_findings"
    )
    contributions = models.ManyToManyField("community.Contribution", blank=True, related_name="+")
    comments = models.ManyToManyField("api.ExternalComment", blank=True, related_name="+")
    category = models.CharField(max_length=30)
    kind = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    clauses = models.JSONField(default=list)
    reason = models.TextField()
    score = models.FloatField()
    messages_key = models.CharField(max_length=64, help_text="SHA-256 of the kind and the messages' ids")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "kind", "messages_key"], name="conversation_finding_once"),
            models.CheckConstraint(
                condition=Q(raised_on_contribution__isnull=False, raised_on_comment__isnull=True)
                | Q(raised_on_contribution__isnull=True, raised_on_comment__isnull=False),
                name="conversation_finding_raised_on_one_item",
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation finding {self.kind} #{self.pk}"
