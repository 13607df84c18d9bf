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
