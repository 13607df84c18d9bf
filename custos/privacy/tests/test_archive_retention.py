"""A subject access archive (a copy of everything held about a person, often a child) is deleted
CUSTOS_SAR_ARCHIVE_DAYS after it was gathered (policy 3.2; UK GDPR Art. 5(1)(e) storage limitation). The request
record stays, so it is still accountable who asked, when, and what was released."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from custos.audit.models import AuditEvent
from custos.privacy import actions
from custos.privacy.checks import check_sar_archive_retention
from custos.privacy.models import SAR_TRANSITIONS, SarState, SubjectAccessRequest
from custos.privacy.queries import get_sar_for
from custos.privacy.tasks import sar_archive_tick
from custos.privacy.tests.test_subject_access import SarTestCase
from custos.tasks import registry
from custos.tasks.registry import enqueue
from custos.tasks.worker import run_once

GATHERED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


class ArchiveRetentionTests(SarTestCase):
    def gathered(self, person: str | None = None) -> SubjectAccessRequest:
        with time_machine.travel(GATHERED, tick=False):
            self.run_sar(self.head, person or self.teacher.email)
            sar = self.ready()
        self.assertEqual(sar.generated_at, GATHERED)
        return sar

    def test_32_an_archive_is_kept_until_its_set_time_and_the_page_says_when_it_goes(self) -> None:
        sar = self.gathered()
        with time_machine.travel(GATHERED + 30 * DAY - dt.timedelta(minutes=1), tick=False):
            self.assertEqual(actions.expire_archives(), 0)
            page = self.client_for(self.head).get(f"/privacy/requests/{sar.pk}/")
        self.assertContains(page, "Download the archive (.zip)")
        self.assertContains(page, f"download it before {timezone.localtime(GATHERED + 30 * DAY):%-d %B %Y, %H:%M}")
        sar.refresh_from_db()
        self.assertEqual(sar.state, SarState.READY)
        self.assertTrue(sar.archive)

    def test_32_the_archive_is_deleted_after_the_set_days_and_the_request_record_kept(self) -> None:
        sar = self.gathered()
        with time_machine.travel(GATHERED, tick=False):
            self.archive(sar).close()  # released once
        sar.refresh_from_db()
        kept = (sar.archive_sha256, sar.archive_size, sar.sections, sar.withheld, sar.downloads, sar.received_on)
        later = GATHERED + 30 * DAY + dt.timedelta(minutes=1)
        with time_machine.travel(later, tick=False):
            enqueue(sar_archive_tick)
            run_once()
            enqueue(sar_archive_tick)
            run_once()  # safe to run twice
        sar.refresh_from_db()
        self.assertEqual(sar.state, SarState.EXPIRED)
        self.assertIsNone(sar.archive)
        self.assertEqual(sar.archive_deleted_at, later)
        self.assertEqual(
            (sar.archive_sha256, sar.archive_size, sar.sections, sar.withheld, sar.downloads, sar.received_on), kept
        )
        self.assertEqual((sar.requested_by, sar.subject_user), (self.head, self.teacher))
        [event] = AuditEvent.objects.filter(action="privacy.sar_archive_deleted")
        self.assertEqual(
            (event.object_type, event.object_id, event.actor_id), (sar._meta.label_lower, str(sar.pk), None)
        )
        self.assertEqual(event.school_id, self.school.pk)
        self.assertEqual(
            (event.changes["clause"], event.changes["days"], event.changes["sha256"], event.changes["downloads"]),
            ("3.2", 30, sar.archive_sha256, 1),
        )

    @override_settings(CUSTOS_SAR_ARCHIVE_DAYS=7)
    def test_32_the_set_days_come_from_the_setting(self) -> None:
        sar = self.gathered()
        with time_machine.travel(GATHERED + 6 * DAY, tick=False):
            self.assertEqual(actions.expire_archives(), 0)
        with time_machine.travel(GATHERED + 7 * DAY + dt.timedelta(seconds=1), tick=False):
            self.assertEqual(actions.expire_archives(), 1)
        sar.refresh_from_db()
        self.assertEqual(sar.state, SarState.EXPIRED)

    def test_32_the_page_of_an_expired_request_says_so_plainly_and_how_to_ask_again(self) -> None:
        sar = self.gathered()
        with time_machine.travel(GATHERED + 31 * DAY, tick=False):
            actions.expire_archives()
            client = self.client_for(self.head)
            page = client.get(f"/privacy/requests/{sar.pk}/")
            self.assertEqual(page.status_code, 200)
            self.assertContains(page, "The archive has expired")
            self.assertContains(
                page, f"deleted on {timezone.localtime(GATHERED + 31 * DAY):%-d %B %Y}. Archives are kept 30"
            )
            self.assertContains(page, 'href="/privacy/requests/">start a new request</a>')
            self.assertContains(page, sar.archive_sha256)
            self.assertNotContains(page, "Download the archive (.zip)")
            self.assertContains(client.get("/privacy/requests/"), "Expired: archive deleted")
            response = client.post(f"/privacy/requests/{sar.pk}/download/", follow=True)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.redirect_chain, [(f"/privacy/requests/{sar.pk}/", 302)])
            self.assertContains(response, "The archive was deleted on")
            self.assertContains(response, "If the person asks again, start a new request.")
            self.assertNotContains(client.get("/"), f"Subject access request #{sar.pk} is ready")
        self.assertFalse(AuditEvent.objects.filter(action="privacy.sar_downloaded").exists())

    def test_32_a_download_racing_the_deletion_is_refused_plainly_not_served_empty(self) -> None:
        sar = self.gathered()
        with time_machine.travel(GATHERED + 31 * DAY, tick=False):
            loaded = get_sar_for(self.head, sar.pk, with_archive=True)  # what the download view holds
            self.assertTrue(loaded.archive)
            actions.expire_archives()  # the worker commits first
            with self.assertRaisesMessage(actions.PrivacyError, "The archive was deleted on"):
                actions.record_download(loaded, by=self.head)
        self.assertFalse(AuditEvent.objects.filter(action="privacy.sar_downloaded").exists())

    def test_32_only_ready_archives_expire_and_an_expired_request_goes_nowhere_else(self) -> None:
        self.assertEqual(SAR_TRANSITIONS[SarState.READY], frozenset({SarState.EXPIRED}))
        self.assertEqual(SAR_TRANSITIONS[SarState.EXPIRED], frozenset())
        with time_machine.travel(GATHERED, tick=False):
            self.run_sar(self.head, self.teacher.email)  # still being gathered: nothing to delete
        waiting = SubjectAccessRequest.objects.get()
        with time_machine.travel(GATHERED + 60 * DAY, tick=False):
            self.assertEqual(actions.expire_archives(), 0)
        waiting.refresh_from_db()
        self.assertEqual(waiting.state, SarState.REQUESTED)

    def test_32_the_periodic_task_is_registered_hourly(self) -> None:
        [spec] = [s for s in registry.periodic() if s.name == sar_archive_tick.task_name]
        self.assertEqual(spec.every, dt.timedelta(hours=1))

    def test_32_purge_sar_archives_command_says_what_it_deleted(self) -> None:
        self.gathered()
        out = io.StringIO()
        now = GATHERED + 31 * DAY
        with time_machine.travel(now, tick=False):
            call_command("purge_sar_archives", stdout=out)
        cutoff = timezone.localtime(now - 30 * DAY)
        self.assertIn(
            f"Archives are kept 30 days. Deleted 1 gathered before {cutoff:%d/%m/%Y %H:%M}; the requests are kept.",
            out.getvalue(),
        )
        self.assertEqual(SubjectAccessRequest.objects.get().state, SarState.EXPIRED)

    def test_32_outsiders_still_get_404_for_an_expired_request(self) -> None:
        sar = self.gathered()
        with time_machine.travel(GATHERED + 31 * DAY, tick=False):
            actions.expire_archives()
            for person in (self.exec_head, self.hr, self.teacher, self.outsider, self.pupil):
                client = self.client_for(person)
                self.assertEqual(client.get(f"/privacy/requests/{sar.pk}/").status_code, 404, person)
                self.assertEqual(client.post(f"/privacy/requests/{sar.pk}/download/").status_code, 404, person)
            self.assertEqual(self.client_for(None).get(f"/privacy/requests/{sar.pk}/").status_code, 302)

    def test_32_a_set_time_below_one_day_fails_the_system_check_and_deletes_nothing(self) -> None:
        sar = self.gathered()
        with time_machine.travel(GATHERED + 31 * DAY, tick=False):
            for bad in (0, -1, "30"):
                with override_settings(CUSTOS_SAR_ARCHIVE_DAYS=bad):
                    [error] = check_sar_archive_retention()
                    self.assertEqual(error.id, "privacy.E001")
                    with self.assertRaises(ImproperlyConfigured):
                        actions.expire_archives()
        sar.refresh_from_db()
        self.assertEqual(sar.state, SarState.READY)
        self.assertEqual(check_sar_archive_retention(), [])
