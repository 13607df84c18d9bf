"""Staff read English, not code (issue 18 item 3): the retention page's internals for the ICT Manager only; the
right person named on a refusal; the demo Head greeted by name; no empty heading on the home page."""

from __future__ import annotations

import re

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts.models import Role
from custos.core.demo import SCHOOL_STAFF
from custos.test import CustosTestCase, give_role, make_user

INTERNALS = re.compile(r"CUSTOS_[A-Z_]+|manage\.py|_tick\b|\.py\b")


class RetentionPageTests(CustosTestCase):
    def test_32_the_retention_page_shows_settings_and_task_names_to_the_ict_manager_only(self) -> None:
        ict = self.client_for(self.ict_manager).get("/privacy/retention/").content.decode()
        self.assertRegex(ict, INTERNALS)
        for user in (self.teacher, self.head, self.hr):
            with self.subTest(user=user.username):
                page = self.client_for(user).get("/privacy/retention/")
                self.assertEqual(page.status_code, 200)
                text = page.content.decode()
                self.assertIsNone(INTERNALS.search(text), INTERNALS.search(text))
                self.assertIn("days after sending", text)  # the rule itself is still there, in words


class RefusalTests(CustosTestCase):
    def test_trust_wide_staff_are_told_to_ask_the_executive_headteacher_not_a_head_of_school(self) -> None:
        trust_hr = make_user("trust_hr", school=None)
        give_role(trust_hr, Role.HR, None)
        TOTPDevice.objects.create(user=trust_hr, name="test", confirmed=True)
        page = self.client_for(trust_hr).get(reverse("api:tokens"))
        self.assertEqual(page.status_code, 403)
        self.assertContains(page, "ask the Executive Headteacher", status_code=403)
        self.assertNotContains(page, "ask your Head of School", status_code=403)
        school_page = self.client_for(self.teacher).get(reverse("api:tokens"))
        self.assertContains(school_page, "ask your Head of School", status_code=403)


class HomePageTests(CustosTestCase):
    def test_the_demo_head_has_a_name_of_their_own_not_their_role(self) -> None:
        head = next(spec for spec in SCHOOL_STAFF if spec[0] == "head")
        self.assertNotIn("Head", (head[1], head[2]))

    def test_the_home_page_has_no_heading_without_content_under_it(self) -> None:
        page = self.client_for(self.head).get("/").content.decode()
        self.assertNotIn(">Figures<", page)
        self.assertIn("Your dashboard", page)
