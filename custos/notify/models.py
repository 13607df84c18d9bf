"""How Custos reaches a person urgently (email, SMS, Teams, Slack), and each message it sent that way (A.2.3)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ChannelKind(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message (SMS)"
    TEAMS = "teams", "Microsoft Teams"
    SLACK = "slack", "Slack"


class Channel(models.Model):
    """One way of reaching one person, besides their account's email (which every person has)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_channels")
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    # A phone number in E.164 (+447700900123) for SMS; the incoming webhook's https address for Teams and Slack.
    address = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "address"], name="channel_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user}"

    @property
    def shown_address(self) -> str:
        """What the page shows: a phone number's last digits, a webhook's host (its path is the secret)."""
        if self.kind == ChannelKind.SMS:
            return "•" * max(len(self.address) - 4, 0) + self.address[-4:]
        from urllib.parse import urlsplit

        return urlsplit(self.address).hostname or ""


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Gave up"


class Delivery(models.Model):
    """One message on one channel. ``key`` makes it idempotent: the same alert on the same channel is one row,
    sent at most once by the worker however often it is queued (at least once: retried until the provider takes
    it)."""

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    to = models.CharField(max_length=500)
    subject = models.CharField(max_length=200)
    text = models.TextField()
    link = models.CharField(max_length=500)
    # What asked for it, e.g. "cases.alert:12", so a page can list its deliveries.
    about = models.CharField(max_length=100, db_index=True)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)
    # Email goes through the mail outbox (``custos.mail``), like every other email: its state is the Email's.
    email = models.OneToOneField(
        "custos_mail.Email", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(state="sent") | Q(sent_at__isnull=False), name="delivery_sent_has_time")
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.get_state_display()})"

    @property
    def current_state(self) -> str:
        if self.kind == ChannelKind.EMAIL:
            # Sent mail is purged after its retention period (then ``email`` is None): it was sent.
            return DeliveryState.SENT if self.email is None or self.email.sent_at else DeliveryState.PENDING
        return self.state

    @property
    def delivered_at(self) -> dt.datetime | None:
        if self.kind == ChannelKind.EMAIL:
            return self.email.sent_at if self.email is not None else None
        return self.sent_at
