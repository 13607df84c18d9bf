"""Correction of personal details (UK GDPR Art. 16): people ask; HR (staff), the ICT Manager (pupils' preferred
names) or the Executive Headteacher (external members) decide; audited; bad input changes nothing."""

from __future__ import annotations

import threading

from django.db import connection
from django.test.utils import CaptureQueriesContext

from custos.accounts.models import Pupil
from custos.audit.models import AuditEvent
from custos.mail.models import Email
from custos.privacy import actions
from custos.privacy.models import CorrectionRequest, CorrectionState
from custos.test import CustosTestCase, CustosTransactionTestCase, make_user


class CorrectionTests(CustosTestCase):
    def ask(self, person, field: str, value: str):  # type: ignore[no-untyped-def]
        return self.client_for(person).post("/privacy/my-details/", {"field": field, "value": value, "reason": ""})

    def test_art16_a_member_of_staff_asks_and_hr_corrects_their_job_title(self) -> None:
        self.assertEqual(self.ask(self.teacher, "job_title", "Head of Science").status_code, 302)
        correction = CorrectionRequest.objects.get()
        self.assertContains(self.client_for(self.hr).get("/"), "Correct job title for Teacher Persona")
        response = self.client_for(self.hr).post(f"/privacy/corrections/{correction.pk}/", {"decision": "apply"})
        self.assertEqual(response.status_code, 302)
        self.teacher.refresh_from_db()
        self.assertEqual(self.teacher.job_title, "Head of Science")
        event = AuditEvent.objects.get(action="privacy.correction_decided")
        self.assertEqual(event.changes["job_title"], ["", "Head of Science"])
        self.assertEqual(event.actor_id, self.hr.pk)
        self.assertTrue(Email.objects.filter(recipient=self.teacher, subject__contains="job title").exists())

    def test_art16_a_pupils_preferred_name_is_corrected_by_the_ict_manager_never_the_legal_name(self) -> None:
        self.assertEqual(self.ask(self.pupil, "preferred_first_name", "Jay").status_code, 302)
        response = self.ask(self.pupil, "legal_first_name", "Jim")
        self.assertEqual(response.status_code, 400)
        correction = CorrectionRequest.objects.get()
        self.assertEqual(self.client_for(self.hr).get(f"/privacy/corrections/{correction.pk}/").status_code, 404)
        self.client_for(self.ict_manager).post(f"/privacy/corrections/{correction.pk}/", {"decision": "apply"})
        record = Pupil.objects.get(pk=self.pupil_record.pk)
        self.assertEqual(record.preferred_first_name, "Jay")
        self.assertEqual(record.legal_first_name, "Jameson")
        self.pupil.refresh_from_db()
        self.assertEqual(self.pupil.first_name, "Jay")

    def test_art16_bad_input_gets_a_clear_error_and_changes_nothing(self) -> None:
        make_user("taken", school=self.school)
        cases = [
            ("email", "not-an-email", "Enter an email address"),
            ("email", "taken@example.org", "belongs to another account"),
            ("first_name", "   ", "Enter what the detail should be."),
            ("first_name", "Teacher", "already"),
            ("job_title", "x" * 121, "120 characters or fewer"),
            ("preferred_first_name", "Jay", "Select a valid choice"),
        ]
        for field, value, message in cases:
            response = self.ask(self.teacher, field, value)
            self.assertContains(response, message, status_code=400, msg_prefix=f"{field}={value!r}")
        self.assertFalse(CorrectionRequest.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action__startswith="privacy.").exists())

    def test_art16_one_pending_request_per_detail(self) -> None:
        self.ask(self.teacher, "last_name", "Smith")
        self.assertContains(self.ask(self.teacher, "last_name", "Jones"), "already asked", status_code=400)

    def test_art16_declining_needs_a_reason_which_the_person_is_told(self) -> None:
        self.ask(self.teacher, "last_name", "Smith")
        correction = CorrectionRequest.objects.get()
        client = self.client_for(self.hr)
        response = client.post(f"/privacy/corrections/{correction.pk}/", {"decision": "decline", "note": ""})
        self.assertContains(response, "Say why", status_code=400)
        client.post(f"/privacy/corrections/{correction.pk}/", {"decision": "decline", "note": "Matches your contract"})
        correction.refresh_from_db()
        self.assertEqual(correction.state, CorrectionState.DECLINED)
        self.assertIn("Matches your contract", Email.objects.get(recipient=self.teacher).body)

    def test_art16_a_decided_request_cannot_be_decided_again(self) -> None:
        self.ask(self.teacher, "last_name", "Smith")
        correction = CorrectionRequest.objects.get()
        actions.decide_correction(correction, by=self.hr, apply=True)
        with self.assertRaisesMessage(actions.PrivacyError, "has already decided"):
            actions.decide_correction(correction, by=self.hr, apply=False, note="late")

    def test_art16_outsiders_cannot_see_or_decide_corrections(self) -> None:
        self.ask(self.teacher, "last_name", "Smith")
        correction = CorrectionRequest.objects.get()
        for person in (self.outsider, self.head, self.teacher, self.pupil, self.external):
            client = self.client_for(person)
            self.assertEqual(
                client.post(f"/privacy/corrections/{correction.pk}/", {"decision": "apply"}).status_code, 404, person
            )
        for person in (self.teacher, self.pupil, self.external, self.dsl):
            self.assertEqual(self.client_for(person).get("/privacy/corrections/").status_code, 403, person)
        self.assertEqual(CorrectionRequest.objects.get().state, CorrectionState.PENDING)

    def test_art16_nobody_corrects_their_own_details(self) -> None:
        correction = actions.request_correction(self.hr, field="last_name", value="Newname")
        with self.assertRaisesMessage(actions.PrivacyError, "may not decide"):
            actions.decide_correction(correction, by=self.hr, apply=True)

    def test_art16_external_members_are_corrected_by_the_executive_head(self) -> None:
        correction = actions.request_correction(self.external, field="first_name", value="Ext")
        actions.decide_correction(correction, by=self.exec_head, apply=True)
        self.external.refresh_from_db()
        self.assertEqual(self.external.first_name, "Ext")

    def test_art16_the_corrections_list_has_a_fixed_query_count(self) -> None:
        client = self.client_for(self.hr)
        actions.request_correction(self.teacher, field="last_name", value="Smith")
        with CaptureQueriesContext(connection) as before:
            client.get("/privacy/corrections/")
        expected = len(before)
        for person in (self.moderator, self.contractor, self.head):
            actions.request_correction(person, field="last_name", value="Smith")
        with self.assertNumQueries(expected):
            client.get("/privacy/corrections/")


class CorrectionRaceTests(CustosTransactionTestCase):
    def test_art16_two_hr_deciding_at_once_exactly_one_wins(self) -> None:
        CustosTestCase.setUpTestData.__func__(self)  # type: ignore[attr-defined]
        from custos.test import give_role

        second_hr = make_user("second_hr", school=self.school)
        give_role(second_hr, "hr", self.school)
        correction = actions.request_correction(self.teacher, field="last_name", value="Smith")
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def decide(by, apply: bool) -> None:  # type: ignore[no-untyped-def]
            try:
                barrier.wait()
                actions.decide_correction(
                    CorrectionRequest.objects.get(pk=correction.pk), by=by, apply=apply, note="no"
                )
                outcomes.append("won")
            except actions.PrivacyError as error:
                outcomes.append(str(error))
            finally:
                connection.close()

        threads = [
            threading.Thread(target=decide, args=(self.hr, True)),
            threading.Thread(target=decide, args=(second_hr, False)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(outcomes.count("won"), 1, outcomes)
        self.assertTrue(any("already decided" in o for o in outcomes), outcomes)
        self.assertEqual(AuditEvent.objects.filter(action="privacy.correction_decided").count(), 1)
