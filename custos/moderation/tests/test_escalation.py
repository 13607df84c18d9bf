"""A.5.6, A.2.3: extreme offence and safeguarding concerns are never posted; a case goes at once to the DSL and
deputies, keeping the original text; the moderator sees only that it was escalated."""

from __future__ import annotations

from django.urls import reverse

from custos.cases.models import Case
from custos.community.models import ContributionState
from custos.community.tests.base import SpaceTestCase
from custos.core.waiting import waiting_for
from custos.moderation import actions
from custos.tasks.worker import run_once
from custos.test import LocalSMTPServer

DISCLOSURE = "he touched me and said keep it secret  (really)"


class EscalationTests(SpaceTestCase):
    def test_a56_a_contribution_screening_marks_escalate_is_never_posted_and_opens_a_case(self) -> None:
        item = self.screened(self.pupil, DISCLOSURE)
        self.assertEqual(item.state, ContributionState.ESCALATED)
        case = Case.objects.get()
        self.assertEqual(case.linked_content, DISCLOSURE)  # exactly as written, spaces and all
        self.assertEqual(case.source_ref, f"community.contribution:{item.pk}")
        self.assertEqual(list(case.linked_pupils.all()), [self.pupil_record])
        for viewer in (self.pupil2, self.external):
            body = self.client_for(viewer).get(reverse("community:feed_json", args=[self.site.pk])).content.decode()
            self.assertNotIn("touched", body)

    def test_a23_an_escalated_contribution_reaches_the_dsls_mailbox_on_a_real_smtp_server(self) -> None:
        with LocalSMTPServer() as smtp:
            self.screened(self.pupil, DISCLOSURE)
            run_once()
            run_once()
        case = Case.objects.get()
        self.assertTrue(smtp.to(self.dsl.email), "the DSL got no mail")
        self.assertTrue(smtp.to(self.deputy_dsl.email), "the deputy DSL got no mail")
        self.assertIn(case.reference, " ".join(m["Subject"] + smtp.body(m) for m in smtp.to(self.dsl.email)))

    def test_a23_the_case_is_on_the_dsls_waiting_for_me(self) -> None:
        self.screened(self.pupil, DISCLOSURE)
        case = Case.objects.get()
        self.dsl.__dict__.pop("_roles_cache", None)
        self.assertTrue(any(case.reference in item.title or str(case.pk) in item.url for item in waiting_for(self.dsl)))

    def test_a56_the_moderator_sees_it_was_escalated_but_not_the_case_or_its_text(self) -> None:
        self.screened(self.pupil, DISCLOSURE)
        case = Case.objects.get()
        page = self.client_for(self.moderator).get(reverse("moderation:queue", args=[self.site.pk])).content.decode()
        self.assertIn("Escalated to the safeguarding lead", page)
        self.assertNotIn("touched", page)
        self.assertNotIn(case.reference, page)

    def test_a56_hate_speech_is_never_posted(self) -> None:
        item = self.screened(self.pupil, "you stupid n*gger")
        self.assertEqual(item.state, ContributionState.ESCALATED)

    def test_a56_a_moderator_escalates_a_pending_item_and_it_is_never_posted(self) -> None:
        item = self.screened(self.pupil, "I do not want to go home tonight")
        if item.state == ContributionState.PENDING:
            actions.escalate(item, by=self.moderator, note="Worried about home.", concern="abuse_disclosure")
        item.refresh_from_db()
        self.assertEqual(item.state, ContributionState.ESCALATED)
        self.assertEqual(Case.objects.get().linked_content, "I do not want to go home tonight")

    def test_a56_escalating_without_a_reason_changes_nothing(self) -> None:
        item = self.screened(self.pupil, "Magnets")
        with self.assertRaisesMessage(actions.ModerationError, "A.2.3"):
            actions.escalate(item, by=self.moderator, note=" ")
        item.refresh_from_db()
        self.assertEqual(item.state, ContributionState.PENDING)
        self.assertFalse(Case.objects.exists())
