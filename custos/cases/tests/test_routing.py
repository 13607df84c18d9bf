"""Each case type goes to its owners at once: email and 'Waiting for me' (A.2.3, A.5.6, 6.6, A.3.7, 9.1–9.3)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import transaction

from custos.audit.models import AuditEvent
from custos.cases import actions
from custos.cases.actions import CaseError
from custos.cases.models import Case, Entry, EntryKind
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import CASE_TYPES, CaseType, case_type_for_screening
from custos.cases.waiting import cases_waiting
from custos.mail.models import Email

LONDON_MONDAY_10AM = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # GMT in March

ROUTED_TO = {
    CaseType.SAFEGUARDING: {"dsl", "deputy_dsl"},
    CaseType.ILLEGAL_CONTENT: {"dsl"},
    CaseType.FRIEND_REQUEST: {"pastoral"},
    CaseType.MEDIA_ENQUIRY: {"head"},
    CaseType.BREACH: {"head", "hr"},
    CaseType.DISCIPLINARY: {"hr"},
    CaseType.ALLEGATION: {"head"},
}


class RoutingTests(CasesTestCase):
    def recipients(self, case: Case) -> set[str]:
        subject_start = "New "
        return {
            e.recipient.username
            for e in Email.objects.filter(subject__startswith=subject_start, subject__contains=case.reference)
        }

    def test_each_case_type_is_routed_to_its_owners_by_email_at_once(self) -> None:
        for case_type, expected in ROUTED_TO.items():
            with self.subTest(case_type=case_type, clause=CASE_TYPES[case_type].clause):
                case = self.open(case_type)
                self.assertEqual(self.recipients(case), expected)

    def test_a23_safeguarding_case_is_due_within_an_hour_of_school_time(self) -> None:
        with time_machine.travel(LONDON_MONDAY_10AM, tick=False):
            case = self.open(CaseType.SAFEGUARDING)
        self.assertEqual(case.due_at, LONDON_MONDAY_10AM + dt.timedelta(hours=1))
        self.assertTrue(case.reference.startswith("SG-"))

    def test_allegation_lado_target_is_one_working_day(self) -> None:
        with time_machine.travel(dt.datetime(2026, 3, 6, 11, 0, tzinfo=dt.UTC), tick=False):
            case = self.open(CaseType.ALLEGATION, linked_users=[self.moderator])
        self.assertEqual(case.due_at, dt.datetime(2026, 3, 9, 11, 0, tzinfo=dt.UTC))

    def test_targets_are_editable_per_trust(self) -> None:
        actions.set_target(
            self.trust, case_type=CaseType.SAFEGUARDING, amount=30, unit="school_minutes", by=self.exec_head
        )
        with time_machine.travel(LONDON_MONDAY_10AM, tick=False):
            case = self.open(CaseType.SAFEGUARDING)
        self.assertEqual(case.due_at, LONDON_MONDAY_10AM + dt.timedelta(minutes=30))
        self.assertTrue(AuditEvent.objects.filter(action="cases.target_changed").exists())

    def test_only_the_executive_head_may_change_targets(self) -> None:
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            actions.set_target(
                self.trust, case_type=CaseType.SAFEGUARDING, amount=5, unit="school_minutes", by=self.dsl
            )

    def test_a23_new_safeguarding_case_waits_for_the_dsl_and_is_urgent(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        items = list(cases_waiting(self.dsl))
        self.assertEqual([i.url for i in items], [f"/cases/{case.reference}/"])
        self.assertTrue(items[0].urgent)
        self.assertEqual(list(cases_waiting(self.head)), [])
        self.assertEqual(list(cases_waiting(self.teacher)), [])

    def test_66_friend_request_waits_for_the_assistant_head_pastoral(self) -> None:
        case = self.open(CaseType.FRIEND_REQUEST, linked_pupils=[self.pupil_record])
        self.assertEqual([i.url for i in cases_waiting(self.pastoral)], [f"/cases/{case.reference}/"])

    def test_open_case_is_audited_and_starts_the_chronology_without_content_in_the_log(self) -> None:
        case = self.open(CaseType.SAFEGUARDING, summary="Pupil disclosed something private")
        event = AuditEvent.objects.get(action="cases.opened", object_id=str(case.pk))
        self.assertEqual(event.object_repr, f"Case {case.reference}")
        self.assertNotIn("disclosed", str(event.changes))
        self.assertEqual(Entry.objects.get(case=case).kind, EntryKind.OPENED)

    def test_open_case_runs_inside_the_callers_transaction(self) -> None:
        try:
            with transaction.atomic():
                self.open(CaseType.SAFEGUARDING)
                raise RuntimeError("the caller fails after opening")
        except RuntimeError:
            pass
        self.assertFalse(Case.objects.exists())
        self.assertFalse(Email.objects.exists())

    def test_bad_input_is_refused_clearly_and_changes_nothing(self) -> None:
        with self.assertRaisesMessage(CaseError, "needs a summary"):
            self.open(CaseType.SAFEGUARDING, summary="  ")
        with self.assertRaisesMessage(CaseError, "no case type"):
            self.open("gossip")
        with self.assertRaisesMessage(CaseError, "on the roll"):
            self.open(CaseType.SAFEGUARDING, school=self.other_school, linked_pupils=[self.pupil_record])
        self.assertFalse(Case.objects.exists())

    def test_a56_screening_categories_map_to_case_types(self) -> None:
        self.assertEqual(case_type_for_screening("safeguarding"), CaseType.SAFEGUARDING)
        self.assertEqual(case_type_for_screening("hate"), CaseType.ILLEGAL_CONTENT)
        self.assertEqual(case_type_for_screening("something-new"), CaseType.SAFEGUARDING)

    def test_a56_moderation_can_open_a_case_with_no_reporter_and_a_linked_site(self) -> None:
        class Site:
            pk = 7

            def __str__(self) -> str:
                return "Year 8 Science space"

        case = actions.open_case(
            case_type=case_type_for_screening("hate"),
            school=self.school,
            reported_by=None,
            summary="Racist insult posted",
            evidence_text="the post, as written",
            linked_site=Site(),
            source="moderation",
            source_ref="post:42",
        )
        self.assertEqual((case.linked_site_id, case.linked_site_label), (7, "Year 8 Science space"))
        self.assertEqual(case.reporter_label, "Custos (automatic)")
        self.assertEqual(self.recipients(case), {"dsl"})

    def test_a23_a_subject_of_an_allegation_is_not_told_about_it_even_if_they_own_the_type(self) -> None:
        case = self.open(CaseType.ALLEGATION, linked_users=[self.head])
        self.assertNotIn("head", self.recipients(case))
