"""Safeguarding alerts queued while the mail server is down are all delivered once it is back, none twice."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from custos.mail.actions import queue_email
from custos.mail.models import Email
from custos.tasks.worker import run_once
from custos.test import LocalSMTPServer, make_user

pytestmark = pytest.mark.django_db


def test_alerts_queued_during_an_smtp_outage_arrive_exactly_once(figure) -> None:
    dsl = make_user("dsl", school=None)
    alerts = 50
    for i in range(alerts):
        with transaction.atomic():
            queue_email(dsl, "notice", {"subject": f"Safeguarding alert {i}", "message": "A disclosure was made."})
    with LocalSMTPServer() as gone:
        dead_port = gone.port
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=dead_port,
        EMAIL_TIMEOUT=1,
    ):  # fmt: skip
        attempts_while_down = run_once()
    assert Email.objects.filter(sent_at__isnull=False).count() == 0
    with LocalSMTPServer() as smtp:
        for minutes in (5, 10, 15):
            with time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes)):
                run_once()
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects == sorted(f"Safeguarding alert {i}" for i in range(alerts))
    assert Email.objects.filter(sent_at__isnull=True).count() == 0
    figure(f"{alerts} alerts: {attempts_while_down} tries failed while down, {len(subjects)} delivered after, 0 twice")
