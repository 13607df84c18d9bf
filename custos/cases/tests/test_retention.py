"""Retention: each case type has a period; a job lists what is due; only a person deletes, leaving a tombstone."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import time_machine
from django.core.management import call_command

from custos.audit.models import AuditEvent
from custos.cases import actions
from custos.cases.actions import CaseError
from custos.cases.models import Case, Evidence, Tombstone
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import Agency, CaseType

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


class RetentionTests(CasesTestCase):
    def test_a23_child_protection_records_are_kept_until_the_childs_birth_date_plus_25_years(self) -> None:
        with time_machine.travel(NOW, tick=False):
            case = self.open(CaseType.SAFEGUARDING, linked_pupils=[self.pupil_record])
            closed = actions.close_case(
                case,
                by=self.dsl,
                outcome="nfa",
                notes="Spoke to parents",
                no_referral_reason="Misunderstanding between friends: no risk of harm found (A.2.3)",
            )
        self.assertEqual(closed.retain_until, dt.date(2038, 3, 14))  # born 14/03/2013

    def test_allegation_records_kept_ten_years_but_malicious_ones_are_due_for_review_at_once(self) -> None:
        with time_machine.travel(NOW, tick=False):
            kept = self.open(CaseType.ALLEGATION, linked_users=[self.moderator])
            actions.record_referral(kept, by=self.head, agency=Agency.LADO, reference="L1", referred_on=NOW.date())
            kept = actions.close_case(kept, by=self.head, outcome="substantiated", notes="Dismissed")
            malicious = self.open(CaseType.ALLEGATION, linked_users=[self.moderator])
            malicious = actions.close_case(
                malicious, by=self.head, outcome="malicious", notes="x", no_referral_reason="LADO: malicious"
            )
        self.assertEqual(kept.retain_until, dt.date(2036, 3, 2))
        self.assertEqual(malicious.retain_until, dt.date(2026, 3, 2))

    def test_review_job_lists_what_is_due_and_deletes_nothing(self) -> None:
        with time_machine.travel(NOW, tick=False):
            case = self.open(CaseType.MEDIA_ENQUIRY)
            actions.close_case(case, by=self.head, outcome="declined", notes="No comment")
        out = StringIO()
        with time_machine.travel(NOW + dt.timedelta(days=370), tick=False):
            call_command("review_case_retention", stdout=out)
        self.assertIn(f"{case.reference}\tMedia enquiry", out.getvalue())
        self.assertIn("due for deletion", out.getvalue())
        self.assertIn("Nothing was deleted", out.getvalue())
        self.assertTrue(Case.objects.filter(pk=case.pk).exists())

    def test_deletion_needs_an_authorised_person_to_confirm_and_leaves_a_tombstone(self) -> None:
        with time_machine.travel(NOW, tick=False):
            case = self.open(CaseType.MEDIA_ENQUIRY, evidence_text="email from the journalist")
            actions.close_case(case, by=self.head, outcome="declined", notes="No comment")
        url = f"/cases/{case.reference}/delete/"
        with (
            time_machine.travel(NOW + dt.timedelta(days=30), tick=False),
            self.assertRaisesMessage(CaseError, "must be kept until 02/03/2027"),
        ):
            actions.confirm_deletion(case, by=self.head, reason="review")
        with time_machine.travel(NOW + dt.timedelta(days=400), tick=False):
            self.assertEqual(
                self.client_for(self.exec_head).post(url, {"reason": "r", "confirm": "on"}).status_code, 403
            )
            self.assertEqual(self.client_for(self.hr).post(url, {"reason": "r", "confirm": "on"}).status_code, 404)
            self.assertContains(
                self.client_for(self.head).post(url, {"reason": "r"}), "This field is required", status_code=400
            )
            response = self.client_for(self.head).post(
                url, {"reason": "Annual review: no longer needed", "confirm": "on"}
            )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Case.objects.filter(pk=case.pk).exists())
        self.assertFalse(Evidence.objects.exists())
        tombstone = Tombstone.objects.get(reference=case.reference)
        self.assertEqual((tombstone.case_type, tombstone.confirmed_by), (CaseType.MEDIA_ENQUIRY, self.head))
        self.assertTrue(AuditEvent.objects.filter(action="cases.deleted", object_id=str(case.pk)).exists())

    def test_open_cases_cannot_be_deleted(self) -> None:
        case = self.open(CaseType.MEDIA_ENQUIRY)
        with self.assertRaisesMessage(CaseError, "not closed"):
            actions.confirm_deletion(case, by=self.head, reason="tidy")
