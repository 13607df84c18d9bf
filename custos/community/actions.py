"""Every change in a space, one function each: atomic, audited in the same transaction, mail and tasks with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from custos.accounts import access
from custos.accounts.models import Kind, User
from custos.audit.actions import record
from custos.community import pseudonyms, queries
from custos.community.images import CleanImage
from custos.community.models import (
    MEMBER_TRANSITIONS,
    SEVERITY_RANKS,
    Contribution,
    ContributionImage,
    ContributionKind,
    ContributionState,
    Membership,
    MemberStatus,
    Report,
)
from custos.mail.actions import queue_email
from custos.sites.models import Site, SiteState
from custos.tasks.registry import enqueue

MAX_BODY = 5000


class CommunityError(Exception):
    """Bad input or a refused change: the message says what and why, citing the clause. Nothing changed."""


class Conflict(CommunityError):
    """Someone else changed it first."""


class RateLimited(CommunityError):
    """Too many contributions in the last minute (HTTP 429)."""


# --- membership -------------------------------------------------------------------------------------------


def _real_names(user: User) -> list[str]:
    names = [user.first_name, user.last_name]
    pupil = getattr(user, "pupil", None) if user.kind == Kind.PUPIL else None
    if pupil is not None:
        names += [pupil.legal_first_name, pupil.legal_last_name, pupil.preferred_first_name, pupil.preferred_last_name]
    return [n for n in names if n]


def _age_problem(site: Site, user: User) -> str:
    """Pupils outside the ages the site was approved for cannot join (Appendix B; A.2.5, A.2.6): below its youngest
    age, or above its oldest where the form records one."""
    if user.kind != Kind.PUPIL:
        return ""
    youngest, oldest = queries.age_range(site)
    pupil = getattr(user, "pupil", None)
    if pupil is None:
        return f"{user} has no pupil record, so their age cannot be checked (A.2.6)."
    age = pupil.age_on(timezone.localdate())
    if youngest is not None and age < youngest:
        return (
            f"This site is for pupils {queries.describe_ages(youngest, oldest)}; {pupil.known_as} is younger (A.2.6)."
        )
    if oldest is not None and age > oldest:
        return (
            f"This site was approved for pupils {queries.describe_ages(youngest, oldest)}; {pupil.known_as} is {age}, "
            "older than its approved age range (A.2.5, A.2.6)."
        )
    return ""


def _new_membership(site: Site, user: User, **fields: Any) -> Membership:
    taken = Membership.objects.filter(site=site).values_list("pseudonym", flat=True)
    for _ in range(5):
        try:
            with transaction.atomic():
                return Membership.objects.create(site=site, user=user, pseudonym=pseudonyms.generate(taken), **fields)
        except IntegrityError as error:
            if Membership.objects.filter(site=site, user=user).exists():
                raise Conflict(f"{user} already has a place in this space.") from error
    raise Conflict("Could not find a free pseudonym; try again.")


def _live(site: Site) -> Site:
    locked = Site.objects.select_for_update().get(pk=site.pk)
    if locked.state != SiteState.LIVE:
        raise CommunityError("This space is closed: it is read-only (A.1.6).")
    return locked


def invite(site: Site, *, by: User, users: Iterable[User]) -> list[Membership]:
    """Add staff and pupils of the school from the roster (7.1, A.2.6): they are members at once and accept the
    Terms of Use and House Rules before they first contribute (A.4.1)."""
    access.require(by, "community.manage_members", site)
    people = list(users)
    if not people:
        raise CommunityError("Choose at least one person from the roster to invite.")
    problems = []
    for user in people:
        if user.school_id != site.school_id or user.kind == Kind.EXTERNAL or not user.is_active:
            problems.append(f"{user} is not on {site.school}'s roster: they must ask to join and be vetted (A.5.7).")
        elif user.kind == Kind.PUPIL and not site.pupils_involved:
            problems.append(f"This site's approval does not include pupils, so {user} cannot be invited (A.1.3).")
        elif problem := _age_problem(site, user):
            problems.append(problem)
    if problems:
        raise CommunityError(" ".join(problems))
    created = []
    with transaction.atomic():
        _live(site)
        for user in people:
            if Membership.objects.filter(site=site, user=user).exists():
                continue
            membership = _new_membership(site, user, status=MemberStatus.ACTIVE, invited_by=by)
            record(by, "community.member_invited", membership, school_id=site.school_id, changes={"site": site.pk})
            created.append(membership)
        _note_activity(site, by)
    return created


def request_to_join(site: Site, *, by: User, reason: str, organisation_name: str = "") -> Membership:
    """Ask to join a space from outside the school's roster; the vetting person checks first (A.5.7), and an
    external organisation also needs the Head's approval (A.5.9)."""
    reason = (reason or "").strip()
    if not reason:
        raise CommunityError("Say why you would like to join, so the vetting person can check (A.5.7).")
    if site.state != SiteState.LIVE or site not in queries.spaces():
        raise CommunityError("This space is not open to new members.")
    if by.kind != Kind.EXTERNAL and by.school_id == site.school_id:
        raise CommunityError(
            f"Staff and pupils of {site.school} join by invitation: ask one of the site's administrators."
        )
    if by.kind == Kind.PUPIL and not (site.contributors_other_pupils or site.audience_other_pupils):
        raise CommunityError("This site's approval does not include pupils from other schools (A.1.3).")
    if problem := _age_problem(site, by):
        raise CommunityError(problem)
    with transaction.atomic():
        membership = _new_membership(
            site,
            by,
            status=MemberStatus.REQUESTED,
            request_reason=reason,
            is_organisation=bool(organisation_name.strip()),
            organisation_name=organisation_name.strip(),
        )
        record(by, "community.join_requested", membership, school_id=site.school_id, changes={"site": site.pk})
        vetters = [site.vetting_person] if site.vetting_person else list(_administrators(site))
        for vetter in vetters:
            queue_email(vetter, "community_join_requested", {"site": site, "membership": membership})
    queries.forget(by)
    return membership


