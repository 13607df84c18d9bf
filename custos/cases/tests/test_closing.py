"""Closing a case (A.2.3, A.5.6, A.3.7, 6.6, 9.1–9.3): each case type closes only with its own outcomes; a
safeguarding concern only once the authorities were informed or the DSL says why not; nothing is pre-chosen for a
hurried person; and closing a case nobody acknowledged is said plainly in the chronology.

The rules live in ``actions.close_case``: the API or any other caller meets the same refusals as the page.
"""

from __future__ import annotations

import re

from custos.audit.models import AuditEvent
from custos.cases import actions, forms
from custos.cases.actions import CaseError
from custos.cases.models import Case, EntryKind, Status
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import CASE_TYPES, Agency, CaseType, Outcome

# Written out by hand, so the test checks types.py rather than repeating it.
OUTCOMES = {
    CaseType.SAFEGUARDING: {"referred", "action_taken", "nfa"},
    CaseType.ILLEGAL_CONTENT: {"referred", "action_taken", "nfa"},
    CaseType.FRIEND_REQUEST: {"action_taken", "nfa"},
    CaseType.MEDIA_ENQUIRY: {"responded", "declined"},
    CaseType.BREACH: {"action_taken", "disciplinary", "contractor_procedure", "nfa"},
    CaseType.DISCIPLINARY: {"disciplinary", "contractor_procedure", "referred", "nfa"},
    CaseType.ALLEGATION: {"substantiated", "unsubstantiated", "unfounded", "false", "malicious"},
}
OWNER = {
    CaseType.SAFEGUARDING: "dsl",
    CaseType.ILLEGAL_CONTENT: "dsl",
    CaseType.FRIEND_REQUEST: "pastoral",
    CaseType.MEDIA_ENQUIRY: "head",
    CaseType.BREACH: "head",
    CaseType.DISCIPLINARY: "hr",
    CaseType.ALLEGATION: "head",
}
REASON = "Parents and pupil seen; a falling-out between friends, no risk of harm: threshold for referral not met."


