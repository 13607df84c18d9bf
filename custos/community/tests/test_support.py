"""7.4, A.2.1, A.2.3: a pupil who writes something that shows they may be at risk is told, kindly and plainly,
where to get help now; and every author sees in plain words what happened to their own contribution (A.5.3, A.5.7).
"""

from __future__ import annotations

from django.urls import reverse

from custos.community.models import ContributionState
from custos.community.tests.base import SpaceTestCase
from custos.moderation import actions as moderation
from custos.tasks.worker import run_once

DISCLOSURE = "I don't want to go home after club because my stepdad hits me"


class SignpostingTests(SpaceTestCase):
    def send(self, user, body: str):  # type: ignore[no-untyped-def]
        return self.client_for(user).post(
            reverse("community:contribute", args=[self.site.pk]), {"body": body}, follow=True
        )

    def test_a23_a_pupil_who_discloses_harm_is_shown_where_to_get_help_at_once(self) -> None:
        response = self.send(self.pupil, DISCLOSURE)
        self.assertEqual(response.redirect_chain[-1][0], reverse("community:help", args=[self.site.pk]))
        page = response.content.decode()
        for words in (
            "Talk to an adult you trust at school",
            "your teacher or the school's Designated Safeguarding Lead",
            'href="tel:08001111">0800&nbsp;1111</a>',
            "any time, day or night",
            'href="https://www.childline.org.uk/"',
            "childline.org.uk",
            'href="tel:999">999</a>',
            "If you are in danger right now",
            "Only you can see it for now",
        ):
            self.assertIn(words, page)
        for never in ("flagged", "Flagged", "Screening", "A.5.3", "Not on show"):
            self.assertNotIn(never, page)
        self.assertNotIn(self.dsl.get_full_name(), page)  # the role, never the person

    def test_a23_the_background_screening_for_moderation_is_unchanged(self) -> None:
        self.send(self.pupil, DISCLOSURE)
        run_once()
        from custos.cases.models import Case
        from custos.community.models import Contribution

        self.assertEqual(Contribution.objects.get(author=self.pupil).state, ContributionState.ESCALATED)
        self.assertEqual(Case.objects.count(), 1)

    def test_a23_an_ordinary_post_gets_the_ordinary_thank_you_and_no_signposting(self) -> None:
        response = self.send(self.pupil, "Our bean plant grew 4 cm this week!")
        self.assertEqual(response.redirect_chain[-1][0], reverse("community:space", args=[self.site.pk]))
        self.assertContains(response, "A moderator will check it before anyone else can see it")
        self.assertNotContains(response, "Childline")

    def test_a23_staff_posts_are_not_signposted_to_a_childrens_helpline(self) -> None:
        response = self.send(self.teacher, "Remember: if a pupil says someone hits them, tell the DSL at once.")
        self.assertNotContains(response, "Childline")

    def test_a23_the_pupils_own_escalated_post_says_plainly_what_happened_and_links_to_help(self) -> None:
        item = self.screened(self.pupil, DISCLOSURE)
        self.assertEqual(item.state, ContributionState.ESCALATED)
        page = self.client_for(self.pupil).get(reverse("community:space", args=[self.site.pk])).content.decode()
        self.assertIn("A trusted adult has this now", page)
        self.assertIn(f'href="{reverse("community:help", args=[self.site.pk])}"', page)
        self.assertNotIn("Not on show", page)
        self.assertNotIn(
            "stepdad",
            self.client_for(self.pupil2).get(reverse("community:space", args=[self.site.pk])).content.decode(),
        )

    def test_a23_an_escalated_disclosure_is_not_left_on_the_pupils_own_screen(self) -> None:
        item = self.screened(self.pupil, DISCLOSURE)
        client = self.client_for(self.pupil)
        space = client.get(reverse("community:space", args=[self.site.pk])).content.decode()
        detail = client.get(reverse("community:contribution", args=[self.site.pk, item.pk])).content.decode()
        feed = client.get(reverse("community:feed_json", args=[self.site.pk])).content.decode()
        for shown in (space, detail, feed):
            self.assertNotIn("stepdad", shown)
        for shown in (space, detail):
            self.assertIn("a member of staff whose job is to keep pupils safe will read it", shown)
            self.assertIn('href="tel:08001111"', shown)
            self.assertIn('href="tel:999"', shown)
        item.refresh_from_db()
        self.assertIn("stepdad", item.body)  # kept for the DSL, only not shown

    def test_a56_a_post_a_moderator_escalates_later_also_leaves_the_authors_screen(self) -> None:
        item = self.screened(self.pupil, "Our bean plant grew 4 cm this week!")
        moderation.approve(item, by=self.moderator)
        item.refresh_from_db()
        moderation.escalate(
            item, by=self.moderator, note="Worried about what came before this.", concern="abuse_disclosure"
        )
        space = self.client_for(self.pupil).get(reverse("community:space", args=[self.site.pk])).content.decode()
        self.assertNotIn("bean plant", space)
        self.assertIn("A trusted adult has this now", space)

    def test_a23_the_help_page_is_for_the_spaces_people_only(self) -> None:
        url = reverse("community:help", args=[self.site.pk])
        for user in (self.pupil, self.moderator):
            self.assertEqual(self.client_for(user).get(url).status_code, 200, user)
        for user in (self.outsider, self.head):
            self.assertEqual(self.client_for(user).get(url).status_code, 404, user)
        self.assertEqual(self.client_for(None).get(url).status_code, 302)


class OwnStatusTests(SpaceTestCase):
    def own_page(self) -> str:
        return self.client_for(self.pupil).get(reverse("community:space", args=[self.site.pk])).content.decode()

    def test_a53_a_waiting_post_says_it_is_waiting_for_a_moderator(self) -> None:
        self.screened(self.pupil, "Our beans grew")
        self.assertIn("Only you can see this: waiting for a moderator to check it.", self.own_page())

    def test_a57_a_rejected_post_shows_its_author_the_house_rule_and_the_moderators_note(self) -> None:
        item = self.screened(self.pupil, "Who wants to play football later?")
        moderation.reject(item, by=self.moderator, house_rule=3, note="Please keep posts to science.")
        page = self.own_page()
        self.assertIn("Not shown: a moderator decided it can't go on the site.", page)
        self.assertIn("It breaks House Rule 3: “Stay on topic.”", page)
        self.assertIn("The moderator said: Please keep posts to science.", page)
        self.assertNotIn(
            "football",
            self.client_for(self.pupil2).get(reverse("community:space", args=[self.site.pk])).content.decode(),
        )

    def test_a57_a_removed_post_shows_its_author_why_it_was_taken_down(self) -> None:
        item = self.screened(self.pupil, "Fine at first")
        moderation.approve(item, by=self.moderator)
        moderation.remove(item, by=self.moderator, house_rule=1, note="Another member found it unkind.")
        page = self.own_page()
        self.assertIn("Taken down: a moderator decided it can't stay on the site.", page)
        self.assertIn("It breaks House Rule 1: “Be kind to everyone.”", page)
        self.assertIn("The moderator said: Another member found it unkind.", page)
        detail = self.client_for(self.pupil).get(reverse("community:contribution", args=[self.site.pk, item.pk]))
        self.assertContains(detail, "The moderator said: Another member found it unkind.")

    def test_a57_a_moderators_note_is_escaped(self) -> None:
        item = self.screened(self.pupil, "Off topic")
        moderation.reject(item, by=self.moderator, house_rule=3, note="<script>alert(1)</script>")
        page = self.own_page()
        self.assertNotIn("<script>alert(1)</script>", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