def _administrators(site: Site) -> Iterable[User]:
    from custos.sites.queries import administrators_of

    return administrators_of(site)


def _move(membership: Membership, to: str, **fields: Any) -> None:
    """Change a membership's status with a conditional UPDATE: exactly one of two people acting at once wins."""
    if to not in MEMBER_TRANSITIONS[membership.status]:
        raise Conflict(
            f"This membership is {MemberStatus(membership.status).label.lower()}; it cannot become "
            f"{MemberStatus(to).label.lower()}."
        )
    won = Membership.objects.filter(pk=membership.pk, status=membership.status).update(
        status=to, updated_at=timezone.now(), **fields
    )
    if not won:
        current = Membership.objects.get(pk=membership.pk)
        raise Conflict(f"Someone else already changed this: it is now {current.get_status_display().lower()}.")
    membership.status = to
    for name, value in fields.items():
        setattr(membership, name, value)


def vet(membership: Membership, *, by: User, approve: bool, notes: str) -> Membership:
    """The vetting person checks a request (A.2.6, A.5.7). An organisation then goes to the Head (A.5.9)."""
    site = membership.site
    access.require(by, "community.vet_members", site)
    notes = (notes or "").strip()
    if not notes:
        raise CommunityError("Record what you checked, or why you declined (A.5.7).")
    if membership.status != MemberStatus.REQUESTED:
        raise Conflict(f"This request was already dealt with: it is {membership.get_status_display().lower()}.")
    now = timezone.now()
    if not approve:
        to = MemberStatus.DECLINED
    elif membership.is_organisation:
        to = MemberStatus.AWAITING_HEAD
    else:
        to = MemberStatus.ACTIVE
    with transaction.atomic():
        fields: dict[str, Any] = {"vetted_by": by, "vetted_at": now, "vetting_notes": notes}
        if to == MemberStatus.DECLINED:
            fields["status_reason"] = notes
        _move(membership, to, **fields)
        record(by, "community.member_vetted", membership, school_id=site.school_id, changes={"to": to})
        _tell_member(membership)
        if to == MemberStatus.AWAITING_HEAD:
            from custos.sites.queries import approvers_of

            for head in approvers_of(site)["head"]:
                queue_email(head, "community_organisation_approval", {"site": site, "membership": membership})
    return membership


def decide_organisation(membership: Membership, *, by: User, approve: bool, notes: str) -> Membership:
    """The Head approves (or not) an external organisation as a member of the site (A.5.8, A.5.9)."""
    site = membership.site
    access.require(by, "community.approve_organisation", site)
    if membership.status != MemberStatus.AWAITING_HEAD:
        raise Conflict(f"This request is {membership.get_status_display().lower()}; there is nothing to approve.")
    notes = (notes or "").strip()
    if not approve and not notes:
        raise CommunityError("Say why the organisation is not approved (A.5.9).")
    with transaction.atomic():
        if approve:
            _move(membership, MemberStatus.ACTIVE, head_approved_by=by, head_approved_at=timezone.now())
        else:
            _move(membership, MemberStatus.DECLINED, status_reason=notes, status_changed_by=by)
        record(by, "community.organisation_decided", membership, school_id=site.school_id, changes={"ok": approve})
        _tell_member(membership)
    return membership


def _tell_member(membership: Membership) -> None:
    queue_email(membership.user, "community_membership_changed", {"site": membership.site, "membership": membership})


