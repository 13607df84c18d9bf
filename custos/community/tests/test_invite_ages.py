"""Appendix B, A.2.5, A.2.6: pupils are invited only within the ages the site was approved for, youngest *and*
oldest; the invitation list shows each pupil's year group and age by the name they go by, never the legal name."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from custos.accounts.models import Kind, Pupil, User
from custos.community import actions
from custos.community.models import Membership
from custos.community.tests.base import SpaceTestCase, make_space
from custos.test import make_user


class InviteAgeTests(SpaceTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.juniors = make_space(
            self.school, self.teacher, [self.moderator, self.second_moderator], [self.teacher],
            title="Ages 9 to 11 reading club", audience_age_min=9, audience_age_max=11, contributors_age_min=9,
            contributors_age_max=11,
        )  # fmt: skip

    def pupil_aged(self, age: int, username: str, *, legal: str = "Oliver", preferred: str = "Ollie") -> User:
        user = make_user(username, school=self.school, kind=Kind.PUPIL, first_name=preferred, last_name="Walker")
        Pupil.objects.create(school=self.school, upn=f"W{username}"[:13], legal_first_name=legal,
                             legal_last_name="Walker-Legal", preferred_first_name=preferred,
                             preferred_last_name="Walker", year_group=age - 4,
                             date_of_birth=dt.date(self.today().year - age, 1, 1), user=user)  # fmt: skip
        return user

    def test_a25_a26_a_pupil_older_than_the_sites_approved_ages_cannot_be_invited(self) -> None:
        oliver = self.pupil_aged(12, "oliver")
        with self.assertRaisesMessage(actions.CommunityError, "approved for pupils aged 9 to 11; Ollie Walker is 12"):
            actions.invite(self.juniors, by=self.teacher, users=[oliver])
        with self.assertRaisesMessage(actions.CommunityError, "(A.2.5, A.2.6)"):
            actions.invite(self.juniors, by=self.teacher, users=[oliver])
        self.assertFalse(Membership.objects.filter(user=oliver).exists())

    def test_a26_the_oldest_approved_age_itself_may_be_invited_and_one_bad_pupil_stops_the_whole_batch(self) -> None:
        eleven = self.pupil_aged(11, "eleven", preferred="Ella")
        twelve = self.pupil_aged(12, "twelve", preferred="Tom")
        with self.assertRaises(actions.CommunityError):
            actions.invite(self.juniors, by=self.teacher, users=[eleven, twelve])
        self.assertFalse(Membership.objects.filter(site=self.juniors).exists())
        self.assertEqual(len(actions.invite(self.juniors, by=self.teacher, users=[eleven])), 1)

    def test_a26_a_too_young_pupil_is_still_refused_with_the_range_in_the_message(self) -> None:
        eight = self.pupil_aged(8, "eight", preferred="Evie")
        with self.assertRaisesMessage(actions.CommunityError, "aged 9 to 11; Evie Walker is younger"):
            actions.invite(self.juniors, by=self.teacher, users=[eight])

    def test_a26_inviting_too_old_a_pupil_through_the_page_changes_nothing_and_says_why(self) -> None:
        oliver = self.pupil_aged(12, "oliver")
        response = self.client_for(self.teacher).post(
            reverse("community:invite", args=[self.juniors.pk]), {"people": [oliver.pk]}, follow=True
        )
        self.assertContains(response, "Ollie Walker is 12, older than its approved age range (A.2.5, A.2.6)")
        self.assertFalse(Membership.objects.filter(user=oliver).exists())

    def test_a26_the_invite_list_shows_year_group_and_age_by_known_as_name_never_the_legal_name(self) -> None:
        self.pupil_aged(12, "oliver")
        self.pupil_aged(10, "ten", legal="Theodora", preferred="Teddy")
        page = self.client_for(self.teacher).get(reverse("community:members", args=[self.juniors.pk]))
        html = page.content.decode()
        self.assertIn("Ollie Walker (pupil, Year 8, age 12, outside this site&#x27;s ages (aged 9 to 11))", html)
        self.assertIn("Teddy Walker (pupil, Year 6, age 10)</option>", html)
        for legal in ("Oliver", "Theodora", "Walker-Legal"):
            self.assertNotIn(legal, html)
        self.assertIn("Moderator Persona", html)

    def test_a26_the_members_page_query_count_does_not_grow_with_the_roster(self) -> None:
        client = self.client_for(self.teacher)
        url = reverse("community:members", args=[self.juniors.pk])
        self.pupil_aged(10, "p0")
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        for n in range(1, 11):
            self.pupil_aged(10, f"p{n}")
        with CaptureQueriesContext(connection) as large:
            client.get(url)
        self.assertEqual(len(small), len(large), "the roster's labels cost no query per person")
