"""The API's request and response shapes. Limits here are the API's input limits (clear 400s, never 500s)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

from custos.screening import Author, Venue

MAX_SCREEN_CHARS = 20_000
MAX_COMMENT_CHARS = 10_000
MAX_COMMENTS_PER_REQUEST = 100
MAX_ID = 2**63 - 1
# Not only spaces: the pattern is in the OpenAPI description too, so clients (and the fuzzer) know the rule.
HAS_TEXT = RegexValidator(r"\S", "Send some text, not only spaces.")
WEB_ADDRESS = RegexValidator(r"^https?://[^\s]+$", "Give the comment's web address, starting https://.")
SEVERITIES = ["clean", "info", "warn", "block", "escalate"]


class StrictCharField(serializers.CharField):
    """JSON strings only: a number or a boolean where text belongs is an error, not quietly turned into text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """JSON integers only (not "12", 12.0 or true)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="A short machine-readable code, e.g. 'invalid', 'not_found'")
    message = serializers.CharField(help_text="What went wrong, in plain English")
    clause = serializers.CharField(help_text="The policy clause behind a refusal, when there is one")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="For invalid input: each field (dotted path) with its errors",
    )


class FindingSerializer(serializers.Serializer):
    category = serializers.CharField()
    kind = serializers.CharField()
    severity = serializers.ChoiceField(choices=["info", "warn", "block", "escalate"])
    clauses = serializers.ListField(child=serializers.CharField(), help_text="Policy clauses the finding cites")
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    spans = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        help_text="[start, end) character offsets in the submitted text",
    )
    reason = serializers.CharField()


class ScreenRequestSerializer(serializers.Serializer):
    text = StrictCharField(max_length=MAX_SCREEN_CHARS, trim_whitespace=False, validators=[HAS_TEXT])
    author_kind = serializers.ChoiceField(
        choices=[a.value for a in Author], default=Author.EXTERNAL.value, help_text="Who wrote the text"
    )
    venue = serializers.ChoiceField(
        choices=[v.value for v in Venue],
        default=Venue.SCHOOL_SITE.value,
        help_text="school_site (Appendix A), third_party_draft, or personal_webspace (section 6)",
    )


class ScreenResponseSerializer(serializers.Serializer):
    worst_severity = serializers.ChoiceField(choices=SEVERITIES)
    clauses = serializers.ListField(child=serializers.CharField())
    findings = FindingSerializer(many=True)


class SafeDateTimeField(serializers.DateTimeField):
    """A date-time that fits the database once in UTC: out-of-range values are a clear 400, not an overflow."""

    def to_internal_value(self, value: Any) -> dt.datetime:
        try:
            return super().to_internal_value(value).astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise serializers.ValidationError(
                "Give a date and time like 2025-01-31T14:05:00Z, between the years 1 and 9999 in UTC."
            ) from None


class IncomingCommentSerializer(serializers.Serializer):
    external_id = StrictCharField(
        max_length=200, trim_whitespace=False, validators=[HAS_TEXT], help_text="The comment's id on the host platform"
    )
    text = StrictCharField(max_length=MAX_COMMENT_CHARS, trim_whitespace=False, validators=[HAS_TEXT])
    author_name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    author_kind = serializers.ChoiceField(choices=[a.value for a in Author], default=Author.EXTERNAL.value)
    url = StrictCharField(max_length=500, required=False, allow_blank=True, default="", validators=[WEB_ADDRESS])
    posted_at = SafeDateTimeField(required=False, allow_null=True, default=None)


class ThirdPartyCommentsRequestSerializer(serializers.Serializer):
    site = StrictIntegerField(min_value=1, max_value=MAX_ID, help_text="The official site's id (see /sites)")
    comments = IncomingCommentSerializer(many=True, min_length=1, max_length=MAX_COMMENTS_PER_REQUEST)


class StoredCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    state = serializers.CharField()
    severity = serializers.ChoiceField(choices=["clean", "warn", "block", "escalate"])
    duplicate = serializers.BooleanField(help_text="True when this comment had been sent before (nothing changed)")
    findings = FindingSerializer(many=True)


class ThirdPartyCommentsResponseSerializer(serializers.Serializer):
    site = serializers.IntegerField()
    received = serializers.IntegerField(help_text="New comments queued for moderation")
    duplicates = serializers.IntegerField()
    comments = StoredCommentSerializer(many=True)


class SiteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    hosting = serializers.CharField(help_text="'school', 'third_party', or empty while a draft")
    host_platform = serializers.CharField(allow_null=True)
    host_minimum_age = serializers.IntegerField(allow_null=True, help_text="The platform's minimum age (A.2.5)")
    address = serializers.CharField()
    go_live_on = serializers.DateField(allow_null=True)
    closes_on = serializers.DateField(allow_null=True, help_text="Planned closure (A.1.6)")
    live_since = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField()
    administrators = serializers.ListField(child=serializers.CharField(), help_text="At least two (A.5.4)")
    moderators = serializers.ListField(child=serializers.CharField(), help_text="At least two (A.5.4)")


class SitesResponseSerializer(serializers.Serializer):
    school = serializers.CharField()
    sites = SiteSerializer(many=True)


class PendingCountsSerializer(serializers.Serializer):
    clean = serializers.IntegerField()
    warn = serializers.IntegerField()
    block = serializers.IntegerField()
    escalate = serializers.IntegerField()
    total = serializers.IntegerField()


class QueueSerializer(serializers.Serializer):
    site = serializers.IntegerField()
    title = serializers.CharField()
    hosting = serializers.CharField()
    pending = PendingCountsSerializer()
    oldest_waiting_since = serializers.DateTimeField(allow_null=True)


class QueueCountsResponseSerializer(serializers.Serializer):
    school = serializers.CharField()
    queues = QueueSerializer(many=True)