def options(html: str, select_id: str) -> list[tuple[str, str, bool]]:
    """(value, text, selected) of each option of one <select> on a page."""
    block = re.search(rf'<select [^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert block is not None, select_id
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', block.group(1))
    return [(value, text, bool(selected)) for value, selected, text in found]


class OutcomesPerTypeTests(CasesTestCase):
    def test_a23_a56_each_case_type_offers_only_its_own_outcomes_in_types_py(self) -> None:
        for case_type, expected in OUTCOMES.items():
            with self.subTest(case_type=case_type):
                self.assertEqual({o.value for o in CASE_TYPES[case_type].outcomes}, expected)

    def test_a23_the_close_form_lists_only_the_types_outcomes_after_a_blank_choose(self) -> None:
        for case_type, expected in OUTCOMES.items():
            with self.subTest(case_type=case_type):
                case = self.open(case_type)
                page = self.client_for(getattr(self, OWNER[case_type])).get(f"/cases/{case.reference}/")
                listed = options(page.content.decode(), "id_close_outcome")
                self.assertEqual(listed[0], ("", "Choose…", True))
                self.assertEqual({value for value, _, _ in listed[1:]}, expected)
                self.assertFalse(any(selected for _, _, selected in listed[1:]))

    def test_a23_a56_every_type_refuses_every_outcome_not_its_own_and_changes_nothing(self) -> None:
        for case_type, allowed in OUTCOMES.items():
            case = self.open(case_type)
            owner = getattr(self, OWNER[case_type])
            for outcome in set(Outcome.values) - allowed:
                with self.subTest(case_type=case_type, outcome=outcome):
                    refusal = f"{CASE_TYPES[case_type].label.lower()} ({CASE_TYPES[case_type].clause}). Choose one of"
                    with self.assertRaisesMessage(CaseError, refusal):
                        actions.close_case(case, by=owner, outcome=outcome, notes="test", no_referral_reason=REASON)
                    self.assertEqual(Case.objects.get(pk=case.pk).status, Status.NEW)
        self.assertFalse(AuditEvent.objects.filter(action="cases.closed").exists())


class SafeguardingClosureTests(CasesTestCase):
    def disclosure(self) -> Case:
        return self.open(
            CaseType.SAFEGUARDING, summary="A pupil wrote: my dad hits me", linked_pupils=[self.pupil_record]
        )

    def test_a23_a_safeguarding_concern_cannot_close_with_a_media_outcome(self) -> None:
        case = self.disclosure()
        with self.assertRaisesMessage(
            CaseError,
            "“Media enquiry: declined to comment” is not an outcome for a safeguarding concern (A.2.3). Choose one of: "
            "“Referred to an external agency”; “Dealt with in school: action taken”; “No further action”.",
        ):
            actions.close_case(case, by=self.dsl, outcome=Outcome.DECLINED_TO_COMMENT, notes="test")
        fresh = Case.objects.get(pk=case.pk)
        self.assertEqual((fresh.status, fresh.outcome), (Status.NEW, ""))
        self.assertFalse(fresh.entries.filter(kind=EntryKind.CLOSED).exists())

    def test_a23_the_page_refuses_a_media_outcome_beside_the_outcome_field(self) -> None:
        case = self.disclosure()
        response = self.client_for(self.dsl).post(
            f"/cases/{case.reference}/close/", {"outcome": "declined", "notes": "test", "no_referral_reason": ""}
        )
        self.assertContains(response, "There is a problem", status_code=400)
        self.assertContains(
            response, "Choose one of the outcomes listed for safeguarding concern cases (A.2.3)", status_code=400
        )
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.NEW)

    def test_a23_a_safeguarding_concern_cannot_close_without_a_referral_or_a_reason(self) -> None:
        case = self.disclosure()
        for outcome in ("action_taken", "nfa"):
            with (
                self.subTest(outcome=outcome),
                self.assertRaisesMessage(
                    CaseError,
                    "Record the referral to an external agency before closing (A.2.3), or say why no referral was "
                    "made.",
                ),
            ):
                actions.close_case(case, by=self.dsl, outcome=outcome, notes="test")
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.NEW)
        response = self.client_for(self.dsl).post(
            f"/cases/{case.reference}/close/", {"outcome": "nfa", "notes": "test", "no_referral_reason": ""}
        )
        self.assertContains(response, 'id="id_close_no_referral_reason-error"', status_code=400)
        self.assertContains(response, "Record the referral to an external agency", status_code=400)
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.NEW)

    def test_a23_a_safeguarding_concern_closes_with_a_written_reason_kept_in_the_chronology(self) -> None:
        case = self.disclosure()
        actions.acknowledge(case, by=self.dsl)
        closed = actions.close_case(
            case, by=self.dsl, outcome="nfa", notes="Spoke to the family.", no_referral_reason=REASON
        )
        self.assertEqual((closed.status, closed.no_referral_reason), (Status.CLOSED, REASON))
        entry = closed.entries.get(kind=EntryKind.CLOSED)
        self.assertIn(f"No referral to an external agency (A.2.3) because: {REASON}", entry.text)
        event = AuditEvent.objects.get(action="cases.closed")
        self.assertTrue(event.changes["closed_without_required_referral"])
        page = self.client_for(self.dsl).get(f"/cases/{case.reference}/")
        self.assertContains(page, f"No referral: {REASON}")

    def test_a23_a_one_word_reason_is_not_a_reason(self) -> None:
        case = self.disclosure()
        with self.assertRaisesMessage(
            CaseError,
            "Say in a few words why no referral to an external agency was made (A.2.3): “n/a” does not say why.",
        ):
            actions.close_case(case, by=self.dsl, outcome="nfa", notes="test", no_referral_reason="n/a")
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.NEW)

    def test_a23_a_recorded_referral_to_an_authority_lets_it_close_but_telling_the_platform_alone_does_not(
        self,
    ) -> None:
        case = self.disclosure()
        actions.record_referral(case, by=self.dsl, agency=Agency.PLATFORM, reference="IG-1", referred_on=self.today())
        with self.assertRaisesMessage(CaseError, "Telling the platform is not a referral to an authority."):
            actions.close_case(case, by=self.dsl, outcome="action_taken", notes="Reported the account")
        actions.record_referral(
            case, by=self.dsl, agency=Agency.CHILDRENS_SOCIAL_CARE, reference="MASH-7", referred_on=self.today()
        )
        closed = actions.close_case(case, by=self.dsl, outcome="referred", notes="MASH took it on")
        self.assertEqual((closed.status, closed.outcome), (Status.CLOSED, "referred"))
        self.assertFalse(AuditEvent.objects.get(action="cases.closed").changes["closed_without_required_referral"])

    def test_a23_referred_is_refused_until_a_referral_is_recorded_even_with_a_reason(self) -> None:
        case = self.disclosure()
        with self.assertRaisesMessage(
            CaseError, "The outcome says the case was referred, but no referral is recorded (A.2.3)"
        ):
            actions.close_case(case, by=self.dsl, outcome="referred", notes="Police told", no_referral_reason=REASON)
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.NEW)

    def test_a56_illegal_content_still_needs_police_or_ceop_not_just_any_agency(self) -> None:
        case = self.open(CaseType.ILLEGAL_CONTENT)
        actions.record_referral(
            case, by=self.dsl, agency=Agency.CHILDRENS_SOCIAL_CARE, reference="", referred_on=self.today()
        )
        with self.assertRaisesMessage(CaseError, "Record the referral to Police or CEOP before closing (A.5.6)"):
            actions.close_case(case, by=self.dsl, outcome="referred", notes="MASH told")
        actions.record_referral(case, by=self.dsl, agency=Agency.POLICE, reference="P-1", referred_on=self.today())
        self.assertEqual(
            actions.close_case(case, by=self.dsl, outcome="referred", notes="Police told").status, Status.CLOSED
        )

    def test_a37_a_media_enquiry_needs_no_referral_and_its_form_does_not_ask_why_not(self) -> None:
        case = self.open(CaseType.MEDIA_ENQUIRY)
        self.assertNotIn("no_referral_reason", forms.CloseForm(case=case).fields)
        page = self.client_for(self.head).get(f"/cases/{case.reference}/")
        self.assertNotContains(page, "why not")
        self.assertEqual(
            actions.close_case(case, by=self.head, outcome="declined", notes="No comment").status, Status.CLOSED
        )


