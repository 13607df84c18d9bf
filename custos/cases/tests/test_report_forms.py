"""The staff report forms (A.2.3, 6.6, A.3.7, 9.3): short, clear, and they open the right case."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from custos.cases.models import Case
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import CaseType


class ReportFormTests(CasesTestCase):
    def test_a23_report_a_concern_opens_the_chosen_case_type_and_shows_a_receipt(self) -> None:
        client = self.client_for(self.teacher)
        self.assertContains(client.get("/cases/report/concern/"), "call 999")
        response = client.post(
            "/cases/report/concern/",
            {
                "concern_type": "illegal_content",
                "summary": "Racist comment on the sports page",
                "pupil": self.pupil_record.pk,
            },
        )
        case = Case.objects.get()
        self.assertRedirects(response, f"/cases/my-reports/{case.reference}/")
        self.assertEqual((case.case_type, case.reported_by), (CaseType.ILLEGAL_CONTENT, self.teacher))
        self.assertEqual(list(case.linked_pupils.all()), [self.pupil_record])

    def test_66_friend_request_form_requires_the_pupil_and_that_it_was_declined(self) -> None:
        client = self.client_for(self.teacher)
        response = client.post("/cases/report/friend-request/", {"summary": "On Instagram", "platform": "Instagram"})
        self.assertContains(response, "Decline the pupil&#x27;s friend request first", status_code=200)
        self.assertContains(response, "There is a problem")
        self.assertFalse(Case.objects.exists())
        client.post(
            "/cases/report/friend-request/",
            {"summary": "On Instagram", "platform": "Instagram", "declined": "on", "pupil": self.pupil_record.pk},
        )
        case = Case.objects.get()
        self.assertEqual(case.case_type, CaseType.FRIEND_REQUEST)
        self.assertEqual(case.details["Which app or site?"], "Instagram")

    def test_66_friend_request_form_asks_which_pupil_first_and_anything_else_last_and_optional(self) -> None:
        client = self.client_for(self.teacher)
        page = client.get("/cases/report/friend-request/").content.decode()
        self.assertLess(page.index("Which pupil?"), page.index("Anything else we should know"))
        self.assertLess(page.index("I have declined the friend request"), page.index("Anything else we should know"))
        client.post(
            "/cases/report/friend-request/", {"platform": "Instagram", "declined": "on", "pupil": self.pupil_record.pk}
        )
        case = Case.objects.get()
        self.assertEqual(case.case_type, CaseType.FRIEND_REQUEST)
        self.assertIn("friend request", case.summary)

    def test_a37_media_enquiry_form_reminds_staff_not_to_reply(self) -> None:
        client = self.client_for(self.teacher)
        self.assertContains(client.get("/cases/report/media-enquiry/"), "Do not reply to the journalist yourself")
        response = client.post(
            "/cases/report/media-enquiry/", {"outlet": "The Echo", "summary": "Asked about the trip"}, follow=True
        )
        self.assertContains(response, "Do not reply to the journalist or outlet yourself")
        self.assertEqual(Case.objects.get().case_type, CaseType.MEDIA_ENQUIRY)

    def test_93_a_contractor_reports_a_breach_with_evidence_kept_exactly(self) -> None:
        self.client_for(self.contractor).post(
            "/cases/report/breach/",
            {
                "summary": "A colleague posted a pupil's photo",
                "evidence": SimpleUploadedFile("post.txt", b"exact bytes"),
            },
        )
        case = Case.objects.get()
        self.assertEqual((case.case_type, case.reporter_label), (CaseType.BREACH, "Contractor Persona"))
        self.assertEqual(case.evidence.get().stored_bytes(), b"exact bytes")

    def test_pupils_and_external_members_cannot_use_the_staff_forms(self) -> None:
        for person in (self.pupil, self.external):
            with self.subTest(person=person.username):
                self.assertEqual(self.client_for(person).get("/cases/report/concern/").status_code, 403)
                self.assertEqual(self.client_for(person).get("/cases/report/").status_code, 403)

    def test_a_staff_member_without_a_school_chooses_one(self) -> None:
        response = self.client_for(self.exec_head).get("/cases/report/breach/")
        self.assertContains(response, "Which school?")

    def test_unknown_form_is_a_404(self) -> None:
        self.assertEqual(self.client_for(self.teacher).get("/cases/report/gossip/").status_code, 404)


class OutsiderTests(CasesTestCase):
    """Every view: an outsider (a teacher at another school) gets 403 or 404 and learns nothing."""

    def test_an_outsider_gets_403_or_404_from_every_case_view(self) -> None:
        case = self.open(CaseType.BREACH, evidence_text="words")
        evidence = case.evidence.get()
        client = self.client_for(self.outsider)
        for method, url in [
            ("get", "/cases/"),
            ("get", "/cases/retention/"),
            ("get", "/cases/targets/"),
            ("get", f"/cases/{case.reference}/"),
            ("post", f"/cases/{case.reference}/"),
            ("get", f"/cases/{case.reference}/delete/"),
            ("get", f"/cases/{case.reference}/evidence/{evidence.pk}/"),
            ("get", f"/cases/{case.reference}/evidence/{evidence.pk}/quarantined/"),
            ("get", f"/cases/my-reports/{case.reference}/"),
            ("post", "/cases/escalations/1/seen/"),
            *[
                ("post", f"/cases/{case.reference}/{a}/")
                for a in ("acknowledge", "entry", "referral", "assign", "link", "evidence", "close", "reopen")
            ],
        ]:
            with self.subTest(url=url, method=method):
                response = getattr(client, method)(url, {"reason": "curious"})
                self.assertIn(response.status_code, (403, 404))
                self.assertNotIn(case.summary, response.content.decode())

    def test_signed_out_visitors_are_sent_to_sign_in(self) -> None:
        response = self.client_for(None).get("/cases/")
        self.assertEqual(response.status_code, 302)


class QueryCountTests(CasesTestCase):
    """List pages: a fixed number of case queries however many cases there are (the rest is the page chrome that
    other apps' nav items add, pinned by staying equal as the list grows)."""

    def queries(self, client, url: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(client.get(url).status_code, 200)
        own = [q for q in captured.captured_queries if '"cases_' in q["sql"]]
        return len(captured.captured_queries), len(own)

    def test_dashboard_query_count_does_not_grow_with_the_number_of_cases(self) -> None:
        for _ in range(3):
            self.open(CaseType.SAFEGUARDING)
        client = self.client_for(self.dsl)
        client.get("/cases/")
        total, own = self.queries(client, "/cases/")
        self.assertEqual(own, 3)  # count, escalations, the page of cases
        for _ in range(10):
            self.open(CaseType.SAFEGUARDING)
        with self.assertNumQueries(total):
            client.get("/cases/")

    def test_my_reports_query_count_is_pinned(self) -> None:
        for _ in range(3):
            self.open(CaseType.MEDIA_ENQUIRY)
        client = self.client_for(self.teacher)
        client.get("/cases/my-reports/")
        total, own = self.queries(client, "/cases/my-reports/")
        self.assertEqual(own, 2)  # count, the page of reports
        for _ in range(10):
            self.open(CaseType.MEDIA_ENQUIRY)
        with self.assertNumQueries(total):
            client.get("/cases/my-reports/")
