"""6.2–6.4: staff declare pupils who are family and contacts with pupils' families; the AHT Pastoral sees them.
6.7: leaving staff are reminded, when HR records their last day, not to contact pupils afterwards."""

from __future__ import annotations

import datetime as dt

from custos.accounts.models import FamilyLink, Pupil
from custos.audit.models import AuditEvent
from custos.mail.models import Email
from custos.staff.actions import StaffActionError, declare_contact, declare_family_member, record_leaving_date
from custos.staff.models import ContactDeclaration
from custos.test import CustosTestCase, LocalSMTPServer


class DeclarationTests(CustosTestCase):
    def test_62_a_teacher_declares_a_pupil_who_is_family_and_it_is_audited(self) -> None:
        response = self.client_for(self.teacher).post(
            "/staff/declarations/",
            {"step": "family", "family-pupil": self.pupil_record.pk, "family-relationship": "nephew"},
        )
        self.assertRedirects(response, "/staff/declarations/")
        link = FamilyLink.objects.get(staff=self.teacher)
        self.assertEqual((link.pupil, link.relationship), (self.pupil_record, "nephew"))
        self.assertTrue(AuditEvent.objects.filter(action="staff.family_member_declared").exists())
        self.assertContains(self.client_for(self.teacher).get("/staff/declarations/"), "Jamie Rivers-Legal")

    def test_62_declaring_the_same_pupil_twice_is_refused_plainly(self) -> None:
        declare_family_member(self.teacher, pupil=self.pupil_record, relationship="niece")
        with self.assertRaisesMessage(StaffActionError, "already declared"):
            declare_family_member(self.teacher, pupil=self.pupil_record, relationship="niece")
        self.assertEqual(FamilyLink.objects.count(), 1)

    def test_62_a_pupil_at_a_school_of_another_trust_cannot_be_chosen(self) -> None:
        from custos.accounts.models import School, Trust

        elsewhere = School.objects.create(
            trust=Trust.objects.create(name="Other"), name="Far", urn="999999", website="https://far.example/"
        )
        stranger = Pupil.objects.create(
            school=elsewhere,
            upn="Z1",
            legal_first_name="A",
            legal_last_name="B",
            year_group=7,
            date_of_birth=dt.date(2014, 1, 1),
        )
        response = self.client_for(self.teacher).post(
            "/staff/declarations/", {"step": "family", "family-pupil": stranger.pk, "family-relationship": "son"}
        )
        self.assertContains(response, "Select a valid choice")
        self.assertFalse(FamilyLink.objects.exists())

    def test_64_a_contact_with_a_pupils_family_is_declared_with_the_policy_version_in_force(self) -> None:
        from custos.policy.actions import DEFAULT_POLICY, acknowledge, import_policy

        version, _ = import_policy(DEFAULT_POLICY.read_text(), label="2026.1", by=None)
        acknowledge(self.teacher, version)
        response = self.client_for(self.teacher).post(
            "/staff/declarations/",
            {
                "step": "contact",
                "contact-pupil": self.pupil_record.pk,
                "contact-family_member": "Sam Rivers",
                "contact-relationship_to_pupil": "father",
                "contact-platform": "Facebook",
                "contact-nature": "We play in the same football team.",
            },
        )
        self.assertRedirects(response, "/staff/declarations/")
        declaration = ContactDeclaration.objects.get()
        self.assertEqual((declaration.school, declaration.policy_version), (self.school, version))

    def test_64_missing_details_are_named_and_nothing_is_saved(self) -> None:
        response = self.client_for(self.teacher).post("/staff/declarations/", {"step": "contact"})
        self.assertContains(response, "There is a problem")
        self.assertContains(response, "Name of the family member: This field is required.")
        self.assertFalse(ContactDeclaration.objects.exists())

    def test_64_staff_end_only_their_own_contacts(self) -> None:
        mine = declare_contact(
            self.teacher, pupil=None, family_member="Sam", relationship_to_pupil="father", platform="X", nature="n"
        )
        other = self.client_for(self.moderator).post("/staff/declarations/", {"step": "end_contact", "id": mine.pk})
        self.assertEqual(other.status_code, 404)
        self.client_for(self.teacher).post("/staff/declarations/", {"step": "end_contact", "id": mine.pk})
        self.assertIsNotNone(ContactDeclaration.objects.get().ended_at)
        again = self.client_for(self.teacher).post(
            "/staff/declarations/", {"step": "end_contact", "id": mine.pk}, follow=True
        )
        self.assertContains(again, "already marked as ended")

    def test_64_the_aht_pastoral_and_dsl_see_the_schools_declarations(self) -> None:
        declare_family_member(self.teacher, pupil=self.pupil_record, relationship="nephew")
        declare_contact(
            self.moderator,
            pupil=self.pupil_record,
            family_member="Sam Rivers",
            relationship_to_pupil="father",
            platform="Facebook",
            nature="Neighbours",
        )
        for person in (self.pastoral, self.dsl):
            with self.subTest(person=person.username):
                page = self.client_for(person).get(f"/staff/schools/{self.school.pk}/declarations/")
                self.assertContains(page, "Teacher Persona")
                self.assertContains(page, "Sam Rivers")
                self.assertContains(page, "Rivers-Legal")

    def test_64_teachers_outsiders_and_pupils_cannot_see_a_schools_declarations(self) -> None:
        for person in (self.teacher, self.outsider, self.pupil, self.head):
            with self.subTest(person=person.username):
                self.assertEqual(
                    self.client_for(person).get(f"/staff/schools/{self.school.pk}/declarations/").status_code, 403
                )
        self.assertEqual(self.client_for(self.pupil).get("/staff/declarations/").status_code, 403)

    def test_64_the_school_declarations_page_has_a_fixed_number_of_queries(self) -> None:
        client = self.client_for(self.pastoral)
        url = f"/staff/schools/{self.school.pk}/declarations/"
        client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as one:
            client.get(url)
        for person in (self.teacher, self.moderator, self.contractor):
            declare_contact(
                person,
                pupil=self.pupil_record,
                family_member="F",
                relationship_to_pupil="aunt",
                platform="X",
                nature="n",
            )
            declare_family_member(person, pupil=self.pupil_record, relationship="cousin")
        with self.assertNumQueries(len(one)):
            client.get(url)


