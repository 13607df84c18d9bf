"""Subject access (UK GDPR Art. 15): everything held about a person, safeguarding records withheld with the reason
(DPA 2018 Sch. 3 Part 3 para. 7), as an archive only the person who ran the request downloads; all audited."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from custos.accounts.models import Absence
from custos.audit.models import AuditEvent
from custos.cases.actions import open_case
from custos.community.images import clean_image
from custos.community.tests.base import SpaceTestCase
from custos.community.tests.test_names import picture
from custos.mail.models import Email
from custos.privacy import actions
from custos.privacy.models import SarState, SubjectAccessRequest
from custos.tasks.worker import run_once


class SarTestCase(SpaceTestCase):
    def run_sar(self, by, person: str, client=None):  # type: ignore[no-untyped-def]
        client = client or self.client_for(by)
        response = client.post(
            "/privacy/requests/", {"person": person, "received_on": timezone.localdate().isoformat()}
        )
        return response

    def archive(self, sar: SubjectAccessRequest) -> zipfile.ZipFile:
        response = self.client_for(sar.requested_by).post(f"/privacy/requests/{sar.pk}/download/")
        self.assertEqual(response.status_code, 200)
        return zipfile.ZipFile(
            io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
        )

    def ready(self) -> SubjectAccessRequest:
        while run_once():
            pass
        sar = SubjectAccessRequest.objects.latest("pk")
        self.assertEqual(sar.state, SarState.READY)
        return sar


class PupilExportTests(SarTestCase):
    def test_art15_a_pupils_archive_holds_their_record_posts_and_images_and_withholds_safeguarding(self) -> None:
        self.post(self.pupil, "My <script>alert(1)</script> volcano", image=clean_image(picture()), alt_text="Volcano")
        open_case(
            case_type="safeguarding",
            school=self.school,
            reported_by=self.teacher,
            summary="Confidential worry about Jamie at home",
            source="report_form",
            linked_pupils=(self.pupil_record,),
        )
        response = self.run_sar(self.head, self.pupil_record.upn)
        self.assertEqual(response.status_code, 302)
        sar = self.ready()
        with self.archive(sar) as archive:
            names = archive.namelist()
            self.assertIn("data.json", names)
            self.assertIn("report.html", names)
            self.assertTrue(any(n.startswith("files/community/contribution-") for n in names), names)
            everything = b"".join(archive.read(n) for n in names)
            data = json.loads(archive.read("data.json"))
            report = archive.read("report.html").decode()
        self.assertNotIn(b"Confidential worry", everything)
        sections = {s["key"]: s["records"] for s in data["sections"]}
        self.assertEqual(sections["pupil"][0]["legal_first_name"], "Jameson")
        self.assertIn("My <script>alert(1)</script> volcano", [r.get("text") for r in sections["community"]])
        self.assertEqual(len(data["withheld"]), 1)
        self.assertIn("DPA 2018 Sch. 3 Part 3 para. 7", data["withheld"][0]["reason"])
        self.assertIn("A safeguarding record is held.", data["withheld"][0]["what"])
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", report)
        self.assertNotIn("<script>alert", report)

    def test_art15_a_pupil_found_by_their_account_gets_their_roster_record_too(self) -> None:
        self.assertEqual(self.run_sar(self.head, self.pupil.username).status_code, 302)
        sar = self.ready()
        with self.archive(sar) as archive:
            data = json.loads(archive.read("data.json"))
        sections = {s["key"]: s["records"] for s in data["sections"]}
        self.assertEqual(sections["pupil"][0]["upn"], self.pupil_record.upn)
        self.assertEqual(sections["account"][0]["username"], "pupil")

    def test_art15_the_dsl_is_told_when_safeguarding_records_were_withheld(self) -> None:
        open_case(
            case_type="safeguarding",
            school=self.school,
            reported_by=self.teacher,
            summary="x",
            source="report_form",
            linked_pupils=(self.pupil_record,),
        )
        self.run_sar(self.head, self.pupil_record.upn)
        sar = self.ready()
        mail = Email.objects.filter(recipient=self.dsl, subject__contains="subject access request").get()
        self.assertIn(f"#{sar.pk}", mail.body)
        self.assertNotIn("x\n", mail.body.split("\n\n")[0])

    def test_art15_generation_runs_once_whatever_the_task_does(self) -> None:
        self.run_sar(self.head, self.pupil_record.upn)
        sar = self.ready()
        self.assertFalse(actions.generate(sar.pk))
        self.assertEqual(AuditEvent.objects.filter(action="privacy.sar_generated").count(), 1)


class StaffExportTests(SarTestCase):
    def test_art15_hr_exports_a_staff_member_with_roles_absences_audit_emails_and_cases(self) -> None:
        Absence.objects.create(user=self.moderator, starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 1, 9))
        breach = open_case(
            case_type="breach",
            school=self.school,
            reported_by=self.teacher,
            summary="Posted a pupil photo",
            source="report_form",
            linked_users=(self.moderator,),
        )
        open_case(
            case_type="allegation",
            school=self.school,
            reported_by=self.teacher,
            summary="Allegation text",
            source="report_form",
            linked_users=(self.moderator,),
        )
        self.run_sar(self.hr, self.moderator.email)
        sar = self.ready()
        with self.archive(sar) as archive:
            data = json.loads(archive.read("data.json"))
            blob = b"".join(archive.read(n) for n in archive.namelist())
        sections = {s["key"]: s["records"] for s in data["sections"]}
        self.assertEqual(sections["account"][0]["email"], "moderator@example.org")
        self.assertEqual(sections["absences"][0]["from"], "2026-01-05")
        self.assertIn(breach.reference, [r.get("case") for r in sections["cases"]])
        self.assertNotIn(b"Posted a pupil photo", blob)
        self.assertNotIn(b"Allegation text", blob)
        reasons = [w["reason"] for w in data["withheld"]]
        self.assertTrue(any("Sch. 3 Part 3 para. 7" in r for r in reasons))
        self.assertTrue(any("Sch. 2 Part 3 para. 16" in r for r in reasons))
        self.assertEqual(set(sections) >= {"declarations", "acknowledgements", "monitoring", "audit", "emails"}, True)

    def test_art15_running_and_downloading_are_audited_and_served_as_an_attachment(self) -> None:
        self.run_sar(self.head, self.teacher.email)
        sar = self.ready()
        response = self.client_for(self.head).post(f"/privacy/requests/{sar.pk}/download/")
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertEqual(response["Content-Disposition"], f'attachment; filename="subject-access-{sar.pk}.zip"')
        actions_logged = list(
            AuditEvent.objects.filter(object_type="privacy.subjectaccessrequest", object_id=str(sar.pk))
            .order_by("seq")
            .values_list("action", "actor_id")
        )
        self.assertEqual(
            actions_logged,
            [
                ("privacy.sar_requested", self.head.pk),
                ("privacy.sar_generated", None),
                ("privacy.sar_downloaded", self.head.pk),
            ],
        )


class WhoMayRunTests(SarTestCase):
    def test_art15_only_heads_executive_head_and_hr_for_staff_may_run_requests(self) -> None:
        for person in (self.teacher, self.pupil, self.external, self.dsl, self.ict_manager):
            self.assertEqual(self.client_for(person).get("/privacy/requests/").status_code, 403, person)
        response = self.run_sar(self.hr, self.pupil_record.upn)
        self.assertContains(response, "Nobody you may run a request for", status_code=400)
        response = self.run_sar(self.head, self.outsider.email)
        self.assertContains(response, "Nobody you may run a request for", status_code=400)
        response = self.run_sar(self.head, self.head.email)
        self.assertContains(response, "Nobody you may run a request for", status_code=400)
        self.assertEqual(SubjectAccessRequest.objects.count(), 0)

    def test_art15_the_executive_head_runs_requests_for_external_members(self) -> None:
        self.assertEqual(self.run_sar(self.exec_head, self.external.email).status_code, 302)
        self.assertContains(self.run_sar(self.head, self.external.email), "Nobody you may", status_code=400)

    def test_art15_a_future_received_date_is_refused_and_changes_nothing(self) -> None:
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        response = self.client_for(self.head).post(
            "/privacy/requests/", {"person": self.teacher.email, "received_on": tomorrow}
        )
        self.assertContains(response, "cannot be in the future", status_code=400)
        self.assertEqual(SubjectAccessRequest.objects.count(), 0)

    def test_art15_only_the_person_who_ran_it_opens_or_downloads_it(self) -> None:
        self.run_sar(self.head, self.teacher.email)
        sar = self.ready()
        for person in (self.exec_head, self.hr, self.teacher, self.outsider):
            client = self.client_for(person)
            self.assertEqual(client.get(f"/privacy/requests/{sar.pk}/").status_code, 404, person)
            self.assertEqual(client.post(f"/privacy/requests/{sar.pk}/download/").status_code, 404, person)
        self.assertFalse(AuditEvent.objects.filter(action="privacy.sar_downloaded").exists())

    def test_art15_a_ready_archive_waits_for_the_person_who_ran_it_with_the_one_month_limit(self) -> None:
        self.run_sar(self.head, self.teacher.email)
        sar = self.ready()
        home = self.client_for(self.head).get("/")
        self.assertContains(home, f"Subject access request #{sar.pk} is ready")
        self.assertEqual(sar.due_on, _one_month(sar.received_on))

    def test_art15_the_one_month_limit_ends_on_the_last_day_of_a_short_month(self) -> None:
        sar = SubjectAccessRequest(received_on=dt.date(2026, 1, 31))
        self.assertEqual(sar.due_on, dt.date(2026, 2, 28))
        self.assertEqual(SubjectAccessRequest(received_on=dt.date(2026, 12, 15)).due_on, dt.date(2027, 1, 15))

    def test_art15_the_requests_list_has_a_fixed_query_count(self) -> None:
        client = self.client_for(self.head)
        self.run_sar(self.head, self.teacher.email, client)
        with CaptureQueriesContext(connection) as before:
            client.get("/privacy/requests/")
        expected = len(before)
        for _ in range(3):
            self.run_sar(self.head, self.moderator.email, client)
        with self.assertNumQueries(expected):
            client.get("/privacy/requests/")


def _one_month(day: dt.date) -> dt.date:
    return (
        dt.date(day.year + day.month // 12, day.month % 12 + 1, min(day.day, 28))
        if day.day > 28
        else dt.date(day.year + day.month // 12, day.month % 12 + 1, day.day)
    )
