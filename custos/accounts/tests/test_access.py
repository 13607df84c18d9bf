"""Deny by default, and one answer to "may this person do this to this object"."""

from django.urls import URLPattern, URLResolver, get_resolver

from custos.accounts import access
from custos.test import CustosTestCase

# The only pages a signed-out visitor may open.
PUBLIC_URL_NAMES = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "welcome",  # a one-time sign-in link is followed before its holder has a password
    "health",
    "api:schema",  # the OpenAPI description: documentation, no data
    "api:docs",
    "sso:start",  # sign-in with the school's identity provider starts before anyone is signed in
    "sso:callback",
    "privacy:notice",  # a privacy notice is read before signing in
}
# API operations authenticate with a bearer token, not a session: a signed-out caller is told 401.
API_URL_NAMES = {"api:screen", "api:sites", "api:queue_counts", "api:comments"}


def url_patterns() -> dict[str, dict[str, object]]:
    """Every named page in the URLconf (with its namespace) and its URL parameters with their converters."""
    found: dict[str, dict[str, object]] = {}

    def walk(patterns: list, namespace: str, params: dict[str, object]) -> None:
        for pattern in patterns:
            here = {**params, **dict.fromkeys(pattern.pattern.regex.groupindex), **pattern.pattern.converters}
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix, here)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found[namespace + pattern.name] = here

    walk(get_resolver().url_patterns, "", {})
    return found


def all_url_names() -> set[str]:
    return set(url_patterns())


SAMPLES = {"school_id": 1, "label": "2026.1", "number": "A.5.4", "uidb64": "MQ", "token": "x-y"}


def sample_value(param: str, converter: object, school_id: int) -> object:
    if param == "school_id":
        return school_id
    if param in SAMPLES:
        return SAMPLES[param]
    kind = type(converter).__name__
    if kind == "UUIDConverter":
        return "00000000-0000-0000-0000-000000000001"
    if kind in {"StringConverter", "SlugConverter", "PathConverter"}:
        return "x"
    return 1


def sample_kwargs(name: str, school_id: int) -> dict:
    return {param: sample_value(param, conv, school_id) for param, conv in url_patterns()[name].items()}


class DenyByDefaultTests(CustosTestCase):
    def test_every_page_but_sign_in_needs_sign_in(self) -> None:
        from django.urls import reverse

        anonymous = self.client_for(None)
        for name in sorted(all_url_names() - PUBLIC_URL_NAMES - API_URL_NAMES):
            url = reverse(name, kwargs=sample_kwargs(name, self.school.pk))
            response = anonymous.get(url)
            with self.subTest(url=url):
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith("/account/login/"))
        for name in sorted(API_URL_NAMES):
            url = reverse(name)
            with self.subTest(url=url):
                self.assertEqual(anonymous.get(url).status_code, 401)
                self.assertEqual(anonymous.post(url, {}, content_type="application/json").status_code, 401)

    def test_django_admin_is_not_mounted_in_production(self) -> None:
        # Issue 15, item 8: with CUSTOS_DEBUG off (as here) there is no Django admin for anyone.
        self.assertEqual(self.client_for(self.head).get("/django-admin/").status_code, 404)
        self.assertEqual(self.client_for(None).get("/django-admin/login/").status_code, 404)

    def test_outsider_from_another_school_is_refused_every_school_page(self) -> None:
        from django.urls import reverse

        outsider = self.client_for(self.outsider)
        school_pages = [n for n in all_url_names() if "school_id" in sample_kwargs(n, self.school.pk)]
        self.assertTrue(school_pages)
        for name in school_pages:
            url = reverse(name, kwargs=sample_kwargs(name, self.school.pk))
            with self.subTest(url=url):
                self.assertIn(outsider.get(url).status_code, {403, 404})

    def test_pupils_and_external_members_cannot_read_staff_pages(self) -> None:
        for user in (self.pupil, self.external):
            client = self.client_for(user)
            for url in (f"/account/schools/{self.school.pk}/pupils/", "/audit/", "/policy/clause/6.1/"):
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(client.get(url).status_code, 403)
            # The policy's own link sends them to what they may read, in plain words (A.2.2), not to a refusal.
            self.assertRedirects(client.get("/policy/"), "/spaces/rules/")


class PermissionRuleTests(CustosTestCase):
    def test_only_welfare_and_records_roles_may_see_legal_names(self) -> None:
        allowed = {self.head, self.dsl, self.deputy_dsl, self.pastoral, self.ict_manager, self.exec_head}
        for user in (
            *allowed,
            self.teacher,
            self.moderator,
            self.contractor,
            self.hr,
            self.outsider,
            self.pupil,
        ):
            with self.subTest(user=user.username):
                self.assertEqual(access.can(user, "accounts.view_pupil_legal_name", self.school), user in allowed)

    def test_a_role_ended_yesterday_gives_nothing_today(self) -> None:
        import datetime as dt

        self.head.role_assignments.update(ends_on=self.today() - dt.timedelta(days=1))
        self.head.__dict__.pop("_roles_cache", None)
        self.assertFalse(access.can(self.head, "accounts.import_roster", self.school))

    def test_a_role_at_one_school_gives_nothing_at_another(self) -> None:
        self.assertTrue(access.can(self.head, "accounts.import_roster", self.school))
        self.assertFalse(access.can(self.head, "accounts.import_roster", self.other_school))

    def test_deactivated_person_has_no_permissions(self) -> None:
        self.head.is_active = False
        self.assertFalse(access.can(self.head, "accounts.import_roster", self.school))
