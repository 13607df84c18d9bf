"""Sections 5 and 6: every member of staff reads the version in force and confirms it; HR and Heads see who has."""

from __future__ import annotations

import csv
import io

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from custos.audit.models import AuditEvent
from custos.mail.models import Email
from custos.policy.actions import DEFAULT_POLICY, PolicyActionError, acknowledge, import_policy
from custos.policy.models import Acknowledgement
from custos.test import CustosTestCase, make_user

POLICY = DEFAULT_POLICY.read_text(encoding="utf-8")
REVISED = POLICY.replace(
    "Staff members must decline ‘friend requests’", "Staff members must promptly decline ‘friend requests’"
)


class AcknowledgementGatingTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.version, _ = import_policy(POLICY, label="2026.1", by=None)

    def test_s5_a_new_starter_is_sent_to_read_the_policy_on_first_sign_in(self) -> None:
        starter = make_user("starter", school=self.school)
        response = self.client_for(starter).get("/")
        self.assertRedirects(response, "/policy/acknowledge/?next=/", fetch_redirect_response=False)

    def test_s5_contractors_are_staff_members_too_and_are_asked(self) -> None:
        response = self.client_for(self.contractor).get(f"/account/schools/{self.school.pk}/pupils/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/policy/acknowledge/"))

    def test_s5_pupils_and_external_members_are_not_asked(self) -> None:
        self.assertEqual(self.client_for(self.pupil).get("/").status_code, 200)
        self.assertEqual(self.client_for(self.external).get("/").status_code, 200)

    def test_s5_pupils_and_external_members_cannot_open_the_acknowledgement_page(self) -> None:
        self.assertEqual(self.client_for(self.pupil).get("/policy/acknowledge/").status_code, 403)
        response = self.client_for(self.external).post("/policy/acknowledge/", {"confirm": "on", "version": 1})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Acknowledgement.objects.exists())

    def test_s5_the_policy_itself_signing_out_and_static_files_stay_open(self) -> None:
        client = self.client_for(self.teacher)
        for url in ("/policy/", "/policy/clause/6.1/", "/policy/versions/2026.1/", "/policy/acknowledge/"):
            with self.subTest(url=url):
                self.assertEqual(client.get(url).status_code, 200)
        self.assertEqual(client.get("/static/custos/custos.css").status_code, 200)
        self.assertEqual(client.post("/account/logout/").status_code, 302)

    def test_a23_a_new_starter_can_report_a_concern_before_confirming_the_policy(self) -> None:
        starter = make_user("starter", school=self.school)
        client = self.client_for(starter)
        self.assertEqual(client.get("/cases/report/").status_code, 200)
        self.assertEqual(client.get("/cases/report/concern/").status_code, 200)
        self.assertEqual(client.get("/staff/declarations/").status_code, 302)  # everything else still waits

    def test_a23_the_dsl_keeps_working_cases_while_a_new_version_waits_to_be_confirmed(self) -> None:
        acknowledge(self.dsl, self.version)
        import_policy(REVISED, label="2027.1", by=None)
        client = self.client_for(self.dsl)
        self.assertEqual(client.get("/").status_code, 302)
        self.assertEqual(client.get("/cases/").status_code, 200)

    def test_s5_confirming_records_who_which_version_and_when_then_lets_them_through(self) -> None:
        client = self.client_for(self.teacher)
        with time_machine.travel("2026-09-01 08:30:00+01:00", tick=False):
            response = client.post(
                "/policy/acknowledge/", {"confirm": "on", "version": self.version.pk, "next": "/account/password/"}
            )
        self.assertRedirects(response, "/account/password/", fetch_redirect_response=False)
        ack = Acknowledgement.objects.get(user=self.teacher)
        self.assertEqual((ack.version, ack.acknowledged_at.isoformat()), (self.version, "2026-09-01T07:30:00+00:00"))
        self.assertTrue(AuditEvent.objects.filter(action="policy.acknowledged", actor=self.teacher).exists())
        self.assertEqual(client.get("/").status_code, 200)
        self.assertContains(
            client.get("/policy/acknowledge/"), "You confirmed you have read version 2026.1 on 1 September 2026"
        )

    def test_s5_without_the_tick_nothing_is_recorded_and_the_reason_is_given(self) -> None:
        response = self.client_for(self.teacher).post("/policy/acknowledge/", {"version": self.version.pk})
        self.assertContains(response, "Tick the box to confirm you have read the policy")
        self.assertFalse(Acknowledgement.objects.exists())

    def test_s5_an_offsite_next_link_is_not_followed(self) -> None:
        response = self.client_for(self.teacher).post(
            "/policy/acknowledge/", {"confirm": "on", "version": self.version.pk, "next": "https://evil.example/"}
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_s5_confirming_twice_keeps_one_record(self) -> None:
        acknowledge(self.teacher, self.version)
        acknowledge(self.teacher, self.version)
        self.assertEqual(Acknowledgement.objects.filter(user=self.teacher).count(), 1)

    def test_s5_pupils_cannot_acknowledge_a_staff_policy(self) -> None:
        with self.assertRaisesMessage(PolicyActionError, "2.1"):
            acknowledge(self.pupil, self.version)

    def test_s5_a_new_version_asks_everyone_again_and_shows_what_changed(self) -> None:
        acknowledge(self.teacher, self.version)
        new, _ = import_policy(REVISED, label="2027.1", by=None)
        client = self.client_for(self.teacher)
        self.assertEqual(client.get("/").status_code, 302)
        page = client.get("/policy/acknowledge/")
        self.assertContains(page, 'href="/policy/versions/2026.1/changes/2027.1/"')
        # An old version's confirmation cannot be replayed for the new one.
        stale = client.post("/policy/acknowledge/", {"confirm": "on", "version": self.version.pk})
        self.assertContains(stale, "A new version (2027.1) came into force")
        with self.assertRaisesMessage(PolicyActionError, "no longer the policy in force"):
            acknowledge(self.teacher, self.version)
        acknowledge(self.teacher, new)
        self.assertEqual(client.get("/").status_code, 200)
        # The earlier confirmation still points at the version it was made under.
        self.assertEqual(
            sorted(Acknowledgement.objects.filter(user=self.teacher).values_list("version__label", flat=True)),
            ["2026.1", "2027.1"],
        )

    def test_s5_waiting_for_me_lists_the_policy_to_confirm(self) -> None:
        from custos.core.waiting import waiting_for

        self.assertIn(
            "Read and confirm the Social Media Policy, version 2026.1", [i.title for i in waiting_for(self.teacher)]
        )
        acknowledge(self.teacher, self.version)
        self.assertEqual([i for i in waiting_for(self.teacher) if i.clause == "5.1"], [])

    def test_s5_the_gate_costs_one_query_per_request(self) -> None:
        from custos.policy.queries import needs_acknowledgement

        acknowledge(self.teacher, self.version)
        with CaptureQueriesContext(connection) as queries:
            self.assertIsNone(needs_acknowledgement(self.teacher))
        self.assertEqual(len(queries), 1)


class AcknowledgementReportTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.version, _ = import_policy(POLICY, label="2026.1", by=None)
        for person in (self.head, self.hr, self.teacher, self.outsider):
            acknowledge(person, self.version)

    def test_s5_a_head_sees_who_has_and_has_not_read_at_their_school(self) -> None:
        page = self.client_for(self.head).get("/policy/acknowledgements/")
        self.assertContains(page, "Oakfield Academy")
        self.assertContains(page, "Contractor Persona")
        self.assertContains(page, "Not yet")
        self.assertNotContains(page, "Outsider Persona")
        self.assertNotContains(page, "Elmwood School")

    def test_s5_hr_sees_every_school_of_the_trust(self) -> None:
        page = self.client_for(self.hr).get(f"/policy/acknowledgements/?school={self.other_school.pk}")
        self.assertContains(page, "Outsider Persona")

    def test_s5_a_head_cannot_see_another_school(self) -> None:
        page = self.client_for(self.head).get(f"/policy/acknowledgements/?school={self.other_school.pk}")
        self.assertEqual(page.status_code, 404)

    def test_s5_teachers_and_outsiders_get_403(self) -> None:
        for person in (self.teacher, self.outsider):
            with self.subTest(person=person.username):
                self.assertEqual(self.client_for(person).get("/policy/acknowledgements/").status_code, 403)
                self.assertEqual(
                    self.client_for(person)
                    .post("/policy/acknowledgements/remind/", {"school": self.school.pk})
                    .status_code,
                    404,
                )

    def test_s5_the_report_exports_to_csv(self) -> None:
        response = self.client_for(self.hr).get(f"/policy/acknowledgements/?school={self.school.pk}&format=csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        self.assertEqual(rows[0][:3], ["School", "Name", "Username"])
        by_user = {row[2]: row for row in rows[1:]}
        self.assertEqual(by_user["contractor"][6], "not yet")
        self.assertNotEqual(by_user["teacher"][6], "not yet")
        self.assertNotIn("outsider", by_user)

    def test_s5_a_formula_in_a_name_is_exported_as_text(self) -> None:
        make_user("sneaky", school=self.school, first_name="=HYPERLINK(1)")
        response = self.client_for(self.hr).get("/policy/acknowledgements/?format=csv")
        self.assertIn("'=HYPERLINK(1) Persona", response.content.decode())

    def test_s5_reminders_go_to_those_who_have_not_read_it(self) -> None:
        response = self.client_for(self.head).post("/policy/acknowledgements/remind/", {"school": self.school.pk})
        self.assertEqual(response.status_code, 302)
        reminded = set(Email.objects.values_list("recipient__username", flat=True))
        self.assertIn("contractor", reminded)
        self.assertNotIn("teacher", reminded)
        self.assertNotIn("outsider", reminded)
        self.assertTrue(AuditEvent.objects.filter(action="policy.acknowledgement_reminders_sent").exists())

    def test_s5_the_report_page_costs_the_same_queries_for_ten_or_thirty_staff(self) -> None:
        client = self.client_for(self.head)
        client.get("/policy/acknowledgements/")
        with CaptureQueriesContext(connection) as ten:
            client.get("/policy/acknowledgements/")
        for i in range(20):
            make_user(f"extra{i}", school=self.school)
        # The navigation bar (other apps' links) adds its own queries; the report's rows add none.
        with self.assertNumQueries(len(ten)):
            page = client.get("/policy/acknowledgements/")
        self.assertContains(page, "Extra19 Persona")
