"""Every read of spaces, memberships and contributions goes through here, so nothing pending can leak (A.5.3).

``visible_contributions(user, site)`` is the ONLY way views, the JSON feed and the image view find
contributions to show members; the moderators' queue reads through ``custos.moderation.queries``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from custos.accounts.models import Kind, User
from custos.community.models import (
    DEFAULT_QUEUE_TARGET_HOURS,
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    Contribution,
    ContributionState,
    Membership,
    MemberStatus,
    Report,
    SpaceSettings,
)
from custos.sites.models import Hosting, Site, SiteKind, SiteRoleKind, SiteState

SPACE_STATES = (SiteState.LIVE, SiteState.CLOSED)
TEAM_ROLES = (SiteRoleKind.ADMINISTRATOR, SiteRoleKind.MODERATOR)


def spaces() -> QuerySet[Site]:
    """Official sites the school hosts itself, live or closed: each is a space (7.1, A.4)."""
    return Site.objects.filter(kind=SiteKind.OWN, hosting=Hosting.SCHOOL, state__in=SPACE_STATES)


def _cache(user: Any) -> dict[tuple[str, int], Any]:
    # getattr/setattr, not __dict__: request.user is a lazy proxy that forwards only attribute access.
    cache: dict[tuple[str, int], Any] | None = getattr(user, "_community_cache", None)
    if cache is None:
        cache = {}
        user._community_cache = cache
    return cache


def team_roles(user: Any, site: Site) -> set[str]:
    """The user's roles on the site's team (administrator, moderator), cached for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.kind != Kind.STAFF:
        return set()
    key = ("team", site.pk)
    cache = _cache(user)
    if key not in cache:
        cache[key] = set(site.roles.filter(user=user, role__in=TEAM_ROLES).values_list("role", flat=True))
    return set(cache[key])


def membership_of(user: Any, site: Site) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    key = ("membership", site.pk)
    cache = _cache(user)
    if key not in cache:
        cache[key] = Membership.objects.filter(site=site, user=user).first()
    membership: Membership | None = cache[key]
    return membership


def forget(user: Any) -> None:
    """Drop the per-request cache after a change to the user's membership or roles."""
    if getattr(user, "_community_cache", None) is not None:
        user._community_cache = {}


def is_moderator(user: Any, site: Site) -> bool:
    """Designated moderators and administrators moderate (A.5.4)."""
    return bool(team_roles(user, site))


def is_administrator(user: Any, site: Site) -> bool:
    return SiteRoleKind.ADMINISTRATOR in team_roles(user, site)


def is_active_member(user: Any, site: Site) -> bool:
    membership = membership_of(user, site)
    return membership is not None and membership.status == MemberStatus.ACTIVE


def may_view(user: Any, site: Site) -> bool:
    """Live: active members and the team. Closed: administrators only, read-only; invisible to members."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if site.kind != SiteKind.OWN or site.hosting != Hosting.SCHOOL or site.state not in SPACE_STATES:
        return False
    if site.state == SiteState.CLOSED:
        return is_administrator(user, site)
    return is_moderator(user, site) or is_active_member(user, site)


def is_read_only(site: Site) -> bool:
    return site.state != SiteState.LIVE


@dataclass(frozen=True)
class Space:
    site: Site
    membership: Membership | None
    roles: frozenset[str]
    read_only: bool

    @property
    def is_moderator(self) -> bool:
        return bool(self.roles)

    @property
    def is_administrator(self) -> bool:
        return SiteRoleKind.ADMINISTRATOR in self.roles


def space_for(user: Any, pk: int) -> Space:
    """The space ``pk`` as ``user`` may see it, or 404: non-members cannot tell it from one that does not exist."""
    site = spaces().select_related("school").filter(pk=pk).first()
    if site is None or not may_view(user, site):
        raise Http404("No such space")
    return Space(site, membership_of(user, site), frozenset(team_roles(user, site)), is_read_only(site))


def spaces_of(user: User) -> list[Site]:
    """The spaces ``user`` may open: 'My spaces'."""
    member_of = Membership.objects.filter(user=user, status=MemberStatus.ACTIVE, site__state=SiteState.LIVE)
    ids = set(member_of.values_list("site_id", flat=True))
    if user.kind == Kind.STAFF:
        team = spaces().filter(roles__user=user, roles__role__in=TEAM_ROLES)
        ids |= {site.pk for site in team if may_view(user, site)}
    return list(spaces().filter(pk__in=ids).select_related("school").order_by("title"))


def visible_contributions(user: Any, site: Site) -> QuerySet[Contribution]:
    """What ``user`` may read in the space: approved contributions, and their own in any state (A.5.3).

    Nothing pending, rejected, escalated or removed is ever returned for anyone else, moderators included:
    moderators see pending items through the queue.
    """
    if not may_view(user, site):
        return Contribution.objects.none()
    return Contribution.objects.filter(site=site).filter(Q(state=ContributionState.APPROVED) | Q(author=user))


def contribution_for(user: Any, pk: int) -> Contribution:
    """One contribution ``user`` may read, or 404."""
    contribution = Contribution.objects.select_related("site", "site__school").filter(pk=pk).order_by().first()
    if contribution is None or not visible_contributions(user, contribution.site).filter(pk=pk).exists():
        raise Http404("No such contribution")
    return contribution


def settings_for(site: Site) -> tuple[int, int]:
    """(queue target in hours, rate limit per minute) for the space."""
    row = SpaceSettings.objects.filter(site=site).values_list("queue_target_hours", "rate_limit_per_minute").first()
    return row or (DEFAULT_QUEUE_TARGET_HOURS, DEFAULT_RATE_LIMIT_PER_MINUTE)


def sees_real_names(viewer: Any, site: Site) -> bool:
    """Staff of the site's school may see who a pseudonym is; pupils and external members never (A.5.2)."""
    return bool(
        getattr(viewer, "is_authenticated", False) and viewer.kind == Kind.STAFF and viewer.school_id == site.school_id
    ) or is_moderator(viewer, site)


