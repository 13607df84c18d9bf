"""A.5.3, A.5.7: every contribution is saved pending, screened in the background and shown to no one but its
author and the moderators until a moderator approves it."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from custos.community.models import Contribution, ContributionState
from custos.community.tests.base import SpaceTestCase, make_space
from custos.moderation import actions as moderation
from custos.tasks.worker import run_once


class PreModerationTests(SpaceTestCase):
    def urls_for(self, contribution: Contribution) -> list[str]:
        pk, cid = self.site.pk, contribution.pk
        return [
            reverse("community:space", args=[pk]),
            reverse("community:contribution", args=[pk, cid]),
            reverse("community:report", args=[pk, cid]),
            reverse("community:feed_json", args=[pk]),
            reverse("community:image", args=[pk, cid]),
        ]

    def test_a53_a_new_post_is_saved_pending_and_screened_in_the_background(self) -> None:
        contribution = self.post(self.pupil, "We measured the pendulum today.")
        self.assertEqual(contribution.state, ContributionState.SCREENING)
        run_once()
        contribution.refresh_from_db()
        self.assertEqual(contribution.state, ContributionState.PENDING)
        self.assertIsNotNone(contribution.screened_at)

    def test_a53_a_pending_post_is_invisible_to_other_members_at_every_url_and_in_the_api(self) -> None:
        secret = "Pendulum results: seventeen swings per minute"
        contribution = self.screened(self.pupil, secret)
        for viewer in (self.pupil2, self.external):
            client = self.client_for(viewer)
            for url in self.urls_for(contribution):
                response = client.get(url)
                self.assertNotIn(secret, response.content.decode(), f"{url} leaked to {viewer}")
                if "/c/" in url:
                    self.assertEqual(response.status_code, 404, url)
        # Its author sees it, marked as waiting.
        page = self.client_for(self.pupil).get(reverse("community:space", args=[self.site.pk])).content.decode()
        self.assertIn(secret, page)
        self.assertIn("waiting for a moderator", page)

    def test_a53_an_approved_post_is_visible_to_members_everywhere(self) -> None:
        contribution = self.screened(self.pupil, "Our rocket reached twelve metres.")
        moderation.approve(contribution, by=self.moderator)
        client = self.client_for(self.pupil2)
        self.assertContains(client.get(reverse("community:space", args=[self.site.pk])), "twelve metres")
        self.assertContains(client.get(reverse("community:feed_json", args=[self.site.pk])), "twelve metres")

    def test_a53_rejected_and_removed_contributions_stay_hidden_from_other_members(self) -> None:
        rejected = self.screened(self.pupil, "Off topic chatter one")
        moderation.reject(rejected, by=self.moderator, house_rule=3)
        removed = self.screened(self.pupil, "Off topic chatter two")
        moderation.approve(removed, by=self.moderator)
        moderation.remove(removed, by=self.moderator, house_rule=3)
        body = self.client_for(self.pupil2).get(reverse("community:feed_json", args=[self.site.pk])).content.decode()
        self.assertNotIn("Off topic chatter", body)

    def test_a53_pupil_posts_never_skip_premoderation_even_where_staff_posts_may(self) -> None:
        self.site.staff_posts_skip_premoderation = True
        self.site.save()
        staff = self.screened(self.teacher, "Club meets in Lab 3 on Thursday.")
        pupil = self.screened(self.pupil, "See you all in Lab 3.")
        external = self.screened(self.external, "The festival opens on Saturday.")
        self.assertEqual(staff.state, ContributionState.APPROVED)
        self.assertEqual(pupil.state, ContributionState.PENDING)
        self.assertEqual(external.state, ContributionState.PENDING)

    def test_a53_staff_posts_wait_for_moderation_unless_the_approval_allows_otherwise(self) -> None:
        staff = self.screened(self.teacher, "Club meets in Lab 3 on Thursday.")
        self.assertEqual(staff.state, ContributionState.PENDING)

    def test_a53_screening_twice_changes_nothing_the_second_time(self) -> None:
        from custos.community.actions import apply_screening

        contribution = self.post(self.pupil, "Magnets are fun.")
        self.assertEqual(apply_screening(contribution.pk), ContributionState.PENDING)
        self.assertEqual(apply_screening(contribution.pk), "already screened")

    def test_a41_a_member_accepts_the_terms_before_their_first_contribution(self) -> None:
        from custos.community import actions
        from custos.community.models import Membership

        Membership.objects.filter(site=self.site, user=self.pupil2).update(terms_accepted_at=None)
        with self.assertRaisesMessage(actions.CommunityError, "A.4.1"):
            self.post(self.pupil2, "Hello")
        page = self.client_for(self.pupil2).get(reverse("community:space", args=[self.site.pk]))
        self.assertContains(page, "Before your first contribution")
        self.assertContains(page, "Be kind to everyone.")

    def test_a51_engagement_level_limits_what_members_may_add(self) -> None:
        from custos.community import actions

        site = make_space(self.school, self.teacher, [self.moderator], [self.teacher], allow_text=False,
                          allow_comments=False, allow_images=False, title="Notices")  # fmt: skip
        actions.invite(site, by=self.teacher, users=[self.pupil])
        from custos.community.models import Membership

        actions.accept_terms(Membership.objects.get(site=site, user=self.pupil), by=self.pupil)
        with self.assertRaisesMessage(actions.CommunityError, "A.5.1"):
            actions.contribute(site, by=self.pupil, body="Can I post?")

    def test_a53_a_contribution_form_with_nothing_in_it_gets_a_clear_error(self) -> None:
        response = self.client_for(self.pupil).post(reverse("community:contribute", args=[self.site.pk]), {"body": ""})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Write something, or choose an image.", status_code=400)
        self.assertFalse(Contribution.objects.exists())


@override_settings()
class RateLimitTests(SpaceTestCase):
    def test_a53_a_member_posting_too_fast_gets_429_and_others_are_unaffected(self) -> None:
        client = self.client_for(self.pupil)
        url = reverse("community:contribute", args=[self.site.pk])
        codes = [client.post(url, {"body": f"Message {n}"}).status_code for n in range(12)]
        self.assertEqual(codes[:10], [302] * 10)
        self.assertEqual(codes[10:], [429, 429])
        self.assertEqual(self.client_for(self.pupil2).post(url, {"body": "Hi"}).status_code, 302)
