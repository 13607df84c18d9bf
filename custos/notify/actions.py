"""Every write of the notify app: channels a person adds for themselves, and deliveries queued and sent.

``queue`` runs in the caller's transaction: the deliveries and their jobs commit with the alert that asked for
them, or not at all. Each delivery is its own job, so a channel that is down never holds up the others.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from custos.audit.actions import record
from custos.mail.actions import queue_email
from custos.notify import providers
from custos.notify.models import Channel, ChannelKind, Delivery, DeliveryState
from custos.tasks.registry import enqueue

# Each try is a job retried with the worker's back-off (2 s, 4 s, … up to 5 minutes): 40 tries is about 3 hours.
MAX_ATTEMPTS = 40


class ChannelError(ValueError):
    """Bad input for a channel: ``str()`` is the message to show, ``field`` the form field it is about."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _phone(address: str) -> str:
    try:
        number = phonenumbers.parse(address, "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ChannelError("Enter a mobile number, for example 07911 123456 or +44 7700 900123.", field="address")
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ChannelError("That is not a mobile number: text messages need one.", field="address")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _webhook(kind: str, address: str) -> str:
    parts = urlsplit(address)
    host = (parts.hostname or "").lower()
    allowed = settings.CUSTOS_WEBHOOK_HOSTS[kind]
    loopback_test = host in ("127.0.0.1", "localhost") and host in allowed
    if parts.scheme != "https" and not loopback_test:
        raise ChannelError("The webhook address must start with https://.", field="address")
    if not any(host == suffix or host.endswith("." + suffix) for suffix in allowed):
        names = ", ".join(allowed)
        raise ChannelError(
            f"That is not a {ChannelKind(kind).label} incoming webhook address (it should be on {names}).",
            field="address",
        )
    return address


def add_channel(user: Any, *, kind: str, address: str, by: Any) -> Channel:
    """A person adds a way to reach them urgently; only for themselves. The audit event names the kind only."""
    if by.pk != user.pk:
        raise PermissionDenied
    address = (address or "").strip()
    if kind not in (ChannelKind.SMS, ChannelKind.TEAMS, ChannelKind.SLACK):
        raise ChannelError("Choose text message, Microsoft Teams or Slack.", field="kind")
    if not address:
        raise ChannelError("Enter the number or the webhook address.", field="address")
    if len(address) > 500:
        raise ChannelError("That address is too long for a webhook.", field="address")
    address = _phone(address) if kind == ChannelKind.SMS else _webhook(kind, address)
    try:
        with transaction.atomic():
            channel = Channel.objects.create(user=user, kind=kind, address=address)
            record(by, "notify.channel_added", channel, changes={"kind": kind})
    except IntegrityError:
        raise ChannelError("You have already added that.", field="address") from None
    return channel


def remove_channel(channel_id: int, *, by: Any) -> None:
    with transaction.atomic():
        channel = Channel.objects.select_for_update().filter(pk=channel_id, user=by).first()
        if channel is None:
            raise ChannelError("That was already removed. Nothing changed.")
        record(by, "notify.channel_removed", channel, changes={"kind": channel.kind})
        channel.delete()


def queue(recipient: Any, *, key: str, subject: str, text: str, link: str, about: str) -> list[Delivery]:
    """Queue one message to ``recipient`` on every channel they have: their account's email (through the mail
    outbox) and each channel they added. ``key`` names the message (e.g. ``cases.alert:12``): queued again with
    the same key, nothing is added, so each message goes once per channel. The words must carry no child's name
    and nothing that was written."""
    targets: list[tuple[str, Channel | None, str]] = []
    if getattr(recipient, "email", ""):
        targets.append((ChannelKind.EMAIL, None, recipient.email))
    targets += [(c.kind, c, c.address) for c in Channel.objects.filter(user=recipient)]
    queued = []
    for kind, channel, to in targets:
        delivery_key = f"{key}:{recipient.pk}:{kind}:{channel.pk if channel else 'account'}"
        with transaction.atomic():
            delivery, created = Delivery.objects.get_or_create(
                key=delivery_key,
                defaults={
                    "recipient": recipient,
                    "channel": channel,
                    "kind": kind,
                    "to": to,
                    "subject": subject[:200],
                    "text": text,
                    "link": link[:500],
                    "about": about,
                },
            )
            if created and kind == ChannelKind.EMAIL:
                email = queue_email(recipient, "notice", {"subject": subject, "message": text, "link": link})
                Delivery.objects.filter(pk=delivery.pk).update(email=email)
            elif created:
                from custos.notify.tasks import send_delivery

                enqueue(send_delivery, delivery_id=delivery.pk)
        queued.append(delivery)
    return queued


def deliver(delivery_id: int) -> None:
    """Send a pending delivery once. A provider that is down raises, so the job is tried again with back-off;
    one that refuses for good, or too many tries, marks the delivery failed (audited) and stops."""
    delivery = Delivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING).first()
    if delivery is None:
        return
    Delivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    try:
        reference = providers.send(delivery)
    except providers.GiveUp as error:
        _give_up(delivery, str(error))
        return
    except Exception as error:
        message = str(error)[:500] or type(error).__name__
        if delivery.attempts + 1 >= MAX_ATTEMPTS:
            _give_up(delivery, message)
            return
        Delivery.objects.filter(pk=delivery.pk).update(last_error=message)
        raise
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
        state=DeliveryState.SENT, sent_at=timezone.now(), last_error="", provider_reference=reference[:100]
    )


def _give_up(delivery: Delivery, message: str) -> None:
    with transaction.atomic():
        won = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
            state=DeliveryState.FAILED, last_error=message[:500]
        )
        if won:
            record(None, "notify.delivery_failed", delivery, changes={"kind": delivery.kind, "about": delivery.about})
