"""Queue mail in the caller's transaction; the worker delivers it after commit (and again until it is sent)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from custos.mail.models import Email
from custos.mail.tasks import send_email
from custos.tasks.registry import enqueue


def queue_email(recipient: Any, template: str, context: dict[str, Any]) -> Email | None:
    """Render ``mail/<template>.txt`` (first line is the subject) for ``recipient`` and queue it."""
    address = getattr(recipient, "email", "") or ""
    if not address:
        return None
    rendered = render_to_string(f"mail/{template}.txt", {**context, "recipient": recipient}).strip()
    subject, _, body = rendered.partition("\n")
    email = Email.objects.create(
        to=address,
        recipient=recipient if getattr(recipient, "pk", None) else None,
        subject=subject.strip()[:250],
        body=body.strip() + "\n",
    )
    enqueue(send_email, email_id=email.pk)
    return email
