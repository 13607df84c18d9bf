"""Mail goes out through the worker to a real SMTP server, and is kept until that server takes it."""

import datetime as dt

import time_machine
from django.db import transaction
from django.utils import timezone

from custos.mail.actions import queue_email
from custos.mail.models import Email
from custos.tasks.models import Job, JobState
from custos.tasks.worker import run_once
from custos.test import CustosTestCase, LocalSMTPServer


class MailTests(CustosTestCase):
    def test_queued_mail_reaches_the_smtp_server_once(self) -> None:
        with transaction.atomic():
            queue_email(self.dsl, "notice", {"subject": "A concern was raised", "message": "Please look."})
        with LocalSMTPServer() as smtp:
            run_once()
            run_once()
        [message] = smtp.to(self.dsl.email)
        self.assertEqual(message["Subject"], "A concern was raised")
        self.assertIn("Please look.", smtp.body(message))
        self.assertIsNotNone(Email.objects.get().sent_at)

    def test_plain_text_mail_is_not_html_escaped(self) -> None:
        with transaction.atomic():
            email = queue_email(
                self.dsl, "notice", {"subject": "Book week — O'Brien's & friends", "message": "Read <this> & that."}
            )
        assert email is not None
        self.assertEqual(email.subject, "Book week — O'Brien's & friends")
        self.assertIn("Read <this> & that.", email.body)

    def test_mail_waits_while_the_server_is_down_and_goes_once_it_is_back(self) -> None:
        with transaction.atomic():
            queue_email(self.dsl, "notice", {"subject": "Urgent", "message": "Disclosure."})
        with LocalSMTPServer() as down:
            port = down.port
        # Nothing listens on the port now.
        from django.test import override_settings

        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_TIMEOUT=2,
        ):
            run_once()
        job = Job.objects.get()
        self.assertEqual(job.state, JobState.PENDING)
        self.assertIsNone(Email.objects.get().sent_at)
        with LocalSMTPServer() as smtp, time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
            run_once()
            run_once()
        self.assertEqual(len(smtp.to(self.dsl.email)), 1)
        self.assertEqual(Job.objects.get().state, JobState.DONE)

    def test_a_person_without_an_address_is_skipped_not_crashed_on(self) -> None:
        self.teacher.email = ""
        self.assertIsNone(queue_email(self.teacher, "notice", {"subject": "x", "message": "y"}))
