"""Every change to an official site, one function each: atomic, audited in the same transaction, and telling the
people who must act next (by email and on their "Waiting for me" list)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from custos.accounts.models import Role, RoleAssignment, School, User
from custos.audit.actions import diff, record
from custos.mail.actions import queue_email
from custos.sites import queries
from custos.sites.checks import submission_errors
from custos.sites.content import ROLE_FIELDS, canonical_content, content_sha256, current_roles, role_fields_for
from custos.sites.models import (
    ALLOWED_TRANSITIONS,
    EDITABLE_STATES,
    ClosureExtension,
    Decision,
    Evaluation,
    ExtensionState,
    HostPlatform,
    Signature,
    Site,
    SiteRole,
    SiteRoleKind,
    SiteState,
    Step,
)


class SiteError(Exception):
    """A plain-language refusal, shown to the person as it is."""


class SubmissionRefused(SiteError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("The form breaks the policy's rules: see the errors beside each field.")
        self.errors = errors


class Conflict(SiteError):
    """Someone else changed the site first."""


# ---------------------------------------------------------------- helpers


def link_to(site: Site, name: str = "sites:detail") -> str:
    return settings.SITE_URL + reverse(name, args=[site.pk])


def tell(people: Iterable[Any], subject: str, message: str, link: str) -> None:
    """Queue one email to each distinct person (inside the caller's transaction: sent after it commits)."""
    seen: set[int] = set()
    for person in people:
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        queue_email(person, "notice", {"subject": subject, "message": message, "link": link})


def _heads(site: Site) -> list[User]:
    return queries.approvers_of(site)["head"]


def _move(site: Site, to: str, **updates: Any) -> None:
    """The one place a site changes state: checks the transition and makes it only if nobody moved it first."""
    if to not in ALLOWED_TRANSITIONS[site.state]:
        raise Conflict(
            f"A site that is {site.get_state_display().lower()} cannot become {SiteState(to).label.lower()}."
        )
    updates = {"state": to, "updated_at": timezone.now(), **updates}
    if not Site.objects.filter(pk=site.pk, state=site.state).update(**updates):
        raise Conflict("Someone else changed this site at the same moment. Reload the page to see what happened.")
    for name, value in updates.items():
        setattr(site, name, value)


def _locked(site: Site) -> Site:
    return Site.objects.select_for_update(of=("self",)).select_related("school", "host_platform").get(pk=site.pk)


def _write_roles(site: Site, roles: Mapping[str, Iterable[User]], by: User) -> None:
    for name in role_fields_for(site.kind):
        kind = ROLE_FIELDS[name]
        wanted = {user.pk for user in roles.get(name, [])}
        site.roles.filter(role=kind).exclude(user_id__in=wanted).delete()
        have = set(site.roles.filter(role=kind).values_list("user_id", flat=True))
        SiteRole.objects.bulk_create(
            [SiteRole(site=site, user_id=pk, role=kind, added_by=by) for pk in sorted(wanted - have)]
        )


def _invalidate_approvals(site: Site, reason: str) -> int:
    return Signature.objects.filter(site=site, extension=None, decision=Decision.APPROVED, invalidated_at=None).update(
        invalidated_at=timezone.now(), invalidated_reason=reason
    )


def _tell_ict(site: Site, subject: str, message: str) -> None:
    tell(queries.approvers_of(site)["ict"], subject, message, link_to(site))


# ---------------------------------------------------------------- the form


@transaction.atomic
def save_form(
    site: Site | None,
    *,
    by: User,
    school: School,
    kind: str,
    fields: Mapping[str, Any],
    roles: Mapping[str, Iterable[User]],
    submit: bool,
    seen_sha256: str = "",
) -> Site:
    """Save the form as a draft, or submit it to the ICT Manager (A.3.6) once every rule passes.

    Editing a form that was already signed invalidates the signatures and sends it back to the ICT Manager.
    Raises ``SubmissionRefused`` (nothing saved) when a rule fails, ``Conflict`` when someone else got there first.
    """
    roles = {name: list(people) for name, people in roles.items()}
    now, today = timezone.now(), timezone.localdate()
    if site is None:
        site = Site(school=school, kind=kind, author=by, created_at=now)
        before: dict[str, Any] = {}
        old_state = ""
    else:
        site = _locked(site)
        if site.state not in EDITABLE_STATES:
            raise Conflict(f"This form is {site.get_state_display().lower()} now and can no longer be edited.")
        old_roles = current_roles(site)
        if seen_sha256 and seen_sha256 != content_sha256(site, old_roles):
            raise Conflict("Someone else changed this form since you opened it. Reload it and make your changes again.")
        before = canonical_content(site, old_roles)
        old_state = site.state
    for name, value in fields.items():
        setattr(site, name, value)
    after = canonical_content(site, roles)
    changed = before != after
    signed = old_state in (SiteState.SUBMITTED, SiteState.ICT_APPROVED, SiteState.APPROVED)
    if submit or signed:
        errors = submission_errors(site, roles, today)
        if errors:
            raise SubmissionRefused(errors)

    site.updated_at = site.last_activity_at = now
    site.save()
    _write_roles(site, roles, by)
    new_state = old_state or SiteState.DRAFT
    if old_state in (SiteState.ICT_APPROVED, SiteState.APPROVED) and changed:
        _invalidate_approvals(site, "The form was changed after this approval")
        _move(site, SiteState.SUBMITTED, submitted_at=now, approved_at=None)
        new_state = SiteState.SUBMITTED
        _tell_ict(
            site,
            f"Changed after approval, please approve again: {site.title}",
            f"{by} changed the form for {site.title} after it was approved, so it needs your approval again "
            "(A.3.2, A.3.6).",
        )
    elif submit and new_state in (SiteState.DRAFT, SiteState.RETURNED):
        if new_state == SiteState.RETURNED:
            _invalidate_approvals(site, "The form was resubmitted after being returned")
        else:
            site.state = SiteState.DRAFT
        _move(site, SiteState.SUBMITTED, submitted_at=now)
        new_state = SiteState.SUBMITTED
        _tell_ict(
            site,
            f"Site form to approve: {site.title}",
            f"{by} has submitted the Social Media Site Creation Approval Form for {site.title}. "
            "Please read it and approve it, return it for changes or reject it (A.3.6).",
        )
    elif old_state == SiteState.SUBMITTED and changed:
        _tell_ict(site, f"Site form changed: {site.title}", f"{by} changed the form for {site.title}; read it again.")
    action = "site.created" if not old_state else ("site.submitted" if new_state != old_state else "site.edited")
    record(by, action, site, changes={"state": [old_state, new_state], **diff(before, after)})
    return site


# ---------------------------------------------------------------- approvals


def signing_role(user: User, site: Site, step: str) -> str | None:
    held = user.roles_at(site.school)
    if step == Step.ICT:
        return Role.ICT_MANAGER if Role.ICT_MANAGER in held else None
    for role in (Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER):
        if role in held:
            return role
    return None


STEP_STATE = {Step.ICT: SiteState.SUBMITTED, Step.HEAD: SiteState.ICT_APPROVED}
APPROVED_STATE = {Step.ICT: SiteState.ICT_APPROVED, Step.HEAD: SiteState.APPROVED}


def step_for(site: Site) -> str | None:
    return {SiteState.SUBMITTED: Step.ICT, SiteState.ICT_APPROVED: Step.HEAD}.get(SiteState(site.state))


@transaction.atomic
def decide(site: Site, *, by: User, step: str, decision: str, comment: str, seen_sha256: str) -> Signature:
    """Record the ICT Manager's (step 1) or the Head's (step 2) decision on the form as they saw it (A.3.2, A.3.5,
    A.3.6): approve (a signature), return for changes with comments, or reject with a reason."""
    site = _locked(site)
    if site.state != STEP_STATE[Step(step)]:
        last = site.signatures.filter(step=step).order_by("-signed_at", "-pk").first()
        already = (
            f" {last.approver} {last.get_decision_display().lower()} it at "
            f"{timezone.localtime(last.signed_at):%H:%M on %d/%m/%Y}."
            if last
            else ""
        )
        raise Conflict(f"This form is no longer waiting for the {Step(step).label}'s decision.{already}")
    role = signing_role(by, site, step)
    if role is None:
        raise SiteError(f"Only the school's {Step(step).label} can make this decision (A.3.2).")
    if by.pk == site.author_id:
        raise SiteError("You wrote this form, so you cannot approve it: someone else must (A.3.2).")
    if (
        step == Step.HEAD
        and site.signatures.filter(step=Step.ICT, approver=by, decision=Decision.APPROVED, invalidated_at=None).exists()
    ):
        raise SiteError("You signed as ICT Manager; the Head's approval must come from someone else (A.3.2).")
    sha = content_sha256(site, current_roles(site))
    if seen_sha256 != sha:
        raise Conflict("The form changed after you opened it. Read it again before you decide.")
    if decision != Decision.APPROVED and not comment.strip():
        raise SiteError("Say what must change, or why the form is rejected, so the author knows (A.3.2).")
    now = timezone.now()
    if decision == Decision.APPROVED:
        extra = {"approved_at": now} if step == Step.HEAD else {}
        _move(site, APPROVED_STATE[Step(step)], **extra)
    elif decision == Decision.RETURNED:
        _move(site, SiteState.RETURNED)
    else:
        _move(site, SiteState.REJECTED, rejection_reason=comment.strip())
    signature = Signature.objects.create(
        site=site,
        step=step,
        decision=decision,
        approver=by,
        role=role,
        signed_at=now,
        content_sha256=sha,
        comment=comment.strip(),
    )
    Site.objects.filter(pk=site.pk).update(last_activity_at=now)
    record(by, f"site.{step}_{decision}", site, changes={"content_sha256": sha, "comment": comment.strip()})
    _after_decision(site, signature)
    if site.state == SiteState.APPROVED and site.go_live_on and site.go_live_on <= timezone.localdate():
        go_live(site)
    return signature


def _after_decision(site: Site, signature: Signature) -> None:
    author_and_admins = [site.author, *queries.administrators_of(site)]
    who = f"{signature.approver} ({Role(signature.role).label})"
    if signature.decision == Decision.APPROVED and signature.step == Step.ICT:
        tell(
            _heads(site),
            f"Site form to approve: {site.title}",
            f"The ICT Manager approved the form for {site.title}. It now needs your approval, including the use "
            "of the school logo and brand (A.3.2, A.3.5)."
            + (" It also asks to advertise for contributors (A.5.8)." if site.advertising_plan.strip() else ""),
            link_to(site),
        )
    elif signature.decision == Decision.APPROVED:
        tell(
            author_and_admins,
            f"Site approved: {site.title}",
            f"{who} approved {site.title}. It goes live on {site.go_live_on:%d/%m/%Y}.",
            link_to(site),
        )
    elif signature.decision == Decision.RETURNED:
        tell(
            [site.author],
            f"Changes asked for: {site.title}",
            f"{who} returned the form for {site.title} for changes:\n\n{signature.comment}",
            link_to(site),
        )
    else:
        tell(
            author_and_admins,
            f"Site rejected: {site.title}",
            f"{who} rejected {site.title}:\n\n{signature.comment}",
            link_to(site),
        )


# ---------------------------------------------------------------- the site's life


@transaction.atomic
def go_live(site: Site, *, by: User | None = None) -> None:
    """An approved site goes live on (or after) its go-live date."""
    site = _locked(site)
    if site.state != SiteState.APPROVED:
        raise Conflict("Only an approved site can go live.")
    now = timezone.now()
    _move(site, SiteState.LIVE, live_since=now, last_activity_at=now)
    record(by, "site.live", site, changes={"go_live_on": site.go_live_on})
    tell(
        [*queries.administrators_of(site), *queries.moderators_of(site), site.author],
        f"Site live: {site.title}",
        f"{site.title} is live from today. Its closure date is {site.closes_on:%d/%m/%Y} (A.1.6).",
        link_to(site),
    )


@transaction.atomic
def close_site(site: Site, *, by: User | None, evaluation: str = "", notes: str = "", automatic: bool = False) -> None:
    """Close a site: by a person, with the evaluation against its aims (A.1.7), or automatically on its closure
    date, when the administrators are asked for the evaluation."""
    site = _locked(site)
    if site.state not in (SiteState.LIVE, SiteState.APPROVED):
        raise Conflict(f"This site is {site.get_state_display().lower()}; only a live or approved site can close.")
    if not automatic and (evaluation not in Evaluation.values or not notes.strip()):
        raise SiteError("Say whether the site achieved its aims and how you judged it (A.1.7).")
    _move(site, SiteState.CLOSED, closed_at=timezone.now(), evaluation=evaluation, evaluation_notes=notes.strip())
    record(by, "site.closed", site, changes={"automatic": automatic, "evaluation": evaluation})
    ask = "" if evaluation else " Please record how well it achieved its aims (A.1.7)."
    tell(
        [*queries.administrators_of(site), site.author, *_heads(site)],
        f"Site closed: {site.title}",
        f"{site.title} closed on {timezone.localdate():%d/%m/%Y}.{ask}",
        link_to(site, "sites:close"),
    )


@transaction.atomic
def record_evaluation(site: Site, *, by: User, evaluation: str, notes: str) -> None:
    """The evaluation of a closed site against its stated aims (A.1.7)."""
    site = _locked(site)
    if site.state != SiteState.CLOSED or site.evaluation:
        raise Conflict("This site's evaluation has already been recorded, or it has not closed yet.")
    if evaluation not in Evaluation.values or not notes.strip():
        raise SiteError("Say whether the site achieved its aims and how you judged it (A.1.7).")
    Site.objects.filter(pk=site.pk).update(evaluation=evaluation, evaluation_notes=notes.strip())
    record(by, "site.evaluated", site, changes={"evaluation": evaluation})


def note_site_activity(site: Site, user: User) -> None:
    """Record that an administrator or moderator acted on the site (A.1.6): it is not neglected."""
    Site.objects.filter(pk=site.pk).update(last_activity_at=timezone.now(), neglected_since=None)


@transaction.atomic
def name_cover(site: Site, *, by: User, user: User) -> SiteRole:
    """Name a cover moderator while others are on leave or have left (A.1.5, A.5.4)."""
    from custos.sites.checks import _person_problem

    site = _locked(site)
    if site.state not in (SiteState.APPROVED, SiteState.LIVE):
        raise Conflict("Cover can be named only for an approved or live site.")
    problem = _person_problem(user, site, timezone.localdate())
    if problem:
        raise SiteError(problem + " (A.3.1).")
    role, created = SiteRole.objects.get_or_create(
        site=site, user=user, role=SiteRoleKind.MODERATOR, defaults={"is_cover": True, "added_by": by}
    )
    if not created:
        raise SiteError(f"{user} is already a moderator of this site.")
    Site.objects.filter(pk=site.pk).update(last_activity_at=timezone.now())
    record(by, "site.cover_named", site, changes={"moderator": user.pk})
    tell(
        [user, *_heads(site)],
        f"Cover moderator for {site.title}",
        f"{by} named {user} as a cover moderator of {site.title} (A.1.5, A.5.4).",
        link_to(site),
    )
    return role


# ---------------------------------------------------------------- extensions (A.1.6)


@transaction.atomic
def request_extension(site: Site, *, by: User, closes_on: dt.date, reason: str) -> ClosureExtension:
    """Ask to move the closure date: it needs the ICT Manager's and the Head's approval again (A.1.6)."""
    site = _locked(site)
    if site.state not in (SiteState.APPROVED, SiteState.LIVE):
        raise Conflict("Only an approved or live site can be extended.")
    if site.closes_on is None or closes_on <= site.closes_on:
        raise SiteError("The new closure date must be after the current one (A.1.6).")
    if not reason.strip():
        raise SiteError("Say why the site should stay open longer (A.1.6).")
    try:
        with transaction.atomic():
            extension = ClosureExtension.objects.create(
                site=site,
                requested_by=by,
                closes_on_before=site.closes_on,
                closes_on_requested=closes_on,
                reason=reason.strip(),
            )
    except IntegrityError:
        raise Conflict("An extension of this site is already waiting for approval.") from None
    record(by, "site.extension_requested", site, changes={"closes_on": [site.closes_on, closes_on]})
    _tell_ict(
        site,
        f"Extension to approve: {site.title}",
        f"{by} asks to keep {site.title} open until {closes_on:%d/%m/%Y}:\n\n{reason.strip()}",
    )
    return extension


def extension_sha256(extension: ClosureExtension) -> str:
    site = extension.site
    site.closes_on = extension.closes_on_requested
    sha = content_sha256(site, current_roles(site))
    site.closes_on = extension.closes_on_before
    return sha


@transaction.atomic
def decide_extension(extension: ClosureExtension, *, by: User, decision: str, comment: str) -> Signature:
    ext = ClosureExtension.objects.select_for_update(of=("self",)).select_related("site__school").get(pk=extension.pk)
    step = {ExtensionState.WITH_ICT: Step.ICT, ExtensionState.WITH_HEAD: Step.HEAD}.get(ExtensionState(ext.state))
    site = ext.site
    if step is None:
        raise Conflict("This extension has already been decided.")
    if by.pk == ext.requested_by_id:
        raise SiteError("You asked for this extension, so you cannot approve it: someone else must (A.3.2).")
    role = signing_role(by, site, step)
    if role is None:
        raise SiteError(f"Only the school's {step.label} can make this decision (A.1.6, A.3.2).")
    if decision != Decision.APPROVED and not comment.strip():
        raise SiteError("Say why, so the person who asked knows (A.3.2).")
    sha = extension_sha256(ext)
    if decision == Decision.APPROVED:
        to = ExtensionState.WITH_HEAD if step == Step.ICT else ExtensionState.APPROVED
    else:
        to = ExtensionState.RETURNED if decision == Decision.RETURNED else ExtensionState.REJECTED
    if not ClosureExtension.objects.filter(pk=ext.pk, state=ext.state).update(state=to):
        raise Conflict("Someone else decided this extension at the same moment.")
    signature = Signature.objects.create(
        site=site,
        extension=ext,
        step=step,
        decision=decision,
        approver=by,
        role=role,
        content_sha256=sha,
        comment=comment.strip(),
    )
    if to == ExtensionState.APPROVED:
        Site.objects.filter(pk=site.pk).update(closes_on=ext.closes_on_requested, updated_at=timezone.now())
    record(by, f"site.extension_{step}_{decision}", site, changes={"closes_on": ext.closes_on_requested})
    if to == ExtensionState.WITH_HEAD:
        tell(
            _heads(site),
            f"Extension to approve: {site.title}",
            f"The ICT Manager approved keeping {site.title} open until {ext.closes_on_requested:%d/%m/%Y}.",
            link_to(site),
        )
    else:
        tell(
            [ext.requested_by],
            f"Extension {Decision(decision).label.lower()}: {site.title}",
            f"{by} {Decision(decision).label.lower()} the extension of {site.title}. {comment}".strip(),
            link_to(site),
        )
    return signature


# ---------------------------------------------------------------- host platforms (7.3, A.2.5)


@transaction.atomic
def save_platform(platform: HostPlatform | None, *, by: User, name: str, minimum_age: int, notes: str) -> HostPlatform:
    """Add or update a host platform's minimum age; only ICT Managers reach this (see rules.py).

    The list is shared by every school in the Trust, so the audit event names the schools the editor is ICT Manager
    at (and is filed under the first of them). Names are unique whatever their capitals (A.2.5): a second entry
    racing this one is refused with the entry that won."""
    if platform is not None:
        platform = HostPlatform.objects.select_for_update().get(pk=platform.pk)
    before = {"name": platform.name, "minimum_age": platform.minimum_age, "notes": platform.notes} if platform else {}
    platform = platform or HostPlatform()
    platform.name, platform.minimum_age, platform.notes = " ".join(name.split()), minimum_age, notes.strip()
    platform.updated_by, platform.updated_at = by, timezone.now()
    try:
        with transaction.atomic():
            platform.save()
    except IntegrityError:
        existing = HostPlatform.objects.filter(name__iexact=platform.name).exclude(pk=platform.pk).first()
        if existing is None:
            raise SiteError(f"There is already a platform called {platform.name} (A.2.5).") from None
        raise SiteError(
            f"{existing.name} is already listed (minimum age {existing.minimum_age}): change that entry instead "
            "(A.2.5)."
        ) from None
    after = {"name": platform.name, "minimum_age": platform.minimum_age, "notes": platform.notes}
    schools = ict_schools_of(by)
    record(
        by,
        "site.platform_saved",
        platform,
        changes={**diff(before, after), "editor_schools": [school.name for school in schools], "scope": "trust"},
        school_id=schools[0].pk if schools else by.school_id,
    )
    return platform


def ict_schools_of(user: User) -> list[School]:
    """The schools ``user`` is ICT Manager at today; a Trust-wide ICT Manager counts at every school."""
    assignments = RoleAssignment.objects.current().filter(user=user, role=Role.ICT_MANAGER)
    if assignments.filter(school__isnull=True).exists():
        return list(School.objects.order_by("name"))
    return list(School.objects.filter(role_assignments__in=assignments).distinct().order_by("name"))
