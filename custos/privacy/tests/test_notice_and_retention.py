"""The privacy notice (UK GDPR Art. 13/14) and the retention overview: what is deleted when (Art. 5(1)(e))."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import override_settings

from custos.privacy.queries import retention_rows
from custos.test import CustosTestCase


class NoticeTests(CustosTestCase):
    def test_art13_the_privacy_notice_names_lawful_bases_and_rights_for_everyone_signed_in(self) -> None:
        for person in (self.pupil, self.external):
            self.assertEqual(self.client_for(person).get("/privacy/").status_code, 200)
        response = self.client_for(self.teacher).get("/privacy/")
        self.assertEqual(response.status_code, 200)
        for words in (
            "Public task",
            "Legal obligation",
            "Legitimate interests",
            "Data Protection Impact Assessment",
            "Information Commissioner",
            "one month",
            "Sch. 3 Part 3 para. 7",
        ):
            self.assertContains(response, words)

    def test_art13_signed_in_people_reach_the_notice_and_their_details_from_the_menu(self) -> None:
        for person in (self.teacher, self.pupil, self.external):
            html = self.client_for(person).get("/privacy/my-details/").content.decode()
            self.assertIn('href="/privacy/"', html)
            self.assertIn(person.email, html)


class RetentionTests(CustosTestCase):
    @override_settings(CUSTOS_MONITORING_RETENTION_DAYS=90)
    def test_81_retention_overview_reads_the_monitoring_setting_and_case_rules(self) -> None:
        response = self.client_for(self.ict_manager).get("/privacy/retention/")  # settings named for the ICT Manager
        self.assertContains(response, "90 days (CUSTOS_MONITORING_RETENTION_DAYS)")
        cutoff = self.today() - dt.timedelta(days=89)  # the first day kept; the 90th day back is deleted
        self.assertContains(response, f"{cutoff:%d %B %Y}")
        self.assertContains(response, "child&#x27;s date of birth plus 25 years")
        self.assertContains(response, "Case: Allegation against a member of staff")

    @override_settings(CUSTOS_MAIL_RETENTION_DAYS=45, CUSTOS_SAR_ARCHIVE_DAYS=14)
    @time_machine.travel(dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC), tick=False)
    def test_32_retention_overview_states_the_mail_and_archive_rules_with_their_date_boundaries(self) -> None:
        response = self.client_for(self.ict_manager).get("/privacy/retention/")
        self.assertContains(response, "45 days after sending (CUSTOS_MAIL_RETENTION_DAYS)")
        self.assertContains(response, "mail not yet sent is kept until it is sent")
        self.assertContains(response, "Mail sent before 26 April 2026, 13:00 is deleted at the next run")
        self.assertContains(response, "mail_retention_tick every six hours; manage.py purge_mail")
        self.assertContains(response, "14 days after the archive is gathered (CUSTOS_SAR_ARCHIVE_DAYS)")
        self.assertContains(response, "the request record (who, when, what was gathered and withheld")
        self.assertContains(response, "Archives gathered before 27 May 2026, 13:00 are deleted at the next run")
        self.assertContains(response, "sar_archive_tick every hour; manage.py purge_sar_archives")
        rows = {row.kind: row for row in retention_rows()}
        for kind in ("Emails sent by Custos (subject, text, address)", "Subject access archives (.zip)"):
            self.assertEqual(rows[kind].clause, "3.2")
            self.assertNotIn("No automatic deletion", rows[kind].deleted_when)

    def test_81_retention_overview_is_for_staff(self) -> None:
        self.assertEqual(self.client_for(self.pupil).get("/privacy/retention/").status_code, 403)
        self.assertEqual(self.client_for(self.external).get("/privacy/retention/").status_code, 403)
        self.assertEqual(self.client_for(None).get("/privacy/retention/").status_code, 302)


class PublicNoticeTests(CustosTestCase):
    def test_art13_the_privacy_notice_is_readable_before_signing_in_and_linked_from_every_page(self) -> None:
        self.assertContains(self.client_for(None).get("/privacy/"), "Privacy")
        self.assertContains(self.client_for(None).get("/account/login/"), 'href="/privacy/"')
