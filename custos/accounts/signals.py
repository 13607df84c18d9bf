"""Sign-ins and sign-outs go into the audit log (failed attempts are counted by django-axes)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver

from custos.audit.actions import record


@receiver(user_logged_in)
def record_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        record(user, "user.signed_in", user, school_id=user.school_id)


@receiver(user_logged_out)
def record_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            record(user, "user.signed_out", user, school_id=user.school_id)
