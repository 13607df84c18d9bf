"""A.5.4, A.2.2: a member who reports a post is told, kindly, what was decided: by email and on the space.
Never the moderator's private note, the author or who else reported it."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from custos.community import actions as community
from custos.community.models import Contribution
from custos.community.tests.base import SpaceTestCase
from custos.mail.models import Email
from custos.moderation import actions


class ReporterOutcomeTests(SpaceTestCase):
    def reported(self, body: str = "Look at this") -> Contribution:
        item = self.screened(self.pupil, body)
        actions.approve(item, by=self.moderator)
        with time_machine.travel("2026-11-24 10:00 +0000", tick=False):
            community.report(item, by=self.pupil2, reason="It is unkind.")
        return item

    def outcome_mail(self, user: object) -> Email:
        return Email.objects.get(to=user.email, subject__startswith="What happened to the post you reported")  # type: ignore[attr-defined]

    def test_a54_a22_the_reporter_is_emailed_when_a_reported_post_is_kept_up(self) -> None:
        item = self.reported()
        actions.dismiss_reports(item, by=self.moderator)
        mail = self.outcome_mail(self.pupil2)
        self.assertIn("On 24/11 you reported a post in Year 8 Science Club", mail.body)
        self.assertIn("decided to keep it up", mail.body)
        self.assertIn("Thank you for telling us.", mail.body)
        self.assertNotIn("A.5", mail.body)

    def test_a54_a22_the_reporter_is_emailed_when_a_reported_post_is_taken_down_without_the_private_note(self) -> None:
        item = self.reported()
        actions.remove(item, by=self.moderator, house_rule=1, note="Private: spoke to the form tutor about Alexa.")
        mail = self.outcome_mail(self.pupil2)
        self.assertIn("decided to take it down", mail.body)
        for secret in ("form tutor", "House Rule", self.membership(self.pupil).pseudonym, "Moderator"):
            self.assertNotIn(secret, mail.body)
        self.assertFalse(Email.objects.filter(to=self.pupil2.email, subject__contains="was removed").exists())

    def test_a54_a_reporter_is_told_once_and_each_reporter_only_about_their_own_report(self) -> None:
        item = self.reported()
        community.report(item, by=self.external, reason="Off topic")
        actions.dismiss_reports(item, by=self.moderator)
        self.assertEqual(Email.objects.filter(subject__startswith="What happened to the post you reported").count(), 2)
        for user in (self.pupil2, self.external):
            body = self.outcome_mail(user).body
            self.assertNotIn("Off topic", body)
            self.assertNotIn("It is unkind", body)
        with self.assertRaises(actions.AlreadyDecided):
            actions.dismiss_reports(item, by=self.second_moderator)
        self.assertEqual(Email.objects.filter(subject__startswith="What happened to the post you reported").count(), 2)

    def test_a54_a22_the_space_shows_the_reporter_what_happened(self) -> None:
        item = self.reported()
        page = self.client_for(self.pupil2).get(reverse("community:space", args=[self.site.pk]))
        self.assertContains(page, "You reported a post on")
        self.assertContains(page, "a member of staff will look at it soon")
        actions.dismiss_reports(item, by=self.moderator)
        page = self.client_for(self.pupil2).get(reverse("community:space", args=[self.site.pk]))
        self.assertContains(page, "24/11</time>: a member of staff looked at it and decided to keep it up.")
        self.assertContains(page, "Thank you for telling us.")
        other = self.client_for(self.pupil).get(reverse("community:space", args=[self.site.pk]))
        self.assertNotContains(other, "You reported")

    def test_a54_a22_the_space_shows_the_reporter_a_post_was_taken_down(self) -> None:
        item = self.reported()
        actions.escalate(item, by=self.moderator, note="Worrying", concern="bullying")
        page = self.client_for(self.pupil2).get(reverse("community:space", args=[self.site.pk]))
        self.assertContains(page, "decided to take it down.")
        self.assertNotContains(page, "safeguarding")
        self.assertNotContains(page, "Worrying")