def author_label(viewer: Any, site: Site, author: User, membership: Membership | None) -> str:
    """How ``author`` appears to ``viewer``: staff by name and position (A.4.8); everyone else by pseudonym
    (A.5.2), with the known-as name added only for the school's own staff."""
    if author.kind == Kind.STAFF:
        position = author.job_title or (author.get_staff_type_display() if author.staff_type else "Staff")
        return f"{author.get_full_name() or author.username}, {position}"
    pseudonym = membership.pseudonym if membership is not None else "A member"
    if membership is not None and membership.is_organisation and membership.organisation_name:
        pseudonym = f"{pseudonym} ({membership.organisation_name})"
    if sees_real_names(viewer, site) and author.kind == Kind.PUPIL:
        pupil = getattr(author, "pupil", None)
        if pupil is not None:
            return f"{pseudonym} (pupil: {pupil.known_as})"
    return pseudonym


def pending_requests_for_vetting(user: Any) -> QuerySet[Membership]:
    """Join requests ``user`` must vet: as the site's vetting person, or as an administrator when none is named."""
    if not getattr(user, "is_authenticated", False) or user.kind != Kind.STAFF:
        return Membership.objects.none()
    return Membership.objects.filter(status=MemberStatus.REQUESTED, site__state=SiteState.LIVE).filter(
        Q(site__vetting_person=user)
        | Q(site__vetting_person__isnull=True, site__roles__user=user, site__roles__role=SiteRoleKind.ADMINISTRATOR)
    )


def age_range(site: Site) -> tuple[int | None, int | None]:
    """The pupils' ages the site was approved for (Appendix B §3, §4; A.2.5, A.2.6): the youngest and the oldest of
    its audience and contributors, either None where the form records none."""
    oldest = [a for a in (site.audience_age_max, site.contributors_age_max) if a is not None]
    return site.youngest_age, (max(oldest) if oldest else None)


def describe_ages(youngest: int | None, oldest: int | None) -> str:
    if youngest is not None and oldest is not None:
        return f"aged {youngest} to {oldest}"
    if youngest is not None:
        return f"aged {youngest} and over"
    return f"aged {oldest} and under"


def roster_label(user: User, site: Site, today: dt.date) -> str:
    """How a person appears in the invitation list (A.2.6): pupils by the name they go by (never the legal name,
    A.5.2), with year group and age, flagged when outside the site's approved ages; staff by name and position."""
    if user.kind != Kind.PUPIL:
        position = user.job_title or (user.get_staff_type_display() if user.staff_type else "staff")
        return f"{user.get_full_name() or user.username} ({position})"
    pupil = getattr(user, "pupil", None)
    if pupil is None:
        return f"{user.get_full_name() or user.username} (pupil, no roster record: cannot be invited)"
    age = pupil.age_on(today)
    youngest, oldest = age_range(site)
    outside = (youngest is not None and age < youngest) or (oldest is not None and age > oldest)
    flag = f", outside this site's ages ({describe_ages(youngest, oldest)})" if outside else ""
    return f"{pupil.known_as} (pupil, Year {pupil.year_group}, age {age}{flag})"


def my_reports(user: Any, site: Site, limit: int = 5) -> list[Report]:
    """The reports ``user`` made in the space, newest first, so a reporter can see what was decided (A.5.4, A.2.2).
    Only their own: nothing about the author, other reporters or the moderator's note."""
    return list(
        Report.objects.filter(reporter=user, contribution__site=site)
        .select_related("contribution")
        .order_by("-created_at", "-pk")[:limit]
    )
