"""Pupils and external members never follow a link into a refusal (A.2.2, A.2.3): the menu, the footer, the home
page, a space and the privacy notice lead only to pages they may read; help is one tap from home and every space."""

from __future__ import annotations

import re

from django.urls import reverse

from custos.community.models import Contribution
from custos.community.tests.base import SpaceTestCase, make_space

HREF = re.compile(r'href="(/[^"#]*)')


class NoDeadEndTests(SpaceTestCase):
    def _links(self, html: str) -> set[str]:
        return {h for h in HREF.findall(html) if not h.startswith(("/static/", "/media/", "/account/logout"))}

    def test_a22_every_link_a_pupil_or_external_member_is_shown_opens_a_page(self) -> None:
        for member in (self.pupil, self.external):
            client = self.client_for(member)
            starts = [reverse("home"), reverse("community:space", args=[self.site.pk]), reverse("privacy:notice")]
            links: set[str] = set()
            for start in starts:
                page = client.get(start)
                self.assertEqual(page.status_code, 200, start)
                links |= self._links(page.content.decode())
            self.assertIn(reverse("community:rules"), links)
            for link in sorted(links):
                with self.subTest(member=member.username, link=link):
                    self.assertEqual(client.get(link, follow=True).status_code, 200)

    def test_a22_a_pupil_reads_what_the_policy_means_for_them_and_their_house_rules(self) -> None:
        client = self.client_for(self.pupil)
        page = client.get(reverse("policy"), follow=True)
        self.assertEqual(page.redirect_chain[-1][0], reverse("community:rules"))
        self.assertContains(page, "what they mean for you")
        self.assertContains(page, f"House Rules of {self.site.title}")
        self.assertContains(page, "Be kind to everyone.")
        self.assertNotContains(page, "(A.5.3)")  # plain words, no clause numbers
        self.assertNotContains(client.get(reverse("home")), 'href="/policy/"')

    def test_a22_staff_still_read_the_policy_itself(self) -> None:
        from custos.policy.actions import DEFAULT_POLICY, import_policy

        import_policy(DEFAULT_POLICY.read_text(), label="2026.1", by=None)
        page = self.client_for(self.teacher).get(reverse("policy"))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Read the policy")

    def test_a22_the_privacy_notice_links_pupils_to_no_staff_only_retention_page(self) -> None:
        page = self.client_for(self.pupil).get(reverse("privacy:notice"))
        self.assertNotContains(page, reverse("privacy:retention"))
        self.assertContains(page, "until that child is 25")
        self.assertContains(self.client_for(self.teacher).get(reverse("privacy:notice")), reverse("privacy:retention"))

    def test_a23_help_is_linked_from_a_pupils_home_page_and_every_space(self) -> None:
        client = self.client_for(self.pupil)
        home = client.get(reverse("home"))
        self.assertContains(home, reverse("community:help_anywhere"))
        help_page = client.get(reverse("community:help_anywhere"))
        self.assertContains(help_page, "If something is worrying you")
        self.assertContains(help_page, "0800&nbsp;1111")
        other = make_space(self.school, self.teacher, [self.moderator], [self.teacher], title="Chess Club")
        from custos.community import actions

        actions.invite(other, by=self.teacher, users=[self.pupil])
        for site in (self.site, other):
            page = client.get(reverse("community:space", args=[site.pk]))
            self.assertContains(page, reverse("community:help", args=[site.pk]))

    def test_a51_an_empty_post_offers_an_image_only_where_the_form_has_one(self) -> None:
        no_images = make_space(self.school, self.teacher, [self.moderator], [self.teacher], allow_images=False,
                               title="Words only")  # fmt: skip
        from custos.community import actions
        from custos.community.models import Membership

        actions.invite(no_images, by=self.teacher, users=[self.pupil])
        actions.accept_terms(Membership.objects.get(site=no_images, user=self.pupil), by=self.pupil)
        client = self.client_for(self.pupil)
        page = client.post(reverse("community:contribute", args=[no_images.pk]), {"body": "  "})
        self.assertContains(page, "Write your post first.", status_code=400)
        self.assertNotContains(page, "choose an image", status_code=400)
        self.assertFalse(Contribution.objects.exists())
