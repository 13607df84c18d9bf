"""Pages: the school's logo links to its website on every page (A.4.7); home lists what waits for me."""

from custos.core import waiting
from custos.test import CustosTestCase


class PageTests(CustosTestCase):
    def test_a47_every_page_shows_the_school_logo_linking_to_the_school_website(self) -> None:
        from django.core.files.base import ContentFile

        from custos.policy.actions import DEFAULT_POLICY, import_policy

        import_policy(DEFAULT_POLICY.read_text(), label="2026.1", by=None)
        self.school.logo.save("oak.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
        client = self.client_for(self.teacher)
        for url in ("/", "/policy/", f"/account/schools/{self.school.pk}/pupils/", "/account/password/"):
            with self.subTest(url=url):
                page = client.get(url, follow=True)
                self.assertContains(page, '<a class="brand" href="https://oakfield.example/"')
                self.assertContains(page, 'alt="Oakfield Academy logo"')

    def test_home_lists_what_is_waiting_for_this_person_urgent_first(self) -> None:
        def items(user):
            if user == self.teacher:
                yield waiting.WaitingItem("Read the policy", "/policy/", clause="5.1")
                yield waiting.WaitingItem("Moderate a post", "/", urgent=True)

        waiting.provider(items)
        try:
            page = self.client_for(self.teacher).get("/")
            content = page.content.decode()
            self.assertLess(content.index("Moderate a post"), content.index("Read the policy"))
            self.assertContains(page, "clause 5.1")
            self.assertNotContains(self.client_for(self.moderator).get("/"), "Moderate a post")
            self.assertContains(self.client_for(self.pupil).get("/"), "Nothing is waiting for you")
        finally:
            waiting._PROVIDERS.remove(items)

    def test_a22_pupils_see_waiting_items_without_clause_numbers_staff_with_them(self) -> None:
        from custos.core import waiting

        item = waiting.WaitingItem("Read and accept the House Rules of Book Club", "/spaces/1/", "A.4.1")

        @waiting.provider
        def everyone(user: object) -> list[waiting.WaitingItem]:
            return [item]

        try:
            self.assertNotContains(self.client_for(self.pupil).get("/"), "clause A.4.1")
            self.assertContains(self.client_for(self.teacher).get("/"), "clause A.4.1")
        finally:
            waiting._PROVIDERS.remove(everyone)

    def test_pages_declare_language_viewport_and_a_skip_link(self) -> None:
        page = self.client_for(self.teacher).get("/")
        self.assertContains(page, '<html lang="en-GB">')
        self.assertContains(page, 'name="viewport" content="width=device-width, initial-scale=1"')
        self.assertContains(page, 'href="#main">Skip to main content')

    def test_static_files_are_served_by_the_app_itself(self) -> None:
        response = self.client_for(None).get("/static/custos/custos.css")
        self.assertEqual(response.status_code, 200)
        page = self.client_for(self.teacher).get("/").content.decode()
        self.assertNotRegex(page, r'(src|href)="https?://(?!oakfield\.example)')

    def test_every_page_names_an_icon_that_exists_so_browsers_stop_asking_for_a_missing_one(self) -> None:
        page = self.client_for(self.teacher).get("/")
        self.assertContains(page, '<link rel="icon" href="/static/custos/favicon.svg" type="image/svg+xml">')
        self.assertEqual(self.client_for(None).get("/static/custos/favicon.svg").status_code, 200)

    def test_a_missing_page_is_a_plain_404_without_a_stack_trace(self) -> None:
        page = self.client_for(self.teacher).get("/no-such-page/")
        self.assertContains(page, "Page not found", status_code=404)
        self.assertNotContains(page, "Traceback", status_code=404)

    def test_another_schools_object_is_a_plain_404_even_in_the_debug_demo(self) -> None:
        from django.test import override_settings

        with override_settings(DEBUG=True):
            page = self.client_for(self.teacher).get("/cases/SG-999999/")
        self.assertContains(page, "Page not found", status_code=404)
        self.assertNotContains(page, "URLconf", status_code=404)

    def test_health_check_answers_without_sign_in(self) -> None:
        self.assertContains(self.client_for(None).get("/health/"), "ok")


class ContentSecurityPolicyTests(CustosTestCase):
    def test_every_html_page_has_a_csp_with_a_fresh_nonce_matching_its_script(self) -> None:
        import re

        client = self.client_for(self.teacher)
        nonces = set()
        for url in ("/", "/account/password/", f"/account/schools/{self.school.pk}/pupils/"):
            response = client.get(url)
            header = response["Content-Security-Policy"]
            self.assertIn("default-src 'self'", header)
            self.assertIn("object-src 'none'", header)
            nonce = re.search(r"'nonce-([^']+)'", header).group(1)
            self.assertContains(response, f'<script nonce="{nonce}">')
            nonces.add(nonce)
        self.assertEqual(len(nonces), 3)
        login = self.client_for(None).get("/account/login/")
        self.assertIn("'nonce-", login["Content-Security-Policy"])
