"""A.3.4, A.4.2–A.4.10: official posts are screened as they are written, approved by the Head of School and the
ICT Manager (never by their own author), published or made ready to post, and approved again after any edit."""

from __future__ import annotations

import io
import json
import tempfile

from django.db import connection
from django.test.utils import CaptureQueriesContext

from custos.audit.models import AuditEvent
from custos.community.images import clean_image
from custos.sites.models import Hosting, SiteState
from custos.staff.actions import (
    StaffActionError,
    add_image,
    approve_post,
    edit_post,
    record_posted,
    start_post,
    submit_post,
)
from custos.staff.models import OfficialPost, PostApproval, PostState
from custos.staff.queries import approved_posts_for_site
from custos.staff.tests.helpers import approved_site
from custos.staff.tests.pictures import transparent_png
from custos.test import CustosTestCase


class OfficialPostTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.site = approved_site(self)

    def _post(self, site=None, author=None) -> OfficialPost:
        return start_post(
            site or self.site,
            author=author or self.teacher,
            title="Science fair",
            body="Year 6 showed their volcano experiments this afternoon.",
            author_position="Science teacher",
        )

    def _approve_both(self, post: OfficialPost) -> None:
        approve_post(post, by=self.ict_manager, step="ict", seen_sha256=post.content_sha256)
        approve_post(post, by=self.head, step="head", seen_sha256=post.content_sha256)

    def test_a34_a_post_for_a_school_hosted_site_is_published_once_both_approve(self) -> None:
        post = self._post()
        submit_post(post, by=self.teacher)
        approve_post(post, by=self.ict_manager, step="ict", seen_sha256=post.content_sha256)
        self.assertEqual(post.state, PostState.SUBMITTED)
        approve_post(post, by=self.head, step="head", seen_sha256=post.content_sha256)
        self.assertEqual(post.state, PostState.PUBLISHED)
        self.assertIsNotNone(post.published_at)
        self.assertEqual(list(approved_posts_for_site(self.site)), [post])
        self.assertTrue(AuditEvent.objects.filter(action="staff.post_published").exists())

    def test_a34_approvers_cannot_approve_their_own_post(self) -> None:
        post = self._post(author=self.head)
        submit_post(post, by=self.head)
        with self.assertRaisesMessage(StaffActionError, "cannot approve your own post"):
            approve_post(post, by=self.head, step="head", seen_sha256=post.content_sha256)
        page = self.client_for(self.head).get(f"/staff/posts/{post.pk}/")
        self.assertNotContains(page, "Approve as Head of School")
        self.assertFalse(PostApproval.objects.exists())

    def test_a34_one_person_cannot_approve_both_steps(self) -> None:
        from custos.accounts.models import Role
        from custos.test import give_role

        give_role(self.ict_manager, Role.HEAD_OF_SCHOOL, self.school)
        post = self._post()
        submit_post(post, by=self.teacher)
        approve_post(post, by=self.ict_manager, step="ict", seen_sha256=post.content_sha256)
        with self.assertRaisesMessage(StaffActionError, "a second person must approve"):
            approve_post(post, by=self.ict_manager, step="head", seen_sha256=post.content_sha256)

    def test_a34_an_edited_post_needs_approval_again(self) -> None:
        post = self._post()
        submit_post(post, by=self.teacher)
        self._approve_both(post)
        self.assertEqual(post.state, PostState.PUBLISHED)
        edit_post(
            post, by=self.teacher, title=post.title, body=post.body + " Well done!", author_position="Science teacher"
        )
        self.assertEqual(post.state, PostState.SUBMITTED)
        self.assertIsNone(post.published_at)
        self.assertEqual(list(approved_posts_for_site(self.site)), [])
        self.assertFalse(PostApproval.objects.filter(invalidated_at__isnull=True).exists())
        self._approve_both(post)
        self.assertEqual(post.state, PostState.PUBLISHED)

    def test_a34_adding_an_image_after_approval_needs_approval_again(self) -> None:
        post = self._post()
        submit_post(post, by=self.teacher)
        self._approve_both(post)
        with tempfile.TemporaryDirectory() as media, self.settings(MEDIA_ROOT=media):
            picture = clean_image(io.BytesIO(transparent_png()))
            add_image(post, image=picture, alt_text="The fair", by=self.teacher)
        self.assertEqual(post.state, PostState.SUBMITTED)

    def test_a34_an_approver_who_read_an_older_text_is_told_it_changed(self) -> None:
        post = self._post()
        submit_post(post, by=self.teacher)
        seen = post.content_sha256
        edit_post(post, by=self.teacher, title="Science fair!", body=post.body, author_position="Science teacher")
        with self.assertRaisesMessage(StaffActionError, "changed while you were reading"):
            approve_post(post, by=self.ict_manager, step="ict", seen_sha256=seen)

    def test_a34_two_ict_managers_approving_at_once_count_once(self) -> None:
        from custos.accounts.models import Role
        from custos.test import give_role, make_user

        second = make_user("ict2", school=self.school)
        give_role(second, Role.ICT_MANAGER, self.school)
        post = self._post()
        submit_post(post, by=self.teacher)
        approve_post(post, by=self.ict_manager, step="ict", seen_sha256=post.content_sha256)
        with self.assertRaisesMessage(StaffActionError, "already been approved by someone else"):
            approve_post(post, by=second, step="ict", seen_sha256=post.content_sha256)
        self.assertEqual(PostApproval.objects.count(), 1)

    def test_a34_teachers_cannot_approve(self) -> None:
        post = self._post(author=self.moderator)
        submit_post(post, by=self.moderator)
        with self.assertRaisesMessage(StaffActionError, "Only the school's ICT Manager and Head of School"):
            approve_post(post, by=self.teacher, step="head", seen_sha256=post.content_sha256)

    def test_a34_a_third_party_post_is_made_ready_then_recorded_as_posted(self) -> None:
        site = approved_site(self, hosting=Hosting.THIRD_PARTY)
        post = self._post(site=site)
        submit_post(post, by=self.teacher)
        self._approve_both(post)
        self.assertEqual(post.state, PostState.READY)
        page = self.client_for(self.teacher).get(f"/staff/posts/{post.pk}/")
        self.assertContains(page, "Approved text to copy")
        response = self.client_for(self.teacher).post(
            f"/staff/posts/{post.pk}/", {"step": "posted", "posted-where": "https://instagram.example/p/1"}
        )
        self.assertRedirects(response, f"/staff/posts/{post.pk}/")
        post.refresh_from_db()
        self.assertEqual(
            (post.state, post.posted_by, post.posted_where),
            (PostState.PUBLISHED, self.teacher, "https://instagram.example/p/1"),
        )
        with self.assertRaisesMessage(StaffActionError, "only approved posts are posted"):
            record_posted(post, by=self.teacher, where="https://instagram.example/p/2")

    def test_a48_a_post_names_its_author_and_their_position(self) -> None:
        with self.assertRaisesMessage(StaffActionError, "A.4.8"):
            start_post(self.site, author=self.teacher, title="t", body="b", author_position="  ")
        post = self._post()
        page = self.client_for(self.head).get(f"/staff/posts/{post.pk}/")
        self.assertContains(page, "Teacher Persona, Science teacher")

    def test_a49_a_post_with_a_phone_number_cannot_be_sent_until_it_is_changed(self) -> None:
        post = start_post(
            self.site,
            author=self.teacher,
            title="Call me",
            body="Ring me at home on 07700 900123.",
            author_position="Teacher",
        )
        with self.assertRaisesMessage(StaffActionError, "A.4.9"):
            submit_post(post, by=self.teacher)
        self.assertEqual(OfficialPost.objects.get().state, PostState.DRAFT)

    def test_a410_findings_show_with_their_clause_before_submitting_without_javascript(self) -> None:
        page = self.client_for(self.teacher).post(
            f"/staff/posts/new/{self.site.pk}/",
            {"step": "check", "title": "Opinion", "body": "I personally think this is great.", "author_position": "T"},
        )
        self.assertContains(page, 'href="/policy/clause/A.4.10/"')
        self.assertFalse(OfficialPost.objects.exists())

    def test_a42_a_commitment_on_behalf_of_the_trust_is_shown_and_kept_for_the_approvers(self) -> None:
        post = start_post(
            self.site,
            author=self.teacher,
            title="iPads",
            body="We promise every pupil will get an iPad.",
            author_position="Teacher",
        )
        findings = submit_post(post, by=self.teacher)
        self.assertIn("A.4.2", {c for f in findings for c in f["clauses"]})
        page = self.client_for(self.ict_manager).get(f"/staff/posts/{post.pk}/")
        self.assertContains(page, 'href="/policy/clause/A.4.2/"')

    def test_a410_the_json_endpoint_screens_as_they_type_and_stores_nothing(self) -> None:
        response = self.client_for(self.teacher).post(
            "/staff/screen/",
            data=json.dumps({"text": "I personally think so", "site": self.site.pk}),
            content_type="application/json",
        )
        findings = response.json()["findings"]
        self.assertIn("A.4.10", findings[0]["clauses"])
        self.assertIn("no-store", response["Cache-Control"])
        bad = self.client_for(self.teacher).post("/staff/screen/", data="not json", content_type="application/json")
        self.assertEqual(bad.status_code, 400)
        other = self.client_for(self.outsider).post(
            "/staff/screen/", data=json.dumps({"text": "x", "site": self.site.pk}), content_type="application/json"
        )
        self.assertEqual(other.status_code, 404)

    def test_a34_the_post_editor_serves_its_script_from_our_own_static_files(self) -> None:
        page = self.client_for(self.teacher).get(f"/staff/posts/new/{self.site.pk}/")
        self.assertContains(page, 'src="/static/staff/screen.js"')
        self.assertEqual(self.client_for(None).get("/static/staff/screen.js").status_code, 200)

    def test_a34_drafting_submitting_and_approving_through_the_pages(self) -> None:
        teacher = self.client_for(self.teacher)
        response = teacher.post(
            f"/staff/posts/new/{self.site.pk}/",
            {"step": "save", "title": "Fair", "body": "Volcanoes erupted safely.", "author_position": "Teacher"},
        )
        post = OfficialPost.objects.get()
        self.assertRedirects(response, f"/staff/posts/{post.pk}/")
        teacher.post(f"/staff/posts/{post.pk}/", {"step": "submit"})
        post.refresh_from_db()
        self.assertEqual(post.state, PostState.SUBMITTED)
        for person, step in ((self.ict_manager, "ict"), (self.head, "head")):
            self.client_for(person).post(
                f"/staff/posts/{post.pk}/",
                {"step": "approve", "decide-step": step, "decide-seen": post.content_sha256},
            )
        post.refresh_from_db()
        self.assertEqual(post.state, PostState.PUBLISHED)
        self.assertEqual(PostApproval.objects.get(step="head").approver, self.head)

    def test_a34_returning_needs_a_reason_and_the_author_can_resend(self) -> None:
        post = self._post()
        submit_post(post, by=self.teacher)
        head = self.client_for(self.head)
        response = head.post(
            f"/staff/posts/{post.pk}/",
            {"step": "return", "decide-step": "head", "decide-seen": post.content_sha256, "decide-comment": ""},
            follow=True,
        )
        self.assertContains(response, "Say what needs to change")
        head.post(
            f"/staff/posts/{post.pk}/",
            {"step": "return", "decide-step": "head", "decide-seen": post.content_sha256, "decide-comment": "Add date"},
        )
        post.refresh_from_db()
        self.assertEqual((post.state, post.return_reason), (PostState.RETURNED, "Add date"))
        submit_post(post, by=self.teacher)
        self.assertEqual(post.state, PostState.SUBMITTED)

    def test_a32_posts_can_only_be_drafted_for_approved_sites(self) -> None:
        draft_site = approved_site(self, state=SiteState.SUBMITTED)
        with self.assertRaisesMessage(StaffActionError, "approved official sites"):
            self._post(site=draft_site)
        self.assertEqual(self.client_for(self.teacher).get(f"/staff/posts/new/{draft_site.pk}/").status_code, 404)

    def test_a34_outsiders_and_pupils_see_nothing(self) -> None:
        post = self._post()
        for person in (self.outsider, self.moderator):
            with self.subTest(person=person.username):
                self.assertEqual(self.client_for(person).get(f"/staff/posts/{post.pk}/").status_code, 404)
                self.assertEqual(
                    self.client_for(person).post(f"/staff/posts/{post.pk}/", {"step": "withdraw"}).status_code, 404
                )
        self.assertEqual(self.client_for(self.outsider).get(f"/staff/posts/new/{self.site.pk}/").status_code, 403)
        self.assertEqual(self.client_for(self.pupil).get("/staff/posts/").status_code, 403)
        self.assertEqual(self.client_for(self.head).get(f"/staff/posts/{post.pk}/edit/").status_code, 403)

    def test_a34_waiting_for_me_asks_each_approver_once(self) -> None:
        from custos.core.waiting import waiting_for

        post = self._post()
        submit_post(post, by=self.teacher)
        title = "Approve the official post “Science fair”"
        self.assertIn(title, [i.title for i in waiting_for(self.head)])
        approve_post(post, by=self.head, step="head", seen_sha256=post.content_sha256)
        self.assertNotIn(title, [i.title for i in waiting_for(self.head)])
        self.assertIn(title, [i.title for i in waiting_for(self.ict_manager)])
        self.assertNotIn(title, [i.title for i in waiting_for(self.teacher)])

    def test_a34_the_posts_list_costs_the_same_queries_for_one_or_ten_posts(self) -> None:
        client = self.client_for(self.head)
        self._post()
        client.get("/staff/posts/")
        with CaptureQueriesContext(connection) as one:
            client.get("/staff/posts/")
        for _ in range(9):
            submit_post(self._post(), by=self.teacher)
        with self.assertNumQueries(len(one)):
            page = client.get("/staff/posts/")
        self.assertContains(page, "Science fair", count=19)
