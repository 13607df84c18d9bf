"""Allegations against staff (A.2.3, KCSIE): against the Head to the Executive Headteacher and never to the Head;
the LADO referral recorded within one working day."""

from __future__ import annotations

import datetime as dt

import time_machine

from custos.audit.models import AuditEvent
from custos.cases import actions
from custos.cases.models import Case
from custos.cases.rules import visible_cases_q
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import Agency, CaseType
from custos.cases.waiting import cases_waiting
from custos.mail.models import Email

FRIDAY_11AM = dt.datetime(2026, 3, 6, 11, 0, tzinfo=dt.UTC)  # GMT in March
MONDAY_11AM = dt.datetime(2026, 3, 9, 11, 0, tzinfo=dt.UTC)


class AllegationAgainstTheHeadTests(CasesTestCase):
    def told(self, case: Case) -> set[str]:
        mail = Email.objects.filter(subject__contains=case.reference, recipient__isnull=False)
        return {e.recipient.username for e in mail}

    def assert_head_never_sees(self, case: Case) -> None:
        self.assertNotIn("head", self.told(case))
        self.assertEqual(list(cases_waiting(self.head)), [])
        self.assertFalse(Case.objects.filter(visible_cases_q(self.head), pk=case.pk).exists())
        self.assertEqual(self.client_for(self.head).get(f"/cases/{case.reference}/").status_code, 404)
        self.assertNotContains(self.client_for(self.head).get("/cases/"), case.reference)

    def test_a23_an_allegation_against_the_head_goes_to_the_executive_headteacher_never_the_head(self) -> None:
        case = self.open(CaseType.ALLEGATION, linked_users=[self.head])
        self.assertTrue(case.against_head)
        self.assertEqual(self.told(case), {"exec_head", "teacher"})  # the teacher's receipt only
        self.assertEqual(next(i.url for i in cases_waiting(self.exec_head)), f"/cases/{case.reference}/")
        self.assert_head_never_sees(case)
        # The Executive Headteacher owns it: opens it without a reason, and works it.
        page = self.client_for(self.exec_head).get(f"/cases/{case.reference}/")
        self.assertContains(page, "dealt with by the Executive Headteacher")
        actions.acknowledge(case, by=self.exec_head)
        event = AuditEvent.objects.get(action="cases.opened", object_id=str(case.pk))
        self.assertTrue(event.changes["against_head"])

    def test_a23_the_report_form_says_it_is_about_the_head_without_naming_an_account(self) -> None:
        client = self.client_for(self.teacher)
        self.assertContains(client.get("/cases/report/concern/"), "It is about the Head of School/Head Teacher")
        client.post(
            "/cases/report/concern/",
            {"concern_type": "allegation", "summary": "The head messaged a pupil privately", "about_head": "on"},
        )
        case = Case.objects.get()
        self.assertTrue(case.against_head)
        self.assertEqual(self.told(case), {"exec_head", "teacher"})
        self.assert_head_never_sees(case)
        self.assertNotIn("It is about the Head", str(case.details))

    def test_a23_the_box_only_reroutes_allegations(self) -> None:
        self.client_for(self.teacher).post(
            "/cases/report/concern/", {"concern_type": "safeguarding", "summary": "A worry", "about_head": "on"}
        )
        self.assertFalse(Case.objects.get().against_head)

    def test_a23_linking_the_head_later_moves_the_allegation_to_the_executive_headteacher(self) -> None:
        case = self.open(CaseType.ALLEGATION, linked_users=[self.moderator])
        actions.acknowledge(case, by=self.head)
        actions.link(case, by=self.dsl, users=[self.head])
        case.refresh_from_db()
        self.assertTrue(case.against_head)
        self.assertIsNone(case.assigned_to)
        self.assertIn("exec_head", self.told(case))
        self.assertTrue(case.entries.filter(text__contains="now dealt with by the Executive Headteacher").exists())
        self.assertTrue(AuditEvent.objects.filter(action="cases.rerouted", object_id=str(case.pk)).exists())
        self.assertEqual(self.client_for(self.head).get(f"/cases/{case.reference}/").status_code, 404)

    def test_a23_an_unacknowledged_allegation_against_the_head_escalates_to_the_dsl_not_the_head(self) -> None:
        with time_machine.travel(FRIDAY_11AM, tick=False) as clock:
            case = self.open(CaseType.ALLEGATION, linked_users=[self.head])
            clock.move_to(MONDAY_11AM + dt.timedelta(minutes=1))
            self.assertEqual([e.step for e in actions.escalate_overdue()], [1])
        escalation = case.escalations.get()
        self.assertEqual([u.username for u in escalation.notified.all()], ["dsl"])

    def test_a23_an_ordinary_allegation_still_goes_to_the_head(self) -> None:
        case = self.open(CaseType.ALLEGATION, linked_users=[self.moderator])
        self.assertFalse(case.against_head)
        self.assertEqual(self.told(case), {"head", "teacher"})
        self.assertEqual(self.client_for(self.exec_head).get(f"/cases/{case.reference}/").status_code, 404)


class LadoReferralTargetTests(CasesTestCase):
    def test_a23_an_allegation_must_be_referred_to_the_lado_within_one_working_day(self) -> None:
        with time_machine.travel(FRIDAY_11AM, tick=False) as clock:
            case = self.open(CaseType.ALLEGATION, linked_users=[self.moderator])
            self.assertEqual(case.referral_due_at, MONDAY_11AM)
            lado = [i for i in cases_waiting(self.head) if "LADO" in i.title]
            self.assertEqual(len(lado), 1)
            self.assertEqual((lado[0].due, lado[0].urgent), (MONDAY_11AM, False))
            self.assertContains(self.client_for(self.head).get(f"/cases/{case.reference}/"), "Refer to the LADO by")
            clock.move_to(MONDAY_11AM + dt.timedelta(minutes=5))
            lado = [i for i in cases_waiting(self.head) if "LADO" in i.title]
            self.assertTrue(lado[0].urgent)
            actions.record_referral(
                case, by=self.head, agency=Agency.LADO, reference="LADO-77", referred_on=self.today()
            )
            self.assertEqual([i for i in cases_waiting(self.head) if "LADO" in i.title], [])

    def test_a23_a_referral_to_another_agency_does_not_clear_the_lado_target(self) -> None:
        case = self.open(CaseType.ALLEGATION, linked_users=[self.moderator])
        actions.record_referral(case, by=self.head, agency=Agency.POLICE, reference="P1", referred_on=self.today())
        self.assertEqual(len([i for i in cases_waiting(self.head) if "LADO" in i.title]), 1)

    def test_a23_other_case_types_have_no_referral_target(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        self.assertIsNone(case.referral_due_at)

    def test_a23_the_lado_waits_on_the_executive_head_when_the_allegation_is_about_the_head(self) -> None:
        self.open(CaseType.ALLEGATION, linked_users=[self.head])
        self.assertEqual(len([i for i in cases_waiting(self.exec_head) if "LADO" in i.title]), 1)
        self.assertEqual(list(cases_waiting(self.head)), [])