class UnacknowledgedClosureTests(CasesTestCase):
    def test_a23_closing_a_new_unassigned_case_is_allowed_for_its_owner_and_said_plainly(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        page = self.client_for(self.dsl).get(f"/cases/{case.reference}/")
        self.assertContains(page, "Nobody has acknowledged this case yet and it is not assigned to anyone.")
        closed = actions.close_case(
            case, by=self.dsl, outcome="nfa", notes="Duplicate of a case already dealt with", no_referral_reason=REASON
        )
        entry = closed.entries.get(kind=EntryKind.CLOSED)
        self.assertIn(
            "Dsl Persona closed it without it having been acknowledged first; it was not assigned to anyone.",
            entry.text,
        )
        self.assertEqual((entry.by, closed.closed_by, closed.acknowledged_by), (self.dsl, self.dsl, self.dsl))
        event = AuditEvent.objects.get(action="cases.closed")
        self.assertEqual(event.changes["was"], {"status": "new", "assigned_to": None})

    def test_a23_closing_a_case_assigned_to_someone_else_names_them(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        actions.acknowledge(case, by=self.dsl)
        actions.assign(case, by=self.dsl, to=self.deputy_dsl)
        closed = actions.close_case(case, by=self.dsl, outcome="nfa", notes="Seen", no_referral_reason=REASON)
        self.assertIn(
            "Dsl Persona closed it; it was assigned to Deputy_Dsl Persona.",
            closed.entries.get(kind=EntryKind.CLOSED).text,
        )

    def test_a23_the_owner_closing_their_own_case_adds_nothing_more(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        actions.acknowledge(case, by=self.dsl)
        closed = actions.close_case(case, by=self.dsl, outcome="nfa", notes="Seen", no_referral_reason=REASON)
        self.assertTrue(closed.entries.get(kind=EntryKind.CLOSED).text.startswith("Closed: No further action. Seen"))

    def test_a23_an_outsider_cannot_close_a_case_and_nothing_changes(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        response = self.client_for(self.outsider).post(
            f"/cases/{case.reference}/close/", {"outcome": "nfa", "notes": "x", "no_referral_reason": REASON}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.NEW)


class NothingPreChosenTests(CasesTestCase):
    def test_a23_no_agency_or_outcome_is_pre_selected(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        html = self.client_for(self.dsl).get(f"/cases/{case.reference}/").content.decode()
        for select_id in ("id_referral_agency", "id_close_outcome"):
            with self.subTest(select=select_id):
                listed = options(html, select_id)
                self.assertEqual(listed[0], ("", "Choose…", True))
                self.assertEqual([text for _, text, selected in listed if selected], ["Choose…"])

    def test_a23_a_referral_without_an_agency_says_choose_the_agency_and_records_nothing(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        response = self.client_for(self.dsl).post(
            f"/cases/{case.reference}/referral/", {"agency": "", "referred_on": self.today().isoformat()}
        )
        self.assertContains(response, "Choose the agency the case was referred to.", status_code=400)
        self.assertFalse(case.entries.filter(kind=EntryKind.REFERRAL).exists())
        with self.assertRaisesMessage(CaseError, "Choose the agency"):
            actions.record_referral(case, by=self.dsl, agency="", reference="", referred_on=self.today())

    def test_a23_closing_without_an_outcome_says_choose_the_outcome_and_changes_nothing(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        response = self.client_for(self.dsl).post(
            f"/cases/{case.reference}/close/", {"outcome": "", "notes": "test", "no_referral_reason": REASON}
        )
        self.assertContains(response, "Choose the outcome.", status_code=400)
        with self.assertRaisesMessage(CaseError, "Choose the outcome."):
            actions.close_case(case, by=self.dsl, outcome="", notes="test", no_referral_reason=REASON)
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.NEW)
