"""The rules a form must pass before it is submitted (7.2, 7.3, A.1–A.5, Appendix B). Each error names its field
and cites its clause; nothing is submitted until there are none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from custos.accounts.models import Kind
from custos.sites.content import model_field, model_fields_for
from custos.sites.models import Hosting, Site, SiteKind

Errors = dict[str, list[str]]

# Fields every submitted form must fill in, with the clause that asks for them.
REQUIRED: dict[str, tuple[str, str]] = {
    "title": ("Give the site a name.", "Appendix B"),
    "department": ("Enter your department.", "Appendix B §1"),
    "line_manager": ("Choose your line manager.", "Appendix B §1"),
    "aims": ("Describe the aims you propose to achieve.", "Appendix B §2, A.1.2"),
    "proposed_content": ("Describe the proposed content of the site.", "Appendix B §2, A.3.5"),
    "reason": ("Give the strong pedagogical or business reason for the site.", "7.2"),
    "time_commitment": ("Say how much time and effort you will commit to the site.", "A.1.4"),
    "evaluation_plan": ("Say how the success of the site will be evaluated.", "A.1.7"),
    "exit_strategy": ("Describe the exit strategy: how and when the site will end.", "A.1.6"),
    "hosting": ("Say who will host the site.", "Appendix B §5, A.3.2"),
    "go_live_on": ("Enter the proposed date of going live.", "Appendix B §5, A.1.6"),
    "closes_on": ("Enter the proposed date for site closure.", "Appendix B §5, A.1.6"),
    "security_measures": ("Describe how you will keep unwanted or unsuitable people out.", "Appendix B §5, A.5.7"),
    "terms_of_use": ("Write the site's Terms of Use.", "A.4.1"),
    "house_rules": ("Write the site's House Rules, one per line.", "A.4.1"),
    "address": ("Enter the web address of the site you will take part in.", "A.3.3"),
}

AUDIENCE_GROUPS = ("pupils", "staff", "families", "other_pupils", "external_orgs", "public", "others")


def _add(errors: Errors, field: str, message: str, clause: str) -> None:
    errors.setdefault(field, []).append(f"{message} ({clause})")


def _person_problem(user: Any, site: Site, today: dt.date) -> str | None:
    """Why ``user`` cannot administer or moderate the site, or None (A.3.1)."""
    name = str(user)
    if user.kind == Kind.PUPIL:
        return f"{name} is a pupil: pupils cannot administer or moderate an official site"
    if user.kind != Kind.STAFF:
        return f"{name} is not a staff member or other authorised person"
    if not user.is_active or (user.employment_ends_on is not None and user.employment_ends_on <= today):
        return f"{name} is no longer a current member of staff"
    if user.school_id not in (None, site.school_id) and not user.roles_at(site.school):
        return f"{name} works at another school"
    return None


def _people(errors: Errors, site: Site, field: str, people: list[Any], noun: str, today: dt.date, least: int) -> None:
    distinct = {user.pk: user for user in people}
    for user in distinct.values():
        problem = _person_problem(user, site, today)
        if problem:
            _add(errors, field, problem + ".", "A.3.1")
    if len(distinct) < least:
        if least == 1:
            _add(errors, field, f"Name at least one {noun}.", "A.3.3")
        else:
            _add(errors, field, f"Name at least {least} different {noun}s: the site has {len(distinct)}.", "A.5.4")


def _group(errors: Errors, site: Site, prefix: str, what: str) -> None:
    ticked = [g for g in AUDIENCE_GROUPS if getattr(site, f"{prefix}_{g}", False)]
    if not ticked:
        _add(errors, f"{prefix}_pupils", f"Tick at least one {what}.", "Appendix B, A.1.3")
    if site.kind == SiteKind.OWN:
        if getattr(site, f"{prefix}_other_pupils") and not getattr(site, f"{prefix}_other_schools").strip():
            _add(errors, f"{prefix}_other_schools", "Give the names of the other schools.", "Appendix B")
        if getattr(site, f"{prefix}_others") and not getattr(site, f"{prefix}_others_details").strip():
            _add(errors, f"{prefix}_others_details", "Give details of the others.", "Appendix B")
    if prefix == "contributors" and site.kind == SiteKind.PARTICIPATION:
        return
    pupils = getattr(site, f"{prefix}_pupils") or getattr(site, f"{prefix}_other_pupils", False)
    if site.kind == SiteKind.PARTICIPATION:
        pupils = site.audience_pupils or site.contributors_pupils
    low, high = getattr(site, f"{prefix}_age_min"), getattr(site, f"{prefix}_age_max")
    if pupils and (low is None or high is None):
        _add(errors, f"{prefix}_age_min", "Give the pupils' age range (youngest and oldest).", "Appendix B, A.2.5")
    if low is not None and high is not None and low > high:
        _add(errors, f"{prefix}_age_max", "The oldest age must not be below the youngest.", "Appendix B")


def submission_errors(site: Site, roles: Mapping[str, Iterable[Any]], today: dt.date) -> Errors:
    """Every rule the form breaks, by field. ``site`` may be unsaved: checking changes nothing."""
    errors: Errors = {}
    fields = set(model_fields_for(site.kind))
    for name, (message, clause) in REQUIRED.items():
        if name not in fields or (name == "address" and site.kind == SiteKind.OWN):
            continue
        if getattr(site, model_field(name).attname) in (None, ""):
            _add(errors, name, message, clause)

    if site.kind == SiteKind.OWN:
        _people(errors, site, "administrators", list(roles.get("administrators", [])), "administrator", today, 2)
        _people(errors, site, "moderators", list(roles.get("moderators", [])), "moderator", today, 2)
        _group(errors, site, "audience", "audience")
        _group(errors, site, "contributors", "group of contributors")
    else:
        _people(errors, site, "participants", list(roles.get("participants", [])), "person taking part", today, 1)
        _group(errors, site, "audience", "audience")

    # Dates: a plan for how long the site will last (A.1.6).
    if site.go_live_on and site.go_live_on < today:
        _add(errors, "go_live_on", "The go-live date must not be in the past.", "A.1.6")
    if site.go_live_on and site.closes_on and site.closes_on <= site.go_live_on:
        _add(errors, "closes_on", "The closure date must be after the go-live date.", "A.1.6")

    # The host and its minimum age (7.3, A.2.5).
    third_party = site.kind == SiteKind.PARTICIPATION or site.hosting == Hosting.THIRD_PARTY
    if third_party and site.host_platform_id is None:
        _add(
            errors,
            "host_platform",
            "Choose the third-party host. If it is not listed, ask your ICT Manager to add it.",
            "Appendix B §5, A.2.5",
        )
    youngest = site.youngest_age
    platform = site.host_platform if third_party else None
    if platform is not None and youngest is not None and youngest < platform.minimum_age:
        _add(
            errors,
            "host_platform",
            f"{platform.name} requires users to be at least {platform.minimum_age}; the "
            f"youngest pupil in the audience or contributors would be {youngest}.",
            "7.3, A.2.5",
        )

    if site.kind == SiteKind.OWN:
        # Consent when contributors include children or adults with learning disabilities (Appendix B §5).
        children = site.contributors_pupils or site.contributors_other_pupils
        if (children or site.contributors_learning_disabilities) and not site.consent_plan.strip():
            _add(
                errors,
                "consent_plan",
                "Say how you will inform parents or responsible adults and obtain their consent.",
                "Appendix B §5, A.2.1",
            )
        # External contributors are vetted by a named person (A.2.6, A.5.7).
        if site.has_external_contributors and site.vetting_person_id is None:
            _add(errors, "vetting_person", "Name who will vet external contributors.", "A.2.6, A.5.7")
        if site.vetting_person is not None:
            problem = _person_problem(site.vetting_person, site, today)
            if problem:
                _add(errors, "vetting_person", problem + ".", "A.3.1, A.5.7")
    return errors
