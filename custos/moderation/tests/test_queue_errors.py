"""A.5.3, A.5.7: a refused decision in the moderators' queue is shown at its item and in an error summary that
takes focus, names the post, and keeps what the moderator typed."""

from __future__ import annotations

from django.urls import reverse

from custos.community import actions as community
from custos.community.tests.base import SpaceTestCase
from custos.moderation import actions


class QueueErrorTests(SpaceTestCase):
    def test_a57_reject_without_a_house_rule_names_the_post_keeps_the_note_and_marks_the_item(self) -> None:
        item = self.screened(self.pupil, "Random chat about the football match on Saturday afternoon at the park")
        pseudonym = self.membership(self.pupil).pseudonym
        response = self.client_for(self.moderator).post(
            reverse("moderation:decide", args=[item.pk]),
            {"action": "reject", "note": "Keep it to science, please.", "house_rule": ""},
        )
        self.assertEqual(response.status_code, 400)
        begins = "beginning “Random chat about the football match on Saturday…”: Choose the House Rule"
        summary = '<div class="error-summary" role="alert" tabindex="-1"'
        self.assertContains(response, summary, status_code=400)
        self.assertContains(response, f'<a href="#q-rule-{item.pk}">The post by {pseudonym}', status_code=400)
        self.assertContains(response, begins, count=2, status_code=400)  # in the summary and at the item
        self.assertContains(response, f'<p class="error-message" id="q-error-{item.pk}">', status_code=400)
        self.assertContains(response, 'value="Keep it to science, please."', status_code=400)
        self.assertContains(
            response, f'id="q-rule-{item.pk}" aria-invalid="true" aria-describedby="q-error-{item.pk}"', status_code=400
        )
        item.refresh_from_db()
        self.assertEqual(item.state, "pending")

    def test_a57_the_chosen_rule_is_kept_when_the_error_is_about_something_else(self) -> None:
        item = self.screened(self.pupil, "Hello")
        response = self.client_for(self.moderator).post(
            reverse("moderation:decide", args=[item.pk]), {"action": "escalate", "note": "", "house_rule": "2"}
        )
        self.assertContains(response, f'<a href="#q-note-{item.pk}">', status_code=400)
        self.assertContains(response, "Say briefly why this needs the safeguarding lead", status_code=400)
        self.assertContains(response, '<option value="2" selected>', status_code=400)

    def test_a57_removing_a_reported_post_without_a_rule_is_shown_at_the_report(self) -> None:
        item = self.screened(self.pupil, "Look at this")
        actions.approve(item, by=self.moderator)
        report = community.report(item, by=self.pupil2, reason="Unkind")
        response = self.client_for(self.moderator).post(
            reverse("moderation:decide", args=[item.pk]), {"action": "remove", "note": "Tone", "house_rule": ""}
        )
        self.assertContains(response, f'<a href="#rem-rule-{report.pk}">The post by', status_code=400)
        self.assertContains(response, f'id="rem-note-{report.pk}" maxlength="1000" value="Tone"', status_code=400)

    def test_a53_an_outsider_posting_a_decision_gets_404_and_no_queue(self) -> None:
        item = self.screened(self.pupil, "Hello")
        response = self.client_for(self.outsider).post(
            reverse("moderation:decide", args=[item.pk]), {"action": "reject", "house_rule": ""}
        )
        self.assertEqual(response.status_code, 404)

    def test_a57_a_refused_removal_from_the_post_page_goes_back_to_the_post_naming_it(self) -> None:
        item = self.screened(self.pupil, "Look at this")
        actions.approve(item, by=self.moderator)
        response = self.client_for(self.moderator).post(
            reverse("moderation:decide", args=[item.pk]),
            {"action": "remove", "house_rule": "", "origin": "contribution"},
            follow=True,
        )
        self.assertEqual(
            response.redirect_chain[-1][0], reverse("community:contribution", args=[self.site.pk, item.pk])
        )
        self.assertContains(response, "The post by")