class LeavingTests(CustosTestCase):
    def test_67_recording_a_leaving_date_audits_it_and_emails_the_67_reminder(self) -> None:
        ends = dt.date(2027, 8, 31)
        with LocalSMTPServer() as smtp:
            record_leaving_date(self.teacher, ends, by=self.hr)
            from custos.tasks.worker import run_once

            while run_once():
                pass
        self.teacher.refresh_from_db()
        self.assertEqual(self.teacher.employment_ends_on, ends)
        self.assertTrue(AuditEvent.objects.filter(action="staff.leaving_date_recorded", actor=self.hr).exists())
        [message] = smtp.to("teacher@example.org")
        self.assertIn("6.7", message["Subject"])
        self.assertIn("must not contact pupils", smtp.body(message))
        self.assertIn("31 August 2027", smtp.body(message))

    def test_67_a_recorded_leaving_date_is_shown_in_the_date_box(self) -> None:
        record_leaving_date(self.teacher, dt.date(2026, 11, 16), by=self.hr)
        page = self.client_for(self.hr).get(f"/staff/people/{self.teacher.pk}/leaving/")
        self.assertContains(page, 'value="2026-11-16"')

    def test_67_recording_the_same_date_again_sends_nothing_more(self) -> None:
        record_leaving_date(self.teacher, dt.date(2027, 8, 31), by=self.hr)
        record_leaving_date(self.teacher, dt.date(2027, 8, 31), by=self.hr)
        self.assertEqual(Email.objects.filter(recipient=self.teacher).count(), 1)

    def test_67_hr_records_it_on_a_page(self) -> None:
        client = self.client_for(self.hr)
        self.assertContains(client.get("/staff/people/"), "Contractor Persona")
        response = client.post(f"/staff/people/{self.contractor.pk}/leaving/", {"ends_on": "2027-07-20"})
        self.assertRedirects(response, f"/staff/people/?school={self.school.pk}")
        self.contractor.refresh_from_db()
        self.assertEqual(self.contractor.employment_ends_on, dt.date(2027, 7, 20))
        bad = client.post(f"/staff/people/{self.contractor.pk}/leaving/", {"ends_on": "not a date"})
        self.assertContains(bad, "Enter a valid date")

    def test_67_only_hr_records_leaving_dates(self) -> None:
        for person in (self.teacher, self.head, self.outsider, self.pupil):
            with self.subTest(person=person.username):
                client = self.client_for(person)
                self.assertEqual(client.get("/staff/people/").status_code, 403)
                response = client.post(f"/staff/people/{self.teacher.pk}/leaving/", {"ends_on": "2027-07-20"})
                self.assertEqual(response.status_code, 403)
        self.teacher.refresh_from_db()
        self.assertIsNone(self.teacher.employment_ends_on)
