"""The privacy notice (UK GDPR Art. 13/14) and the retention overview: what is deleted when (Art. 5(1)(e))."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings

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
        response = self.client_for(self.teacher).get("/privacy/retention/")
        self.assertContains(response, "90 days (CUSTOS_MONITORING_RETENTION_DAYS)")
        cutoff = self.today() - dt.timedelta(days=90)
        self.assertContains(response, f"{cutoff:%d %B %Y}")
        self.assertContains(response, "child&#x27;s date of birth plus 25 years")
        self.assertContains(response, "Case: Allegation against a member of staff")

    def test_81_retention_overview_is_for_staff(self) -> None:
        self.assertEqual(self.client_for(self.pupil).get("/privacy/retention/").status_code, 403)
        self.assertEqual(self.client_for(self.external).get("/privacy/retention/").status_code, 403)
        self.assertEqual(self.client_for(None).get("/privacy/retention/").status_code, 302)


class PublicNoticeTests(CustosTestCase):
    def test_art13_the_privacy_notice_is_readable_before_signing_in_and_linked_from_every_page(self) -> None:
        self.assertContains(self.client_for(None).get("/privacy/"), "Privacy")
        self.assertContains(self.client_for(None).get("/account/login/"), 'href="/privacy/"')
