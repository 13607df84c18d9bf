"""A.2.6, A.5.7–A.5.9: roster invitations, vetting, the Head's approval for organisations, minimum ages,
suspension and removal with reasons; A.5.2 pseudonyms the school controls."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from custos.accounts.models import Kind, Pupil
from custos.community import actions
from custos.community.models import Membership, MemberStatus
from custos.community.tests.base import SpaceTestCase
from custos.test import make_user


class MembershipTests(SpaceTestCase):
    def test_a26_staff_and_pupils_of_the_school_join_by_invitation_from_the_roster(self) -> None:
        self.assertEqual(self.membership(self.pupil).status, MemberStatus.ACTIVE)
        self.assertEqual(self.membership(self.pupil).invited_by, self.teacher)

    def test_a57_someone_off_the_roster_cannot_be_invited_and_must_ask(self) -> None:
        with self.assertRaisesMessage(actions.CommunityError, "A.5.7"):
            actions.invite(self.site, by=self.teacher, users=[self.outsider])
        self.assertFalse(Membership.objects.filter(user=self.outsider).exists())

    def test_a57_a_request_to_join_is_vetted_before_approval(self) -> None:
        membership = actions.request_to_join(self.site, by=self.outsider, reason="Partner school teacher")
        self.assertEqual(membership.status, MemberStatus.REQUESTED)
        space = reverse("community:space", args=[self.site.pk])
        self.assertEqual(self.client_for(self.outsider).get(space).status_code, 404)
        with self.assertRaises(PermissionDenied):
            actions.vet(membership, by=self.pupil, approve=True, notes="ok")
        with self.assertRaisesMessage(actions.CommunityError, "A.5.7"):
            actions.vet(membership, by=self.teacher, approve=True, notes="")
        actions.vet(membership, by=self.teacher, approve=True, notes="Spoke to their head.")
        self.assertEqual(self.client_for(self.outsider).get(space).status_code, 200)

    def test_a57_the_named_vetting_person_vets_not_the_administrators(self) -> None:
        self.site.vetting_person = self.pastoral
        self.site.save()
        membership = actions.request_to_join(self.site, by=self.outsider, reason="Partner school")
        with self.assertRaises(PermissionDenied):
            actions.vet(membership, by=self.teacher, approve=True, notes="ok")
        actions.vet(membership, by=self.pastoral, approve=False, notes="Unknown to us")
        self.assertEqual(Membership.objects.get(pk=membership.pk).status, MemberStatus.DECLINED)

    def test_a59_an_external_organisation_needs_the_heads_approval(self) -> None:
        org = make_user("museum", school=None, kind=Kind.EXTERNAL, staff_type="")
        membership = actions.request_to_join(
            self.site, by=org, reason="Museum outreach", organisation_name="City Museum"
        )
        actions.vet(membership, by=self.teacher, approve=True, notes="Checked the museum's safeguarding policy.")
        self.assertEqual(membership.status, MemberStatus.AWAITING_HEAD)
        with self.assertRaises(PermissionDenied):
            actions.decide_organisation(membership, by=self.teacher, approve=True, notes="")
        actions.decide_organisation(membership, by=self.head, approve=True, notes="")
        self.assertEqual(Membership.objects.get(pk=membership.pk).status, MemberStatus.ACTIVE)

    def test_a26_pupils_below_the_sites_minimum_age_cannot_join(self) -> None:
        young = make_user("young", school=self.school, kind=Kind.PUPIL)
        Pupil.objects.create(school=self.school, upn="Y1", legal_first_name="Y", legal_last_name="Oung", year_group=5,
                             date_of_birth=self.today() - dt.timedelta(days=365 * 9), user=young)  # fmt: skip
        with self.assertRaisesMessage(actions.CommunityError, "aged 11 and over"):
            actions.invite(self.site, by=self.teacher, users=[young])
        self.assertFalse(Membership.objects.filter(user=young).exists())

    def test_a57_members_are_suspended_and_removed_with_the_reason_recorded(self) -> None:
        membership = self.membership(self.pupil2)
        with self.assertRaisesMessage(actions.CommunityError, "reason"):
            actions.change_status(membership, by=self.teacher, to=MemberStatus.SUSPENDED, reason="")
        actions.change_status(membership, by=self.teacher, to=MemberStatus.SUSPENDED, reason="Repeated spam")
        self.assertEqual(
            self.client_for(self.pupil2).get(reverse("community:space", args=[self.site.pk])).status_code, 404
        )
        with self.assertRaises(PermissionDenied):
            self.post(self.pupil2, "Am I back?")
        actions.change_status(membership, by=self.teacher, to=MemberStatus.REMOVED, reason="Still spamming")
        self.assertEqual(Membership.objects.get(pk=membership.pk).status_reason, "Still spamming")
        with self.assertRaisesMessage(actions.Conflict, "cannot become"):
            actions.change_status(membership, by=self.teacher, to=MemberStatus.ACTIVE, reason="Undo")

    def test_a52_pseudonyms_are_set_by_the_school_and_never_contain_the_real_name(self) -> None:
        membership = self.membership(self.pupil)
        with self.assertRaisesMessage(actions.CommunityError, "A.5.2"):
            actions.set_pseudonym(membership, by=self.teacher, pseudonym="Jameson the Great")
        with self.assertRaises(PermissionDenied):
            actions.set_pseudonym(membership, by=self.pupil, pseudonym="Cool Cat")
        actions.set_pseudonym(membership, by=self.teacher, pseudonym="Quiet Owl 7")
        self.assertEqual(Membership.objects.get(pk=membership.pk).pseudonym, "Quiet Owl 7")

    def test_a57_outsiders_cannot_open_the_members_page_or_act_on_members(self) -> None:
        mid = self.membership(self.pupil).pk
        for user in (self.outsider, self.pupil, self.external, self.moderator):
            client = self.client_for(user)
            self.assertEqual(client.get(reverse("community:members", args=[self.site.pk])).status_code, 404, user)
            url = reverse("community:member_action", args=[self.site.pk, mid, "status"])
            self.assertEqual(client.post(url, {"to": "removed", "reason": "x"}).status_code, 404, user)
            invite = client.post(reverse("community:invite", args=[self.site.pk]), {"people": [self.pupil2.pk]})
            self.assertEqual(invite.status_code, 404, user)
        self.assertEqual(self.membership(self.pupil).status, MemberStatus.ACTIVE)
        self.assertEqual(
            self.client_for(self.teacher).get(reverse("community:members", args=[self.site.pk])).status_code, 200
        )


class OutsiderTests(SpaceTestCase):
    def test_71_nothing_in_a_space_is_readable_by_anyone_who_is_not_a_member(self) -> None:
        item = self.screened(self.pupil, "Members only")
        from custos.moderation.actions import approve

        approve(item, by=self.moderator)
        urls = [
            reverse("community:space", args=[self.site.pk]),
            reverse("community:feed_json", args=[self.site.pk]),
            reverse("community:contribution", args=[self.site.pk, item.pk]),
            reverse("community:image", args=[self.site.pk, item.pk]),
            reverse("community:report", args=[self.site.pk, item.pk]),
        ]
        for user in (self.outsider, self.head, self.dsl, self.contractor):
            client = self.client_for(user)
            for url in urls:
                response = client.get(url)
                self.assertEqual(response.status_code, 404, (user, url))
                self.assertNotIn("Members only", response.content.decode())
            post = client.post(reverse("community:contribute", args=[self.site.pk]), {"body": "let me in"})
            self.assertEqual(post.status_code, 404)
        join = self.client_for(self.outsider).get(reverse("community:join", args=[self.site.pk]))
        self.assertEqual(join.status_code, 200)
        self.assertNotIn("Members only", join.content.decode())

    def test_71_my_spaces_lists_only_the_spaces_a_person_belongs_to(self) -> None:
        self.assertContains(self.client_for(self.pupil).get(reverse("community:mine")), "Year 8 Science Club")
        self.assertNotContains(self.client_for(self.outsider).get(reverse("community:mine")), "Year 8 Science Club")

    def test_a47_the_space_shows_the_school_logo_linking_to_the_school_website(self) -> None:
        page = self.client_for(self.external).get(reverse("community:space", args=[self.site.pk]))
        self.assertContains(page, 'href="https://oakfield.example/"')


class NavTests(SpaceTestCase):
    def test_71_my_spaces_link_is_shown_only_to_members_and_teams(self) -> None:
        for user in (self.pupil, self.external, self.moderator, self.teacher):
            self.assertContains(self.client_for(user).get("/"), reverse("community:mine"), msg_prefix=str(user))
        for user in (self.outsider, self.contractor):
            self.assertNotContains(self.client_for(user).get("/"), reverse("community:mine"), msg_prefix=str(user))


class OfficialPostsTests(SpaceTestCase):
    def test_a48_approved_official_staff_posts_show_in_the_space_with_name_and_position(self) -> None:
        from django.utils import timezone

        from custos.staff.models import OfficialPost, PostState

        OfficialPost.objects.create(
            site=self.site, author=self.teacher, author_position="Head of Science", title="Trip to the museum",
            body="Letters go home on Friday.", state=PostState.PUBLISHED, published_at=timezone.now(),
        )  # fmt: skip
        OfficialPost.objects.create(
            site=self.site, author=self.teacher, author_position="Head of Science", title="Draft notice",
            body="Not yet.", state=PostState.DRAFT,
        )  # fmt: skip
        page = self.client_for(self.pupil).get(reverse("community:space", args=[self.site.pk]))
        self.assertContains(page, "Trip to the museum")
        self.assertContains(page, "Teacher Persona, Head of Science")
        self.assertNotContains(page, "Draft notice")
        self.assertNotContains(
            self.client_for(self.outsider).get(reverse("community:space", args=[self.site.pk])), "Trip", status_code=404
        )
