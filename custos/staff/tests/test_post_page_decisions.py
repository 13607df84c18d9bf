"""The official-post page after a decision (A.3.4): a signed step says who signed it and when and offers no form for
it; the same approver pressing Approve again is told they already did; the author sees which findings the check
marks "Must change" beside the instruction to change them (A.4). Found by exploratory testing of the demo."""

from __future__ import annotations

import datetime as dt

import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.staff.actions import StaffActionError, approve_post, start_post, submit_post
from custos.staff.models import OfficialPost, PostApproval, PostState
from custos.staff.tests.helpers import approved_site
from custos.test import CustosTestCase

SIGNED_AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)


@time_machine.travel(SIGNED_AT, tick=False)
class PostPageDecisionTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.site = approved_site(self)

    def _submitted(self) -> OfficialPost:
        post = start_post(
            self.site,
            author=self.teacher,
            title="Science fair",
            body="Year 6 showed their volcano experiments this afternoon.",
            author_position="Science teacher",
        )
        submit_post(post, by=self.teacher)
        return post

    def test_a34_once_the_ict_step_is_signed_the_page_says_who_and_when_and_offers_no_form_for_it(self) -> None:
        post = self._submitted()
        ict = self.client_for(self.ict_manager)
        response = ict.post(
            f"/staff/posts/{post.pk}/",
            {"step": "approve", "decide-step": "ict", "decide-seen": post.content_sha256},
            follow=True,
        )
        self.assertContains(response, "Approved (A.3.4).")
        self.assertNotContains(response, "Approve as ICT Manager")
        self.assertNotContains(response, "Return for changes")
        self.assertContains(response, "You approved this post as ICT Manager on 24 Nov 2026, 09:30.")
        # The Head still has their own step to take.
        head_page = self.client_for(self.head).get(f"/staff/posts/{post.pk}/")
        self.assertContains(head_page, "Approve as Head of School")
        self.assertNotContains(head_page, "Approve as ICT Manager")

    def test_a34_approving_the_same_step_again_says_you_already_approved_it(self) -> None:
        post = self._submitted()
        approve_post(post, by=self.ict_manager, step="ict", seen_sha256=post.content_sha256)
        with self.assertRaisesMessage(StaffActionError, "You already approved this step on 24 Nov 2026, 09:30."):
            approve_post(post, by=self.ict_manager, step="ict", seen_sha256=post.content_sha256)
        response = self.client_for(self.ict_manager).post(
            f"/staff/posts/{post.pk}/",
            {"step": "approve", "decide-step": "ict", "decide-seen": post.content_sha256},
            follow=True,
        )
        self.assertContains(response, "You already approved this step on 24 Nov 2026, 09:30.")
        self.assertNotContains(response, "someone else")
        self.assertEqual(PostApproval.objects.count(), 1)

    def test_a34_a_second_ict_manager_is_told_who_approved_first(self) -> None:
        from custos.accounts.models import Role
        from custos.test import give_role, make_user

        second = make_user("ict2", school=self.school)
        give_role(second, Role.ICT_MANAGER, self.school)
        TOTPDevice.objects.create(user=second, name="test", confirmed=True)  # role holders sign in with 2FA
        post = self._submitted()
        approve_post(post, by=self.ict_manager, step="ict", seen_sha256=post.content_sha256)
        with self.assertRaisesMessage(StaffActionError, f"already been approved by someone else ({self.ict_manager}"):
            approve_post(post, by=second, step="ict", seen_sha256=post.content_sha256)
        page = self.client_for(second).get(f"/staff/posts/{post.pk}/")
        self.assertNotContains(page, "Approve as ICT Manager")
        self.assertContains(page, f"ICT Manager: Approved by {self.ict_manager} on 24 Nov 2026, 09:30")

    def test_a49_the_author_sees_which_findings_must_change_beside_the_instruction(self) -> None:
        post = start_post(
            self.site,
            author=self.teacher,
            title="Call me",
            body="Ring me at home on 07700 900123.",
            author_position="Teacher",
        )
        teacher = self.client_for(self.teacher)
        response = teacher.post(f"/staff/posts/{post.pk}/", {"step": "submit"}, follow=True)
        self.assertContains(response, "Change what the check marks")
        self.assertContains(response, "<strong>Must change</strong>", html=True)
        self.assertContains(response, "07700 900123")
        self.assertContains(response, 'href="/policy/clause/A.4.9/"')
        self.assertEqual(OfficialPost.objects.get().state, PostState.DRAFT)
        # Before sending, too: the author sees the marks without having to try.
        page = teacher.get(f"/staff/posts/{post.pk}/")
        self.assertContains(page, "<strong>Must change</strong>", html=True)

    def test_a34_outsiders_cannot_see_the_decision_state_of_a_post(self) -> None:
        post = self._submitted()
        self.assertEqual(self.client_for(self.outsider).get(f"/staff/posts/{post.pk}/").status_code, 404)