def change_status(membership: Membership, *, by: User, to: str, reason: str) -> Membership:
    """Suspend, reinstate or remove a member, with the reason recorded (A.5.7)."""
    site = membership.site
    access.require(by, "community.manage_members", site)
    reason = (reason or "").strip()
    if not reason:
        raise CommunityError("Record the reason (A.5.7): the member is told it.")
    if membership.user_id == by.pk:
        raise CommunityError("You cannot change your own membership.")
    with transaction.atomic():
        _move(membership, to, status_reason=reason, status_changed_by=by)
        record(by, "community.member_status", membership, school_id=site.school_id, changes={"to": to})
        _tell_member(membership)
        _note_activity(site, by)
    return membership


def set_pseudonym(membership: Membership, *, by: User, pseudonym: str) -> Membership:
    """The school controls pseudonyms (A.5.2); they must not contain the member's real name."""
    site = membership.site
    access.require(by, "community.manage_members", site)
    pseudonym = " ".join((pseudonym or "").split())
    if problem := pseudonyms.problem_with(pseudonym, _real_names(membership.user)):
        raise CommunityError(problem)
    if Membership.objects.filter(site=site, pseudonym__iexact=pseudonym).exclude(pk=membership.pk).exists():
        raise CommunityError(f"Another member of this space is already called “{pseudonym}”.")
    with transaction.atomic():
        before = membership.pseudonym
        Membership.objects.filter(pk=membership.pk).update(pseudonym=pseudonym, updated_at=timezone.now())
        membership.pseudonym = pseudonym
        record(by, "community.pseudonym_set", membership, school_id=site.school_id, changes={"from": before})
    return membership


def accept_terms(membership: Membership, *, by: User) -> Membership:
    """The member accepts the space's Terms of Use and House Rules before contributing (A.4.1)."""
    if membership.user_id != by.pk or membership.status != MemberStatus.ACTIVE:
        raise CommunityError("Only the member themselves can accept the Terms of Use.")
    with transaction.atomic():
        now = timezone.now()
        Membership.objects.filter(pk=membership.pk, terms_accepted_at__isnull=True).update(terms_accepted_at=now)
        membership.terms_accepted_at = membership.terms_accepted_at or now
        record(by, "community.terms_accepted", membership, school_id=membership.site.school_id)
    queries.forget(by)
    return membership


# --- contributions ----------------------------------------------------------------------------------------


def _note_activity(site: Site, user: User) -> None:
    from custos.sites.actions import note_site_activity

    note_site_activity(site, user)


def contribute(
    site: Site,
    *,
    by: User,
    body: str,
    parent: Contribution | None = None,
    image: CleanImage | None = None,
    alt_text: str = "",
) -> Contribution:
    """Save a post or comment as pending and screen it in the background; nobody but its author and the site's
    moderators sees it until a moderator approves it (A.5.3, A.5.7)."""
    access.require(by, "community.contribute", site)
    body = (body or "").strip()
    membership = queries.membership_of(by, site)
    is_team = queries.is_moderator(by, site)
    if membership is not None and membership.status == MemberStatus.ACTIVE and not membership.has_accepted_terms:
        raise CommunityError("Accept the Terms of Use and House Rules before your first contribution (A.4.1).")
    if not body and image is None:
        # Offer the image only where the form has one: posts on a site that allows images, or by its team (A.5.1).
        if parent is None and (site.allow_images or is_team):
            raise CommunityError("Write something, or choose an image.")
        raise CommunityError("Write your comment first." if parent is not None else "Write your post first.")
    if len(body) > MAX_BODY:
        raise CommunityError(f"A contribution can be at most {MAX_BODY} characters; this one is {len(body)}.")
    if parent is not None:
        if parent.site_id != site.pk or parent.kind != ContributionKind.POST or parent.state != "approved":
            raise CommunityError("You can comment only on an approved post in this space.")
        if not (site.allow_comments or is_team):
            raise CommunityError("This site's approval does not allow comments (A.5.1).")
    elif not (site.allow_text or is_team):
        raise CommunityError("This site's approval does not allow members to add their own posts (A.5.1).")
    if image is not None and not (site.allow_images or is_team):
        raise CommunityError("This site's approval does not allow members to upload images (A.5.1).")
    if image is not None and not alt_text.strip():
        raise CommunityError("Describe the image for people who cannot see it (alternative text).")
    _check_rate(site, by)
    from custos.community.tasks import screen_contribution

    with transaction.atomic():
        contribution = Contribution.objects.create(
            site=site,
            author=by,
            membership=membership,
            parent=parent,
            kind=ContributionKind.COMMENT if parent is not None else ContributionKind.POST,
            body=body,
            state=ContributionState.SCREENING,
        )
        if image is not None:
            ContributionImage.objects.create(
                contribution=contribution,
                data=image.data,
                content_type=image.content_type,
                width=image.width,
                height=image.height,
                alt_text=alt_text.strip()[:250],
            )
        enqueue(screen_contribution, contribution_id=contribution.pk)
    return contribution


