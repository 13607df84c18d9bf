"""What moderation keeps besides the items themselves: patterns found over a member's conversation (A.2.2, A.2.3)
and moderators' decisions kept as labelled examples for screening (A.5.4).

Every row hangs off the item it was raised on, so it is deleted with that item and kept no longer (3.2).
"""

from __future__ import annotations

from django.conf import settings
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


class ExampleForm(models.TextChoices):
    """How a labelled example came about (the ``form`` field of the export)."""

    APPROVED = "moderator_approved", "A moderator approved an item screening had flagged"
    ESCALATED = "moderator_escalated", "A moderator escalated an item screening had found clean"


class Voice(models.TextChoices):
    """Whose words they are, as the screening corpus names its voices."""

    PUPIL_8_10 = "pupil_8_10", "Pupil aged 8 to 10"
    PUPIL_11_13 = "pupil_11_13", "Pupil aged 11 to 13"
    PUPIL_14_16 = "pupil_14_16", "Pupil aged 14 to 16"
    PARENT = "parent", "Parent"
    PUBLIC = "public", "Member of the public"
    STAFF = "staff", "Staff"


class ScreeningExample(models.Model):
    """A moderator's decision kept as a labelled example for retraining screening (issue 14; A.5.4): approving a
    flagged item says its findings' concerns were wrong (``negative_for``); escalating a clean one names the concern
    screening missed (``labels``). A copy of the text, kept with the item and deleted with it (3.2)."""

    contribution = models.ForeignKey(
        "community.Contribution", null=True, blank=True, on_delete=models.CASCADE, related_name="screening_examples"
    )
    comment = models.ForeignKey(
        "api.ExternalComment", null=True, blank=True, on_delete=models.CASCADE, related_name="screening_examples"
    )
    text = models.TextField()
    labels = models.JSONField(default=list, help_text="Concerns the text shows; empty means nothing to flag")
    negative_for = models.JSONField(default=list, help_text="Concerns screening found that the moderator overruled")
    voice = models.CharField(max_length=12, choices=Voice.choices)
    form = models.CharField(max_length=20, choices=ExampleForm.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contribution__isnull=False, comment__isnull=True)
                | Q(contribution__isnull=True, comment__isnull=False),
                name="screening_example_from_one_item",
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="screening_example_created")]

    def __str__(self) -> str:
        return f"Screening example fb-{self.pk}"
