"""Sent mail is kept for CUSTOS_MAIL_RETENTION_DAYS, then deleted (policy 3.2: pupil and staff records are protected by
data-protection law; UK GDPR Art. 5(1)(e) storage limitation). Mail not yet sent is never deleted: none is lost."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from custos.audit.models import AuditEvent
from custos.mail.actions import purge_sent, queue_email
from custos.mail.checks import check_mail_retention
from custos.mail.models import Email
from custos.mail.tasks import mail_retention_tick
from custos.tasks import registry, schedule
from custos.tasks.models import Job, JobState
from custos.tasks.registry import enqueue
from custos.tasks.worker import run_once
from custos.test import CustosTestCase, LocalSMTPServer

NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)


class MailRetentionTests(CustosTestCase):
    def send(self, subject: str, at: dt.datetime) -> Email:
        with time_machine.travel(at, tick=False):
            with transaction.atomic():
                email = queue_email(self.dsl, "notice", {"subject": subject, "message": "Case ref and pseudonym."})
            run_once()
        assert email is not None
        email.refresh_from_db()
        self.assertIsNotNone(email.sent_at)
        return email

    def queue_only(self, subject: str, at: dt.datetime) -> Email:
        with time_machine.travel(at, tick=False), transaction.atomic():
            email = queue_email(self.dsl, "notice", {"subject": subject, "message": "Not sent yet."})
        assert email is not None
        return email

    def subjects(self) -> set[str]:
        return set(Email.objects.values_list("subject", flat=True))

    def test_32_sent_mail_older_than_the_retention_period_is_deleted_and_newer_mail_kept(self) -> None:
        self.send("Old", NOW - dt.timedelta(days=90, minutes=1))
        self.send("Recent", NOW - dt.timedelta(days=89, hours=23))
        with time_machine.travel(NOW, tick=False):
            self.assertEqual(purge_sent(), 1)
        self.assertEqual(self.subjects(), {"Recent"})
        event = AuditEvent.objects.get(action="mail.purged")
        self.assertEqual(event.actor_id, None)
        self.assertEqual((event.changes["deleted"], event.changes["days"], event.changes["clause"]), (1, 90, "3.2"))
        self.assertEqual(event.changes["sent_before"], (NOW - dt.timedelta(days=90)).isoformat())

    @override_settings(CUSTOS_MAIL_RETENTION_DAYS=7)
    def test_32_the_retention_period_comes_from_the_setting(self) -> None:
        self.send("Eight days ago", NOW - dt.timedelta(days=8))
        self.send("Six days ago", NOW - dt.timedelta(days=6))
        with time_machine.travel(NOW, tick=False):
            purge_sent()
        self.assertEqual(self.subjects(), {"Six days ago"})

    def test_32_unsent_and_failing_mail_is_never_deleted_and_still_goes_out(self) -> None:
        long_ago = NOW - dt.timedelta(days=400)
        self.queue_only("Waiting", long_ago)
        self.queue_only("Failing", long_ago)
        with LocalSMTPServer() as down:
            port = down.port
        with (
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=port,
                EMAIL_TIMEOUT=2,
            ),
            time_machine.travel(long_ago, tick=False),
        ):
            run_once()  # nothing listens: both fail and wait to be retried
        self.assertEqual(set(Job.objects.values_list("state", flat=True)), {JobState.PENDING})
        with time_machine.travel(NOW, tick=False):
            self.assertEqual(purge_sent(), 0)
        self.assertEqual(self.subjects(), {"Waiting", "Failing"})
        self.assertFalse(AuditEvent.objects.filter(action="mail.purged").exists())
        with LocalSMTPServer() as smtp, time_machine.travel(NOW, tick=False):
            run_once()
        self.assertEqual(len(smtp.to(self.dsl.email)), 2)
        with time_machine.travel(NOW + dt.timedelta(days=89), tick=False):
            self.assertEqual(purge_sent(), 0)  # kept for the full period after sending, not after queueing
        with time_machine.travel(NOW + dt.timedelta(days=90, seconds=1), tick=False):
            self.assertEqual(purge_sent(), 2)

    def test_32_the_periodic_task_is_registered_and_runs_through_the_worker(self) -> None:
        [spec] = [s for s in registry.periodic() if s.name == mail_retention_tick.task_name]
        self.assertEqual(spec.every, dt.timedelta(hours=6))
        self.send("Old", NOW - dt.timedelta(days=120))
        self.send("Recent", NOW - dt.timedelta(days=1))
        with time_machine.travel(NOW, tick=False):
            self.assertIn(mail_retention_tick.task_name, schedule.tick())
            run_once()
            self.assertNotIn(mail_retention_tick.task_name, schedule.tick())  # once per interval
            enqueue(mail_retention_tick)
            run_once()  # safe to run twice: nothing more to delete, no second event
        self.assertEqual(self.subjects(), {"Recent"})
        self.assertEqual(AuditEvent.objects.filter(action="mail.purged").count(), 1)
        job = Job.objects.filter(name=mail_retention_tick.task_name).order_by("created_at").first()
        assert job is not None
        self.assertEqual(job.state, JobState.DONE)

    def test_32_purge_mail_command_says_what_it_kept_and_deleted(self) -> None:
        self.send("Old", NOW - dt.timedelta(days=91))
        out = io.StringIO()
        with time_machine.travel(NOW, tick=False):
            call_command("purge_mail", stdout=out)
        cutoff = timezone.localtime(NOW - dt.timedelta(days=90))
        self.assertIn(f"Sent mail is kept 90 days. Deleted 1 sent before {cutoff:%d/%m/%Y %H:%M}.", out.getvalue())
        self.assertFalse(Email.objects.exists())

    def test_32_a_retention_setting_below_one_day_fails_the_system_check_and_deletes_nothing(self) -> None:
        self.send("Old", NOW - dt.timedelta(days=91))
        for bad in (0, -5, "90"):
            with override_settings(CUSTOS_MAIL_RETENTION_DAYS=bad):
                [error] = check_mail_retention()
                self.assertEqual(error.id, "custos_mail.E001")
                self.assertIn("CUSTOS_MAIL_RETENTION_DAYS must be a whole number of days, at least 1", error.msg)
                with self.assertRaises(ImproperlyConfigured):
                    purge_sent()
        self.assertEqual(self.subjects(), {"Old"})
        self.assertEqual(check_mail_retention(), [])