def _check_rate(site: Site, user: User) -> None:
    """Counted from the database, so the limit holds across processes and servers."""
    _, per_minute = queries.settings_for(site)
    since = timezone.now() - dt.timedelta(minutes=1)
    recent = Contribution.objects.filter(author=user, created_at__gte=since).count()
    if recent >= per_minute:
        raise RateLimited(
            f"You have sent {recent} contributions in the last minute; the limit is {per_minute}. Wait a minute."
        )


_ESCALATE = SEVERITY_RANKS["escalate"]


def _route(contribution: Contribution, rank: int, *, conversation: bool) -> str:
    """Where a screened contribution goes: escalate → the safeguarding lead; a conversation pattern, or anything
    else not clean from staff where the approval allows → a moderator (A.5.3, A.5.6)."""
    if rank >= _ESCALATE:
        return ContributionState.ESCALATED
    if (
        not conversation
        and contribution.author.kind == Kind.STAFF
        and contribution.site.staff_posts_skip_premoderation
        and rank == 0
        and not hasattr(contribution, "image")
    ):
        return ContributionState.APPROVED
    return ContributionState.PENDING


def apply_screening(contribution_id: int) -> str:
    """Screen a contribution and move it on (A.5.3, A.5.6): escalate → a case for the safeguarding lead, never
    posted; staff posts the screening finds clean may go straight out where the approval allows; everything
    else waits for a moderator. Idempotent: only the run that moves it out of SCREENING changes anything."""
    from custos.lib.screening import context_for
    from custos.moderation import conversations
    from custos.screening import Venue, screen

    contribution = (
        Contribution.objects.select_related("site", "site__school", "author", "author__pupil")
        .filter(pk=contribution_id)
        .order_by()
        .first()
    )
    if contribution is None or contribution.state != ContributionState.SCREENING:
        return "already screened"
    site = contribution.site
    context = context_for(school=site.school, author=contribution.author, venue=Venue.SCHOOL_SITE)
    findings = [finding.as_dict() for finding in screen(contribution.body, context)] if contribution.body else []
    rank = max((SEVERITY_RANKS.get(f["severity"], 0) for f in findings), default=0)
    patterns = conversations.for_contribution(contribution, context, findings) if rank < _ESCALATE else []
    now = timezone.now()
    with transaction.atomic():
        # A pattern over the author's conversation (A.2.2, A.2.3) puts this message at the top of the queue as
        # escalate, for a moderator to read with the messages that formed it; recorded once per set of messages.
        over_conversation = conversations.claim_all(patterns, raised_on=contribution)
        findings += over_conversation
        to = _route(contribution, rank, conversation=bool(over_conversation))
        if over_conversation:
            rank = _ESCALATE
        won = Contribution.objects.filter(pk=contribution.pk, state=ContributionState.SCREENING).update(
            state=to,
            findings=findings,
            severity_rank=rank,
            screened_at=now,
            decided_at=now if to != "pending" else None,
        )
        if not won:
            transaction.set_rollback(True)
            return "already screened"
        contribution.state, contribution.findings, contribution.severity_rank = to, findings, rank
        record(None, "community.screened", contribution, school_id=site.school_id, changes={"to": to, "rank": rank})
        if to == ContributionState.ESCALATED:
            from custos.moderation.escalation import escalate_to_safeguarding

            escalate_to_safeguarding(contribution, by=None, note="Screening marked this for escalation.")
    return to


def report(contribution: Contribution, *, by: User, reason: str) -> Report:
    """A member reports an approved contribution; it comes back to the moderators' queue (A.5.4, A.5.7)."""
    reason = (reason or "").strip()
    if not reason:
        raise CommunityError("Say what is wrong with it, so a moderator can check (A.5.7).")
    if len(reason) > 2000:
        raise CommunityError("Keep the reason under 2,000 characters.")
    if contribution.state != ContributionState.APPROVED:
        raise CommunityError("Only a contribution that is on show can be reported.")
    if contribution.author_id == by.pk:
        raise CommunityError("You cannot report your own contribution; ask a moderator to remove it.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                created = Report.objects.create(contribution=contribution, reporter=by, reason=reason)
        except IntegrityError as error:
            raise Conflict("You have already reported this; a moderator will look at it.") from error
        record(by, "community.reported", contribution, school_id=contribution.site.school_id)
    return created
