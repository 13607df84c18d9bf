"""A.5.3, A.5.4, A.5.6: the contribution state machine, transition by transition."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from custos.community.models import CONTRIBUTION_TRANSITIONS, ContributionState, SpaceSettings
from custos.community.tests.base import SpaceTestCase
from custos.moderation import actions


class TransitionTests(SpaceTestCase):
    def test_a53_the_allowed_transitions_are_exactly_these(self) -> None:
        self.assertEqual(
            {k: set(v) for k, v in CONTRIBUTION_TRANSITIONS.items()},
            {
                "screening": {"pending", "approved", "escalated"},
                "pending": {"approved", "rejected", "escalated"},
                "approved": {"removed", "escalated"},
                "rejected": set(),
                "escalated": set(),
                "removed": set(),
            },
        )

    def test_a53_pending_can_be_approved(self) -> None:
        item = self.screened(self.pupil, "One")
        actions.approve(item, by=self.moderator)
        self.assertEqual(item.state, ContributionState.APPROVED)

    def test_a54_approved_cannot_be_rejected_only_removed(self) -> None:
        item = self.screened(self.pupil, "One")
        actions.approve(item, by=self.moderator)
        with self.assertRaises(actions.AlreadyDecided):
            actions.reject(item, by=self.moderator, house_rule=1)
        actions.remove(item, by=self.moderator, house_rule=1)
        self.assertEqual(item.state, ContributionState.REMOVED)

    def test_a54_pending_cannot_be_removed(self) -> None:
        item = self.screened(self.pupil, "One")
        with self.assertRaises(actions.ModerationError):
            actions.remove(item, by=self.moderator, house_rule=1)

    def test_a54_rejected_is_final(self) -> None:
        item = self.screened(self.pupil, "One")
        actions.reject(item, by=self.moderator, house_rule=1)
        for attempt in (
            lambda: actions.approve(item, by=self.moderator),
            lambda: actions.escalate(item, by=self.moderator, note="x", concern="bullying"),
            lambda: actions.remove(item, by=self.moderator, house_rule=1),
        ):
            with self.assertRaises(actions.ModerationError):
                attempt()

    def test_a56_an_approved_contribution_can_still_be_escalated_and_comes_down(self) -> None:
        item = self.screened(self.pupil, "One")
        actions.approve(item, by=self.moderator)
        actions.escalate(item, by=self.moderator, note="A parent raised a concern about this.", concern="bullying")
        self.assertEqual(item.state, ContributionState.ESCALATED)
        feed = self.client_for(self.pupil2).get(reverse("community:feed_json", args=[self.site.pk]))
        self.assertNotContains(feed, '"body": "One"')


class FeedQueryCountTests(SpaceTestCase):
    def test_a53_the_space_page_makes_the_same_number_of_queries_for_two_posts_or_twenty(self) -> None:
        SpaceSettings.objects.create(site=self.site, rate_limit_per_minute=100)
        client = self.client_for(self.pupil2)
        url = reverse("community:space", args=[self.site.pk])

        def add(n: int) -> None:
            for i in range(n):
                item = self.screened(self.pupil if i % 2 else self.external, f"Post {i}")
                actions.approve(item, by=self.moderator)
                comment = self.screened(self.pupil2, f"Comment {i}", parent=item)
                actions.approve(comment, by=self.moderator)

        add(2)
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        add(8)
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        self.assertEqual(len(few), len(many))
