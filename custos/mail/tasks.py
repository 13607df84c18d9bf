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
