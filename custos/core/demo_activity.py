"""Life in the demo trust: official sites at every stage, and a few reports, made through the real actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from custos.accounts.models import Kind, Pupil, School, User
from custos.cases.actions import open_case
from custos.cases.models import Case
from custos.community import actions as community
from custos.core.demo import SCHOOLS
from custos.sites import actions as sites
from custos.sites.content import content_sha256, current_roles
from custos.sites.models import Decision, Site, SiteKind, SiteState


def _person(school: School, prefix: str) -> User:
    return User.objects.get(username=f"{prefix}@{school.email_domain}")


def _form(title: str, today: dt.date, ages: tuple[int, int] = (9, 11), **extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": title,
        "department": "English",
        "aims": "Encourage reading for pleasure and give pupils a safe place to recommend books to each other.",
        "proposed_content": "Book reviews by pupils, reading challenges and author news posted by staff.",
        "reason": "Reading for pleasure is a school improvement priority; the club meets once a week.",
        "time_commitment": "About two hours a week, shared by the two moderators.",
        "evaluation_plan": "Number of reviews posted and library loans, compared termly with last year.",
        "exit_strategy": "Closes at the end of the school year; reviews are archived to the library page.",
        "audience_pupils": True,
        "audience_age_min": ages[0],
        "audience_age_max": ages[1],
        "audience_staff": True,
        "contributors_pupils": True,
        "contributors_age_min": ages[0],
        "contributors_age_max": ages[1],
        "contributors_staff": True,
        "hosting": "school",
        "go_live_on": today,
        "closes_on": today + dt.timedelta(days=220),
        "security_measures": "School sign-in only; pupils are invited from the roster by the administrators.",
        "consent_plan": "A letter home explains the club's space and its House Rules; parents return a consent "
        "slip before their child is invited, and may withdraw it at any time.",
        "terms_of_use": "This space is for the Reading Club's pupils and staff. It is moderated.",
        "house_rules": "Be kind about other people's choices.\nNo personal details: no surnames, addresses, "
        "phone numbers or photos of people.\nKeep it about books.\nTell a teacher if something worries you.",
        "allow_text": True,
        "allow_comments": True,
    }
    fields.update(extra)
    return fields


def _sign(site: Site, by: User) -> None:
    site.refresh_from_db()
    step = sites.step_for(site)
    assert step is not None
    sites.decide(
        site, by=by, step=step, decision=Decision.APPROVED, comment="",
        seen_sha256=content_sha256(site, current_roles(site)),
    )  # fmt: skip


# Each demo site reads as itself: the forms the ICT Manager and Head are asked to approve must make sense.
ECO_COUNCIL: dict[str, Any] = {
    "department": "Geography",
    "aims": "Share the Eco Council's projects and invite ideas for making the school greener.",
    "proposed_content": "Updates on recycling, the wildlife garden and switch-off fortnight; pupils' ideas and votes.",
    "reason": "The Eco Council's work is part of the school's sustainability plan; pupils asked for a place for it.",
    "evaluation_plan": "Ideas submitted and taken up, and the recycling figures, compared each term.",
    "exit_strategy": "Closes at the end of the school year; projects are summarised on the school website.",
    "terms_of_use": "This space is for the Eco Council's pupils and staff. It is moderated.",
    "house_rules": "Be respectful of other people's ideas.\nNo personal details: no surnames, addresses, phone numbers "
    "or photos of people.\nKeep it about the school's green projects.\nTell a teacher if something worries you.",
}
SPORTS_DAY: dict[str, Any] = {
    "department": "PE",
    "aims": "Celebrate sports day with results and photos of events, for pupils and their families.",
    "proposed_content": "Event results and photos of races taken by staff, with no pupil named or identifiable.",
    "reason": "Families cannot all attend sports day; they asked to see how it went.",
    "evaluation_plan": "Views in the week after sports day and feedback from the parents' forum.",
    "exit_strategy": "Closes four weeks after sports day; the photos are deleted from the site.",
    "terms_of_use": "This blog is run by the PE department. Comments are moderated.",
    "house_rules": "Be kind: cheer everyone on.\nNo personal details and no names of pupils.\nDon't share or "
    "repost the photos.\nTell a teacher if something worries you.",
}


def seed_activity(school: School) -> None:
    if Site.objects.filter(school=school).exists():
        return
    # The sites' rules judge dates against the real calendar (go-live not in the past), so the demo does too.
    today = timezone.localdate()
    teacher, moderator, moderator2 = (_person(school, p) for p in ("teacher", "moderator", "moderator2"))
    ict, head, pastoral = (_person(school, p) for p in ("ict", "head", "pastoral"))
    team = {"administrators": [teacher, moderator], "moderators": [moderator, moderator2]}
    ages = next((demo.club_ages for demo in SCHOOLS if demo.urn == school.urn), (9, 11))

    def form(title: str, submit: bool, **extra: Any) -> Site:
        try:
            return sites.save_form(
                None, by=teacher, school=school, kind=SiteKind.OWN,
                fields=_form(title, today, ages, line_manager=pastoral, **extra), roles=team, submit=submit,
            )  # fmt: skip
        except sites.SubmissionRefused as refused:
            raise RuntimeError(f"demo site {title!r} breaks a rule: {refused.errors}") from refused

    live = form(f"{school.name.split()[0]} Reading Club", submit=True)
    _sign(live, ict)
    _sign(live, head)
    live.refresh_from_db()
    if live.state == SiteState.APPROVED:  # (approval itself puts a site live when its date has come)
        sites.go_live(live, by=None)
    # The demo pupils are Reading Club members; each accepts the House Rules on first visit (A.4.1).
    members = User.objects.filter(pupil__school=school, kind=Kind.PUPIL, is_active=True).order_by("username")
    community.invite(live, by=teacher, users=members)
    form("Eco Council noticeboard", submit=True, **ECO_COUNCIL)
    form("Sports day photo blog", submit=False, **SPORTS_DAY)

    if not Case.objects.filter(school=school).exists():
        # The pupil the concern is about is one of the Reading Club's members, as the summary says.
        pupil = Pupil.objects.filter(school=school, on_roll=True, user__isnull=False).order_by("upn").first()
        open_case(
            case_type="safeguarding",
            school=school,
            reported_by=teacher,
            summary="A pupil said in the Reading Club that they are scared to go home at weekends.",
            evidence_text="Comment as posted: 'i dont want to go home this weekend, its not safe there'",
            linked_pupils=[pupil] if pupil else [],
            linked_site=live,
            source="report_form",
        )
        open_case(
            case_type="media_enquiry",
            school=school,
            reported_by=moderator,
            summary="A local newspaper asked about the Reading Club's author visit.",
            source="report_form",
        )


def seed_all() -> None:
    for school in School.objects.order_by("urn"):
        seed_activity(school)
