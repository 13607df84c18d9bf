"""A.2.2, A.2.3: grooming builds over time. A member's recent messages in a space are screened together; a pattern
no single message raised puts the message that completed it at the top of the queue as escalate, once, and the
moderator sees the messages that formed it, in time order, each linked with its own state."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from custos.api import actions as api_actions
from custos.api.models import ExternalComment, ExternalCommentState
from custos.audit.models import AuditEvent
from custos.cases.models import Case
from custos.community.actions import apply_screening
from custos.community.models import Contribution, ContributionState
from custos.community.tests.base import SpaceTestCase
from custos.lib.screening import context_for
from custos.moderation import actions as moderation
from custos.moderation import conversations
from custos.moderation.models import ConversationFinding
from custos.moderation.tests.test_third_party_comments import CommentQueueTestCase
from custos.screening import ScreeningContext, Venue

# Each passes screening alone; together, asking a child's age and moving to a private channel are a grooming
# pattern (two weaker signals).
FRIENDLY = [
    "Great work on the rocket project everyone, really impressive!",
    "You are clearly the smartest one in the club. How old are you?",
    "Brilliant question about gravity today, keep it up.",
    "I can lend you my old telescope if you like, it's a good one.",
]
COMPLETES = "Message me privately and I'll tell you more about it"
MATCH_BUS = [
    "Match bus leaves at 8:15 from the front gate on Saturday.",
    "Bring your kit, a packed lunch and a water bottle.",
    "The bus back should arrive at school around 4pm, parents please collect.",
    "Well done everyone, great effort in the second half!",
    "Training moved to Wednesday this week because of the hall booking.",
    "Message me privately if your child can't make the bus and I'll sort a lift list.",
]


class ConversationTests(SpaceTestCase):
    def friendly_then_fifth(self) -> tuple[list[Contribution], Contribution]:
        first_four = []
        for text in FRIENDLY:
            item = self.screened(self.external, text)
            self.assertEqual((item.state, item.severity_rank, item.findings), ("pending", 0, []), text)
            first_four.append(moderation.approve(item, by=self.moderator))
        return first_four, self.screened(self.external, COMPLETES)

    def test_a22_a23_the_fifth_friendly_message_crosses_the_conversation_threshold(self) -> None:
        first_four, fifth = self.friendly_then_fifth()
        self.assertEqual(fifth.state, ContributionState.PENDING)  # for a moderator to read, not auto-escalated
        self.assertEqual(fifth.severity, "escalate")
        [finding] = [f for f in fifth.findings if "conversation" in f]
        self.assertEqual(
            (finding["category"], finding["kind"], finding["severity"]), ("safeguarding", "grooming", "escalate")
        )
        self.assertIn("A.2.3", finding["clauses"])
        row = ConversationFinding.objects.get()
        self.assertEqual(row.raised_on_contribution, fifth)
        self.assertEqual({c.pk for c in row.contributions.all()}, {first_four[1].pk, fifth.pk})
        self.assertEqual(finding["conversation"], {"id": row.pk, "messages": [first_four[1].pk, fifth.pk]})
        event = AuditEvent.objects.get(action="moderation.conversation_finding")
        self.assertEqual(event.object_id, str(fifth.pk))
        self.assertEqual(event.changes["messages"], [first_four[1].pk, fifth.pk])
        self.assertFalse(Case.objects.exists())

    def test_a54_the_moderator_sees_the_messages_that_formed_it_in_time_order_each_linked_with_its_state(
        self,
    ) -> None:
        first_four, fifth = self.friendly_then_fifth()
        html = self.client_for(self.moderator).get(reverse("moderation:queue", args=[self.site.pk])).content.decode()
        block = html[html.index('class="conversation"') :]
        asked, completes = block.index("How old are you?"), block.index("Message me privately")
        self.assertLess(asked, completes)
        self.assertIn(reverse("moderation:item", args=[first_four[1].pk]), block)
        self.assertIn(reverse("moderation:item", args=[fifth.pk]), block)
        self.assertIn("Approved", block[:completes])
        self.assertIn("Waiting for a moderator", block[asked:])
        self.assertNotIn("Brilliant question", block)  # only the messages that formed it
        # Each link opens the message for the space's moderators, whatever its state.
        page = self.client_for(self.moderator).get(reverse("moderation:item", args=[first_four[1].pk]))
        self.assertContains(page, "How old are you?")
        self.assertContains(page, "Approved")
        for outsider in (self.pupil, self.external, self.outsider, self.dsl):
            response = self.client_for(outsider).get(reverse("moderation:item", args=[fifth.pk]))
            self.assertEqual(response.status_code, 404, outsider)

    def test_a56_it_cannot_be_approved_and_escalating_it_opens_a_case(self) -> None:
        _, fifth = self.friendly_then_fifth()
        with self.assertRaises(moderation.ModerationError):
            moderation.approve(fifth, by=self.moderator)
        moderation.escalate(fifth, by=self.moderator, note="Asked a pupil's age, then to talk privately.")
        case = Case.objects.get()
        self.assertIn("grooming", str(case.details["findings"]))

    def test_a22_the_same_pattern_over_the_same_messages_is_raised_once(self) -> None:
        _, fifth = self.friendly_then_fifth()
        sixth = self.screened(self.external, "See you all next week.")
        self.assertEqual((sixth.severity_rank, sixth.findings), (0, []))
        self.assertEqual(ConversationFinding.objects.count(), 1)
        self.assertEqual(apply_screening(fifth.pk), "already screened")
        # Claiming the same pattern over the same messages again records nothing.
        [pattern] = conversations.for_contribution(fifth, _context(self), [])
        with transaction.atomic():
            self.assertIsNone(conversations.claim(pattern, raised_on=sixth))
        self.assertEqual(ConversationFinding.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="moderation.conversation_finding").count(), 1)

    def test_a22_a_coachs_ordinary_messages_about_the_match_bus_never_raise_it(self) -> None:
        for text in MATCH_BUS:
            item = self.screened(self.teacher, text)
            self.assertLess(item.severity_rank, 3, text)
            self.assertFalse([f for f in item.findings if "conversation" in f], text)
        self.assertFalse(ConversationFinding.objects.exists())

    def test_a22_other_members_messages_are_not_joined_to_the_authors(self) -> None:
        self.screened(self.pupil2, FRIENDLY[1])
        item = self.screened(self.external, COMPLETES)
        self.assertEqual(item.severity_rank, 0)
        self.assertFalse(ConversationFinding.objects.exists())

    def test_a22_messages_older_than_the_window_are_not_joined(self) -> None:
        asked = self.screened(self.external, FRIENDLY[1])
        Contribution.objects.filter(pk=asked.pk).update(created_at=timezone.now() - dt.timedelta(days=15))
        self.assertEqual(self.screened(self.external, COMPLETES).severity_rank, 0)
        self.assertFalse(ConversationFinding.objects.exists())

    @override_settings(CUSTOS_CONVERSATION_MESSAGES=3)
    def test_a22_only_the_last_messages_of_the_window_are_joined(self) -> None:
        self.screened(self.external, FRIENDLY[1])
        for text in (FRIENDLY[2], FRIENDLY[3]):
            self.screened(self.external, text)
        self.assertEqual(self.screened(self.external, COMPLETES).severity_rank, 0)
        self.assertFalse(ConversationFinding.objects.exists())

    def test_a56_a_message_escalated_alone_is_not_also_raised_as_a_conversation(self) -> None:
        self.screened(self.external, FRIENDLY[1])
        alone = self.screened(self.external, "Don't tell your parents we talk, message me privately")
        self.assertEqual(alone.state, ContributionState.ESCALATED)
        self.assertFalse(ConversationFinding.objects.exists())

    def test_a22_a_conversation_finding_is_deleted_with_the_message_it_was_raised_on(self) -> None:
        _, fifth = self.friendly_then_fifth()
        Contribution.objects.filter(pk=fifth.pk).delete()
        self.assertFalse(ConversationFinding.objects.exists())


class ThirdPartyConversationTests(CommentQueueTestCase):
    def by(self, author: str, *texts: str, prefix: str) -> list[ExternalComment]:
        incoming = [
            api_actions.IncomingComment(external_id=f"{prefix}-{n}", text=t, author_name=author)
            for n, t in enumerate(texts)
        ]
        return [
            r.comment
            for r in api_actions.submit_third_party_comments(self.integration.token, site=self.site, comments=incoming)
        ]

    def test_a22_a55_one_authors_comments_are_screened_together_and_wait_as_escalate(self) -> None:
        earlier = self.by("Dave Coach", *FRIENDLY, prefix="a")
        self.assertEqual([c.severity_rank for c in earlier], [0, 0, 0, 0])
        [fifth] = self.by("Dave Coach", COMPLETES, prefix="b")
        self.assertEqual((fifth.state, fifth.severity), (ExternalCommentState.PENDING, "escalate"))
        self.assertIsNone(fifth.case_opened_at)  # a moderator decides: no case on arrival
        self.assertFalse(Case.objects.exists())
        row = ConversationFinding.objects.get()
        self.assertEqual(row.raised_on_comment, fifth)
        self.assertEqual({c.pk for c in row.comments.all()}, {earlier[1].pk, fifth.pk})
        html = self.client_for(self.moderator).get(self.queue_url()).content.decode()
        block = html[html.index('class="conversation"') :]
        self.assertLess(block.index("How old are you?"), block.index("Message me privately"))
        # Re-sent by a retrying integration: nothing new.
        self.by("Dave Coach", COMPLETES, prefix="b")
        self.assertEqual(ConversationFinding.objects.count(), 1)

    def test_a22_comments_by_another_author_or_with_no_name_are_not_joined(self) -> None:
        self.by("Dave Coach", FRIENDLY[1], prefix="a")
        [other] = self.by("Someone Else", COMPLETES, prefix="b")
        [unnamed] = self.by("", FRIENDLY[1], COMPLETES, prefix="c")[-1:]
        self.assertEqual((other.severity_rank, unnamed.severity_rank), (0, 0))
        self.assertFalse(ConversationFinding.objects.exists())


def _context(case: SpaceTestCase) -> ScreeningContext:
    return context_for(school=case.school, author=case.external, venue=Venue.SCHOOL_SITE)
