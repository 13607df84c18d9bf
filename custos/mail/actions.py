"""Queue mail in the caller's transaction; the worker delivers it after commit (and again until it is sent).
Sent mail is deleted once it is past retention (``purge_sent``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.template import Context
from django.template.loader import get_template

from custos.audit.actions import record
from custos.mail.models import Email
from custos.mail.retention import CLAUSE, retention_cutoff, retention_days
from custos.mail.tasks import send_email
from custos.tasks.registry import enqueue


def queue_email(recipient: Any, template: str, context: dict[str, Any]) -> Email | None:
    """Render ``mail/<template>.txt`` (first line is the subject) for ``recipient`` and queue it."""
    address = getattr(recipient, "email", "") or ""
    if not address:
        return None
    rendered = render_text(f"mail/{template}.txt", {**context, "recipient": recipient}).strip()
    subject, _, body = rendered.partition("\n")
    email = Email.objects.create(
        to=address,
        recipient=recipient if getattr(recipient, "pk", None) else None,
        subject=subject.strip()[:250],
        body=body.strip() + "\n",
    )
    enqueue(send_email, email_id=email.pk)
    return email


def render_text(name: str, context: dict[str, Any]) -> str:
    """A plain-text template rendered without HTML escaping: mail is not HTML, so "O'Brien's & friends" must
    arrive as written, not as "O&#x27;Brien&#x27;s &amp; friends"."""
    return get_template(name).template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]


def purge_sent(now: dt.datetime | None = None) -> int:
    """Delete emails sent more than ``CUSTOS_MAIL_RETENTION_DAYS`` ago (policy 3.2; UK GDPR Art. 5(1)(e)); return
    how many. Mail not yet sent (waiting, or failing and to be retried) is never deleted, so none is lost. A run
    that deletes something writes one audit event with the count; running twice is harmless."""
    cutoff = retention_cutoff(now)
    with transaction.atomic():
        deleted, _ = Email.objects.filter(sent_at__isnull=False, sent_at__lt=cutoff).delete()
        if deleted:
            record(
                None,
                "mail.purged",
                None,
                changes={
                    "clause": CLAUSE,
                    "deleted": deleted,
                    "sent_before": cutoff.isoformat(),
                    "days": retention_days(),
                },
            )
    return deleted
