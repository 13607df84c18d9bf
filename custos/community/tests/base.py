"""A live, school-hosted site at Oakfield with its team and members, built through the community actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from custos.accounts.models import Kind, Pupil, User
from custos.community import actions, queries
from custos.community.models import Contribution, Membership
from custos.sites.models import Hosting, Site, SiteKind, SiteRole, SiteRoleKind, SiteState
from custos.tasks.worker import run_once
from custos.test import CustosTestCase, make_user

HOUSE_RULES = "Be kind to everyone.\nNo personal information.\nStay on topic."


def make_space(school: Any, author: User, moderators: list[User], administrators: list[User], **extra: Any) -> Site:
    fields: dict[str, Any] = {
        "school": school,
        "author": author,
        "title": "Year 8 Science Club",
        "kind": SiteKind.OWN,
        "hosting": Hosting.SCHOOL,
        "state": SiteState.LIVE,
        "terms_of_use": "Use this space for the Science Club only.",
        "house_rules": HOUSE_RULES,
        "allow_text": True,
        "allow_comments": True,
        "allow_images": True,
        "audience_pupils": True,
        "contributors_pupils": True,
        "contributors_public": True,
        "audience_age_min": 11,
        "contributors_age_min": 11,
        "live_since": timezone.now(),
    }
    fields.update(extra)
    site = Site.objects.create(**fields)
    for user in moderators:
        SiteRole.objects.create(site=site, user=user, role=SiteRoleKind.MODERATOR)
    for user in administrators:
        SiteRole.objects.create(site=site, user=user, role=SiteRoleKind.ADMINISTRATOR)
    return site


class SpaceTestCase(CustosTestCase):
    """Personas plus: ``site`` (moderators: moderator, second_moderator; administrator: teacher), ``pupil`` and
    ``pupil2`` invited members with terms accepted, ``external`` a vetted member."""

    site: Site
    second_moderator: User
    pupil2: User
    pupil2_record: Pupil

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.second_moderator = make_user("second_moderator", school=cls.school, first_name="Sam", last_name="Second")
        cls.pupil2 = make_user("pupil2", school=cls.school, kind=Kind.PUPIL, first_name="Alexa", last_name="Moorcroft")
        cls.pupil2_record = Pupil.objects.create(
            school=cls.school,
            upn="B123456789012",
            legal_first_name="Alexandra",
            legal_last_name="Moorcroft-Legal",
            preferred_first_name="Alexa",
            year_group=8,
            date_of_birth=dt.date(2013, 1, 2),
            user=cls.pupil2,
        )
        cls.teacher.job_title = "Science teacher"
        cls.teacher.save()
        cls.site = make_space(cls.school, cls.teacher, [cls.moderator, cls.second_moderator], [cls.teacher])
        actions.invite(cls.site, by=cls.teacher, users=[cls.pupil, cls.pupil2])
        for user in (cls.pupil, cls.pupil2):
            queries.forget(user)
            actions.accept_terms(Membership.objects.get(site=cls.site, user=user), by=user)
        membership = actions.request_to_join(cls.site, by=cls.external, reason="I run the local science festival.")
        actions.vet(membership, by=cls.teacher, approve=True, notes="Checked DBS and references.")
        actions.accept_terms(membership, by=cls.external)

    def setUp(self) -> None:
        super().setUp()
        for user in (self.pupil, self.pupil2, self.external, self.teacher, self.moderator, self.second_moderator):
            queries.forget(user)

    def post(self, user: User, body: str, **extra: Any) -> Contribution:
        queries.forget(user)
        return actions.contribute(self.site, by=user, body=body, **extra)

    def screened(self, user: User, body: str, **extra: Any) -> Contribution:
        contribution = self.post(user, body, **extra)
        run_once()
        contribution.refresh_from_db()
        return contribution

    def membership(self, user: User) -> Membership:
        return Membership.objects.get(site=self.site, user=user)
