import datetime as dt

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from custos.mail.models import Email
from custos.tasks.registry import task


@task(max_attempts=50, lease_seconds=120)
def send_email(*, email_id: int) -> None:
    """Send a queued message; a message already sent is not sent again."""
    email = Email.objects.filter(pk=email_id, sent_at__isnull=True).first()
    if email is None:
        return
    EmailMessage(subject=email.subject, body=email.body, to=[email.to]).send()
    with transaction.atomic():
        Email.objects.filter(pk=email_id, sent_at__isnull=True).update(sent_at=timezone.now())


@task(every=dt.timedelta(hours=6))
def mail_retention_tick() -> None:
    """Delete sent mail past ``CUSTOS_MAIL_RETENTION_DAYS`` (idempotent: a second run finds nothing to delete)."""
    from custos.mail.actions import purge_sent  # actions imports this module for send_email

    purge_sent()
