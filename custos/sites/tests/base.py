"""Sites test base: the Oakfield personas plus a ready-made valid form, built through the sites actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from custos.accounts.models import User
from custos.sites import actions
from custos.sites.content import content_sha256, current_roles
from custos.sites.models import Decision, HostPlatform, Site, SiteKind, Step
from custos.test import CustosTestCase


def valid_fields(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "title": "Year 9 Science Club blog",
        "department": "Science",
        "aims": "Share practical science with Year 9 and their families.",
        "proposed_content": "Weekly write-ups and photos of experiments (no pupil faces).",
        "reason": "Extends the practical curriculum beyond lessons.",
        "time_commitment": "Two hours a week between two teachers.",
        "evaluation_plan": "Termly survey of pupils; participation in the club.",
        "exit_strategy": "Closes at the end of the school year; content archived.",
        "audience_pupils": True,
        "audience_age_min": 13,
        "audience_age_max": 14,
        "audience_staff": True,
        "contributors_staff": True,
        "hosting": "school",
        "go_live_on": today + dt.timedelta(days=7),
        "closes_on": today + dt.timedelta(days=200),
        "security_measures": "School sign-in only; members approved by the administrators.",
        "terms_of_use": "For Oakfield Year 9 pupils and staff.",
        "house_rules": "Be kind.\nNo personal details.\nStay on topic.",
        "allow_comments": True,
    }
    fields.update(overrides)
    return fields


def sign(site: Site, by: User, decision: str = Decision.APPROVED, comment: str = "") -> Any:
    site.refresh_from_db()
    step = actions.step_for(site)
    assert step is not None, site.state
    return actions.decide(
        site,
        by=by,
        step=step,
        decision=decision,
        comment=comment,
        seen_sha256=content_sha256(site, current_roles(site)),
    )


class SitesTestCase(CustosTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.teacher.first_name, cls.teacher.job_title = "Tess", "Science teacher"
        cls.teacher.save()
        cls.facebook = HostPlatform.objects.get(name="Facebook")

    def roles(self, **overrides: Any) -> dict[str, list[User]]:
        roles = {"administrators": [self.teacher, self.moderator], "moderators": [self.moderator, self.contractor]}
        roles.update(overrides)
        return roles

    def draft(self, *, by: User | None = None, submit: bool = False, roles: Any = None, **fields: Any) -> Site:
        by = by or self.teacher
        values = valid_fields(line_manager=self.pastoral, **fields)
        return actions.save_form(
            None,
            by=by,
            school=self.school,
            kind=SiteKind.OWN,
            fields=values,
            roles=roles if roles is not None else self.roles(),
            submit=submit,
        )

    def submitted(self, **fields: Any) -> Site:
        return self.draft(submit=True, **fields)

    def approved(self, **fields: Any) -> Site:
        site = self.submitted(**fields)
        sign(site, self.ict_manager)
        sign(site, self.head)
        site.refresh_from_db()
        return site

    def errors_for(self, roles: Any = None, **fields: Any) -> dict[str, list[str]]:
        try:
            self.draft(submit=True, roles=roles, **fields)
        except actions.SubmissionRefused as refused:
            return refused.errors
        return {}


__all__ = ["SitesTestCase", "Step", "sign", "valid_fields"]
