"""Working a case to an end: chronology, referrals, assignment, closure with an outcome, read-only, reopening."""

from __future__ import annotations

import datetime as dt
import threading

from django.db import connection

from custos.audit.models import AuditEvent
from custos.cases import actions
from custos.cases.actions import CaseConflict, CaseError
from custos.cases.models import Case, EntryKind, Status
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import Agency, CaseType
from custos.mail.models import Email
from custos.test import CustosTransactionTestCase, give_role, make_user


class WorkingTests(CasesTestCase):
    def test_a23_chronology_records_every_action_note_decision_and_referral_in_order(self) -> None:
        case = self.open(CaseType.SAFEGUARDING, linked_pupils=[self.pupil_record])
        actions.acknowledge(case, by=self.dsl)
        actions.add_entry(case, by=self.dsl, kind=EntryKind.NOTE, text="Spoke to the pupil")
        actions.add_entry(case, by=self.deputy_dsl, kind=EntryKind.DECISION, text="Refer to MASH")
        actions.record_referral(
            case, by=self.dsl, agency=Agency.CHILDRENS_SOCIAL_CARE, reference="MASH-991", referred_on=self.today()
        )
        kinds = list(case.entries.values_list("kind", flat=True))
        self.assertEqual(kinds, ["opened", "acknowledged", "note", "decision", "referral"])
        referral = case.entries.get(kind=EntryKind.REFERRAL)
        self.assertEqual((referral.agency_reference, referral.referred_by_label), ("MASH-991", "Dsl Persona"))

    def test_a56_illegal_content_cannot_close_without_a_police_or_ceop_referral_or_a_reason(self) -> None:
        case = self.open(CaseType.ILLEGAL_CONTENT)
        with self.assertRaisesMessage(CaseError, "Record the referral to Police or CEOP before closing (A.5.6)"):
            actions.close_case(case, by=self.dsl, outcome="action_taken", notes="Removed the post")
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.NEW)
        actions.record_referral(case, by=self.dsl, agency=Agency.CEOP, reference="CEOP-1", referred_on=self.today())
        closed = actions.close_case(case, by=self.dsl, outcome="referred", notes="Removed; CEOP informed")
        self.assertEqual(closed.status, Status.CLOSED)

    def test_allegation_closes_only_with_a_lado_referral_or_a_stated_reason(self) -> None:
        case = self.open(CaseType.ALLEGATION, linked_users=[self.moderator])
        with self.assertRaisesMessage(CaseError, "LADO"):
            actions.close_case(case, by=self.head, outcome="unfounded", notes="Checked")
        actions.close_case(
            case,
            by=self.head,
            outcome="unfounded",
            notes="Checked",
            no_referral_reason="LADO consulted: threshold not met",
        )

    def test_closed_cases_are_read_only_and_reopening_is_recorded(self) -> None:
        case = self.open(CaseType.MEDIA_ENQUIRY)
        actions.close_case(case, by=self.head, outcome="declined", notes="No comment given")
        with self.assertRaisesMessage(CaseConflict, "is closed"):
            actions.add_entry(case, by=self.head, kind=EntryKind.NOTE, text="late note")
        page = self.client_for(self.head).get(f"/cases/{case.reference}/")
        self.assertContains(page, "read-only")
        self.assertNotContains(page, "Add to the chronology")
        response = self.client_for(self.head).post(
            f"/cases/{case.reference}/entry/", {"kind": "note", "text": "x"}, follow=True
        )
        self.assertContains(response, "is closed, so it can no longer be changed")
        self.assertFalse(case.entries.filter(text="x").exists())
        actions.reopen_case(case, by=self.head, reason="The journalist came back")
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.OPEN)
        self.assertTrue(case.entries.filter(kind=EntryKind.REOPENED, text="The journalist came back").exists())
        self.assertTrue(AuditEvent.objects.filter(action="cases.reopened").exists())

    def test_a37_reporter_sees_received_then_dealt_with_but_never_the_case(self) -> None:
        case = self.open(CaseType.MEDIA_ENQUIRY, summary="The Echo asked about the trip", reported_by=self.teacher)
        client = self.client_for(self.teacher)
        receipt = client.get(f"/cases/my-reports/{case.reference}/")
        self.assertContains(receipt, "Received.")
        self.assertContains(receipt, "Do not reply to the journalist")
        self.assertNotContains(receipt, "The Echo")
        self.assertEqual(client.get(f"/cases/{case.reference}/").status_code, 404)
        actions.close_case(case, by=self.head, outcome="responded", notes="Statement issued")
        self.assertContains(client.get(f"/cases/my-reports/{case.reference}/"), "Dealt with.")
        self.assertTrue(Email.objects.filter(recipient=self.teacher, subject__contains="has been dealt with").exists())
        self.assertEqual(self.client_for(self.moderator).get(f"/cases/my-reports/{case.reference}/").status_code, 404)

    def test_assignment_only_to_someone_who_may_work_the_case(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        with self.assertRaisesMessage(CaseError, "cannot work this kind of case"):
            actions.assign(case, by=self.dsl, to=self.hr)
        actions.assign(case, by=self.dsl, to=self.deputy_dsl)
        self.assertEqual(Case.objects.get(pk=case.pk).assigned_to, self.deputy_dsl)

    def test_referral_dates_must_be_real(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        with self.assertRaisesMessage(CaseError, "future"):
            actions.record_referral(
                case, by=self.dsl, agency=Agency.POLICE, reference="", referred_on=self.today() + dt.timedelta(days=1)
            )

    def test_bad_close_form_shows_a_clear_error_and_changes_nothing(self) -> None:
        case = self.open(CaseType.ILLEGAL_CONTENT)
        response = self.client_for(self.dsl).post(
            f"/cases/{case.reference}/close/", {"outcome": "action_taken", "notes": "done", "no_referral_reason": ""}
        )
        self.assertContains(response, "Record the referral to Police or CEOP", status_code=400)
        self.assertContains(response, "There is a problem", status_code=400)
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.NEW)

    def test_acknowledging_twice_is_told_plainly(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        actions.acknowledge(case, by=self.dsl)
        with self.assertRaisesMessage(CaseConflict, "already acknowledged"):
            actions.acknowledge(case, by=self.deputy_dsl)

    def test_a_stale_copy_cannot_move_a_case_someone_else_already_closed(self) -> None:
        case = self.open(CaseType.MEDIA_ENQUIRY)
        stale = Case.objects.get(pk=case.pk)
        actions.close_case(case, by=self.head, outcome="declined", notes="No comment")
        with self.assertRaisesMessage(CaseConflict, "closed"):
            actions.close_case(stale, by=self.head, outcome="responded", notes="Answered")
        self.assertEqual(Case.objects.get(pk=case.pk).outcome, "declined")


class RaceTests(CustosTransactionTestCase):
    def test_two_dsls_acknowledging_at_once_exactly_one_wins(self) -> None:
        from custos.accounts.models import Role, School, Trust

        trust = Trust.objects.create(name="T")
        school = School.objects.create(trust=trust, name="S", urn="200001", website="https://s.example/")
        first, second = make_user("dsl1", school=school), make_user("dsl2", school=school)
        give_role(first, Role.DSL, school)
        give_role(second, Role.DEPUTY_DSL, school)
        case = actions.open_case(
            case_type=CaseType.SAFEGUARDING, school=school, reported_by=None, summary="x", source="api"
        )
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def attempt(user) -> None:
            barrier.wait()
            try:
                actions.acknowledge(Case.objects.get(pk=case.pk), by=user)
                outcomes.append("won")
            except CaseConflict as error:
                outcomes.append(str(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt, args=(u,)) for u in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(outcomes.count("won"), 1, outcomes)
        self.assertEqual(Case.objects.get(pk=case.pk).entries.filter(kind=EntryKind.ACKNOWLEDGED).count(), 1)
