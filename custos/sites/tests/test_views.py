"""The pages: access for each persona, the form through the browser's eyes, inventory, platforms, participation."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from custos.sites.models import HostPlatform, Site, SiteKind, SiteState
from custos.sites.tests.base import SitesTestCase, sign, valid_fields


def post_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {}
    for key, value in valid_fields(**overrides).items():
        if value is True:
            data[key] = "on"
        elif value in (False, None):
            continue
        elif hasattr(value, "isoformat"):
            data[key] = value.isoformat()  # type: ignore[union-attr]
        else:
            data[key] = value
    return data


class AccessTests(SitesTestCase):
    def test_outsiders_pupils_and_externals_cannot_reach_a_site(self) -> None:
        site = self.approved()
        for name in ("detail", "edit", "print", "close", "cover", "extend"):
            for user in (self.outsider, self.pupil, self.external):
                response = self.client_for(user).get(f"/sites/{site.pk}/{'' if name == 'detail' else name + '/'}")
                self.assertIn(response.status_code, (403, 404), (name, user))
        response = self.client_for(self.outsider).post(f"/sites/{site.pk}/decide/", {"decision": "approved"})
        self.assertEqual(response.status_code, 404)

    def test_inventory_is_for_school_leaders_and_the_trust_view_for_the_executive_head(self) -> None:
        self.approved()
        url = f"/sites/school/{self.school.pk}/"
        self.assertEqual(self.client_for(self.head).get(url).status_code, 200)
        self.assertEqual(self.client_for(self.ict_manager).get(url).status_code, 200)
        self.assertEqual(self.client_for(self.dsl).get(url).status_code, 200)
        for user in (self.teacher, self.outsider, self.pupil, self.external):
            self.assertEqual(self.client_for(user).get(url).status_code, 403, user)
        self.assertEqual(self.client_for(self.exec_head).get("/sites/trust/").status_code, 200)
        self.assertEqual(self.client_for(self.head).get("/sites/trust/").status_code, 403)

    def test_pupils_and_externals_cannot_draft(self) -> None:
        for user in (self.pupil, self.external):
            self.assertEqual(self.client_for(user).get("/sites/new/").status_code, 403)

    def test_inventory_query_count_does_not_grow_with_sites(self) -> None:
        for n in range(3):
            self.approved(title=f"Site {n}")
        client = self.client_for(self.head)
        client.get(f"/sites/school/{self.school.pk}/")
        with CaptureQueriesContext(connection) as few:
            client.get(f"/sites/school/{self.school.pk}/")
        for n in range(3, 8):
            self.approved(title=f"Site {n}")
        with self.assertNumQueries(len(few)):
            response = client.get(f"/sites/school/{self.school.pk}/")
        self.assertContains(response, "Site 7")
        self.assertContains(response, '<th scope="col">Moderators</th>', html=True)


class FormPageTests(SitesTestCase):
    def test_appendix_b_form_shows_every_field_in_order(self) -> None:
        response = self.client_for(self.teacher).get("/sites/new/")
        text = response.content.decode()
        questions = [
            "Department",
            "Name of author of site",
            "<p>Tess Persona</p>",  # the author's name, shown, not typed in
            "Author&#x27;s line manager",
            "What are the aims",
            "What is the proposed content",
            "Pupils of the school",
            "Names of administrators",
            "Names of moderators",
            "Who will vet external contributors?",
            "Who will host the site?",
            "Proposed date of going live",
            "Proposed date for site closure",
            "How do you propose to advertise",
            "inform and obtain consent",
            "What security measures",
        ]
        positions = [text.index(q) for q in questions]
        self.assertEqual(positions, sorted(positions))

    def test_a54_errors_are_shown_beside_each_field_with_their_clause_and_nothing_is_submitted(self) -> None:
        data = post_data(line_manager=self.pastoral.pk, administrators=[self.teacher.pk], submit="1")
        response = self.client_for(self.teacher).post("/sites/new/", data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        self.assertContains(response, 'id="id_administrators-error"')
        self.assertContains(response, "(A.5.4)")
        self.assertFalse(Site.objects.exists())

    def test_a31_choosing_a_pupil_in_the_form_is_refused_with_the_clause(self) -> None:
        data = post_data(line_manager=self.pastoral.pk, moderators=[self.pupil.pk], save="1")
        response = self.client_for(self.teacher).post("/sites/new/", data)
        self.assertContains(response, "(A.3.1)")
        self.assertFalse(Site.objects.exists())

    def test_a36_submitting_through_the_page_sends_it_to_the_ict_manager(self) -> None:
        data = post_data(
            line_manager=self.pastoral.pk,
            administrators=[self.teacher.pk, self.moderator.pk],
            moderators=[self.moderator.pk, self.contractor.pk],
            submit="1",
        )
        response = self.client_for(self.teacher).post("/sites/new/", data)
        site = Site.objects.get()
        self.assertRedirects(response, f"/sites/{site.pk}/")
        self.assertEqual(site.state, SiteState.SUBMITTED)
        page = self.client_for(self.ict_manager).get(f"/sites/{site.pk}/")
        self.assertContains(page, "Your decision as ICT Manager")
        sha = page.context["decision_form"].initial["seen_sha256"]
        self.client_for(self.ict_manager).post(
            f"/sites/{site.pk}/decide/", {"decision": "approved", "seen_sha256": sha}
        )
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.ICT_APPROVED)

    def test_a32_author_with_ict_role_sees_no_way_to_approve_own_form(self) -> None:
        site = self.draft(by=self.ict_manager, submit=True)
        page = self.client_for(self.ict_manager).get(f"/sites/{site.pk}/")
        sha = page.context["decision_form"].initial["seen_sha256"]
        response = self.client_for(self.ict_manager).post(
            f"/sites/{site.pk}/decide/", {"decision": "approved", "seen_sha256": sha}, follow=True
        )
        self.assertContains(response, "You wrote this form, so you cannot approve it")
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.SUBMITTED)

    def test_a36_approvals_show_a_plainly_named_fingerprint_short_with_the_full_value_to_open(self) -> None:
        site = self.approved()
        sha = site.signatures.first().content_sha256
        page = self.client_for(self.teacher).get(f"/sites/{site.pk}/")
        self.assertContains(page, '<th scope="col">Fingerprint of the form they approved</th>', html=True)
        self.assertNotContains(page, "Form content (SHA-256)")
        self.assertContains(page, f"<summary><code>{sha[:12]}…</code>")
        self.assertContains(page, f"<code>{sha}</code>")
        self.assertContains(page, "shows exactly which version of the form each person approved")

    def test_appendix_b_printable_copy_has_the_signatures_and_hash(self) -> None:
        site = self.approved()
        response = self.client_for(self.teacher).get(f"/sites/{site.pk}/print/")
        self.assertContains(response, "Social Media Site Creation Approval Form")
        self.assertContains(
            response, "I approve the aims and content of the proposed site and the use of school brand and logo."
        )
        self.assertContains(response, site.signatures.first().content_sha256)
        self.assertContains(response, "<li>No personal details.</li>", html=True)
        self.assertContains(response, f"{self.head} (Head of School/Head Teacher)")  # the role in words, not "head"


class PlatformAndParticipationTests(SitesTestCase):
    def test_a25_only_the_ict_manager_edits_host_platform_minimum_ages(self) -> None:
        tiktok = HostPlatform.objects.get(name="TikTok")
        url = f"/sites/platforms/{tiktok.pk}/"
        self.assertEqual(self.client_for(self.teacher).get(url).status_code, 403)
        self.assertEqual(self.client_for(self.outsider).get("/sites/platforms/new/").status_code, 403)
        response = self.client_for(self.ict_manager).post(
            url, {"name": "TikTok", "minimum_age": "16", "notes": "Raised."}
        )
        self.assertRedirects(response, "/sites/platforms/")
        tiktok.refresh_from_db()
        self.assertEqual((tiktok.minimum_age, tiktok.updated_by), (16, self.ict_manager))
        self.assertEqual(self.client_for(self.teacher).get("/sites/platforms/").status_code, 200)

    def test_a33_taking_part_in_a_third_party_site_needs_the_same_two_approvals(self) -> None:
        data = {
            "title": "Local Council Youth Forum group",
            "host_platform": self.facebook.pk,
            "address": "https://facebook.example/groups/youth",
            "department": "Citizenship",
            "line_manager": self.pastoral.pk,
            "participants": [self.teacher.pk],
            "aims": "Pupil voice.",
            "proposed_content": "Announcements of our forum sessions.",
            "reason": "Citizenship curriculum.",
            "time_commitment": "One hour a week.",
            "evaluation_plan": "Count of pupils attending sessions.",
            "audience_pupils": "on",
            "audience_age_min": "14",
            "audience_age_max": "16",
            "go_live_on": self.today().isoformat(),
            "closes_on": "2099-07-20",
            "terms_of_use": "The council's terms, reviewed by the ICT Manager.",
            "submit": "1",
        }
        response = self.client_for(self.teacher).post("/sites/new/participation/", data)
        site = Site.objects.get()
        self.assertRedirects(response, f"/sites/{site.pk}/")
        self.assertEqual((site.kind, site.state), (SiteKind.PARTICIPATION, SiteState.SUBMITTED))
        sign(site, self.ict_manager)
        sign(site, self.head)
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.LIVE)

    def test_a33_a25_participation_with_pupils_below_the_hosts_minimum_age_is_refused(self) -> None:
        response = self.client_for(self.teacher).post(
            "/sites/new/participation/",
            {
                "title": "Forum",
                "host_platform": self.facebook.pk,
                "audience_pupils": "on",
                "audience_age_min": "11",
                "audience_age_max": "12",
                "submit": "1",
            },
        )
        self.assertContains(response, "Facebook requires users to be at least 13")
        self.assertFalse(Site.objects.exists())


class AppendixBPagesTests(SitesTestCase):
    """The site page and the printable copy read as the paper form does (Appendix B, A.4.1, A.3.5, A.4.7)."""

    TEAM_DETAILS = ["1. Team details", "Department", "Name of author of site", "Author&#x27;s line manager"]

    def test_appendix_b_site_and_printable_pages_show_team_details_in_order_with_the_author(self) -> None:
        site = self.approved()
        for url in (f"/sites/{site.pk}/", f"/sites/{site.pk}/print/"):
            with self.subTest(url=url):
                text = self.client_for(self.head).get(url).content.decode()
                section = text[text.index('<section class="site-section">\n  <h2>1. Team details') :]
                section = section[: section.index("</section>")]
                positions = [section.index(q) for q in self.TEAM_DETAILS]
                self.assertEqual(positions, sorted(positions))
                self.assertInHTML("<div><dt>Name of author of site</dt><dd>Tess Persona</dd></div>", section)
                self.assertInHTML("<div><dt>Department</dt><dd>Science</dd></div>", section)

    def test_appendix_b_an_administrator_editing_the_form_does_not_become_its_author(self) -> None:
        site = self.draft()
        page = self.client_for(self.moderator).get(f"/sites/{site.pk}/edit/")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "<p>Tess Persona</p>", html=True)
        self.assertNotContains(page, 'name="author"')

    def test_a41_house_rules_are_shown_once_numbered_on_the_site_and_printable_pages(self) -> None:
        site = self.approved()
        for url in (f"/sites/{site.pk}/", f"/sites/{site.pk}/print/"):
            with self.subTest(url=url):
                page = self.client_for(self.teacher).get(url)
                self.assertContains(page, "<dt>House Rules", count=1)
                self.assertContains(page, "Be kind.", count=1)
                self.assertNotContains(page, "one per line")
                self.assertContains(
                    page,
                    "<ol><li>Be kind.</li><li>No personal details.</li><li>Stay on topic.</li></ol>",
                    count=1,
                    html=True,
                )

    def test_a47_a35_a_school_hosted_site_always_uses_the_logo_and_the_head_is_told_it_is_covered(self) -> None:
        site = self.submitted(hosting="school", wants_logo=False)
        self.assertTrue(site.uses_logo)
        sign(site, self.ict_manager)
        page = self.client_for(self.head).get(f"/sites/{site.pk}/")
        self.assertContains(page, "Use of the school logo and brand (A.3.5, A.4.7)")
        self.assertContains(page, "Yes: a school-hosted site always carries the school logo or brand (A.4.7)")
        self.assertNotContains(page, "Use of the school logo and brand is requested (A.3.5)")
        self.assertContains(page, "a school-hosted site always does (A.4.7). Your approval covers its use (A.3.5).")
        printed = self.client_for(self.head).get(f"/sites/{site.pk}/print/")
        self.assertContains(
            printed, "The site is school-hosted, so it always carries the school logo or brand (A.4.7)."
        )

    def test_a35_on_a_third_party_host_the_logo_stays_a_request_the_head_approves(self) -> None:
        asked = self.submitted(hosting="third_party", host_platform=self.facebook, wants_logo=True, title="Asked")
        not_asked = self.submitted(hosting="third_party", host_platform=self.facebook, title="Not asked")
        for site, answer in ((asked, "Yes"), (not_asked, "No")):
            sign(site, self.ict_manager)
            page = self.client_for(self.head).get(f"/sites/{site.pk}/")
            self.assertInHTML(
                f"<div><dt>Use of the school logo and brand is requested (A.3.5)</dt><dd>{answer}</dd></div>",
                page.content.decode(),
            )
        self.assertContains(
            self.client_for(self.head).get(f"/sites/{asked.pk}/"),
            "Use of the school logo and brand is requested (A.3.5).</strong> Your approval covers its use.",
        )
        self.assertContains(
            self.client_for(self.head).get(f"/sites/{not_asked.pk}/"),
            "This form does not ask to use the school logo or brand, so your approval does not cover it (A.3.5).",
        )
        self.assertContains(
            self.client_for(self.head).get(f"/sites/{not_asked.pk}/print/"),
            "This form does not ask to use the school logo or brand, so this signature does not approve it (A.3.5).",
        )

    def test_a35_a47_the_form_asks_about_the_logo_only_for_a_third_party_host(self) -> None:
        page = self.client_for(self.teacher).get("/sites/new/")
        self.assertContains(
            page, "For a site on a third-party host: is use of the school logo and brand requested? (A.3.5)"
        )
        self.assertContains(page, "A school-hosted site always carries the school logo or brand")


class DecisionErrorTests(SitesTestCase):
    """A refused decision is shown like every other form's errors (A.3.2, A.3.6)."""

    def test_a32_returning_without_a_comment_shows_the_error_summary_and_keeps_the_choice(self) -> None:
        site = self.submitted()
        client = self.client_for(self.ict_manager)
        sha = client.get(f"/sites/{site.pk}/").context["decision_form"].initial["seen_sha256"]
        response = client.post(
            f"/sites/{site.pk}/decide/", {"decision": "returned", "comment": "  ", "seen_sha256": sha}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<div class="error-summary" role="alert" tabindex="-1">')
        self.assertContains(
            response,
            '<a href="#id_comment">Comments: Say what must change, or why the form is rejected, so the author knows '
            "(A.3.2).</a>",
            html=True,
        )
        self.assertContains(response, 'id="id_comment-error"')
        self.assertContains(
            response,
            '<input type="radio" name="decision" value="returned" id="id_decision_1" required checked>',
            html=True,
        )
        self.assertContains(response, "<title>Error: Year 9 Science Club blog · Custos</title>", html=True)
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.SUBMITTED)
        self.assertFalse(site.signatures.exists())

    def test_a32_no_decision_chosen_links_the_summary_to_the_first_choice_and_keeps_the_comment(self) -> None:
        site = self.submitted()
        client = self.client_for(self.ict_manager)
        sha = client.get(f"/sites/{site.pk}/").context["decision_form"].initial["seen_sha256"]
        response = client.post(f"/sites/{site.pk}/decide/", {"comment": "Looks fine to me", "seen_sha256": sha})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'href="#id_decision_0"')
        self.assertContains(response, 'id="id_decision-error"')
        self.assertContains(response, ">\nLooks fine to me</textarea>")
        self.assertEqual(Site.objects.get(pk=site.pk).state, SiteState.SUBMITTED)

    def test_a32_a_stale_page_is_told_to_read_the_form_again(self) -> None:
        site = self.submitted()
        response = self.client_for(self.ict_manager).post(
            f"/sites/{site.pk}/decide/", {"decision": "approved", "seen_sha256": "0" * 64}, follow=True
        )
        self.assertContains(response, "The form changed after you opened it. Read it again before you decide.")
        self.assertEqual(Site.objects.get(pk=site.pk).state, SiteState.SUBMITTED)
