"""Reads about official sites, for this app and the apps built on it (community, staff). No writes here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from custos.accounts.models import Absence, Kind, Role, RoleAssignment, School, User
from custos.sites.models import Hosting, Site, SiteKind, SiteRoleKind, SiteState

INVENTORY_ROLES = (Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER, Role.ICT_MANAGER, Role.DSL)


def _people(site: Site, role: str) -> QuerySet[User]:
    return User.objects.filter(site_roles__site=site, site_roles__role=role).order_by("last_name", "first_name")


def administrators_of(site: Site) -> QuerySet[User]:
    """The site's administrators (A.5.4)."""
    return _people(site, SiteRoleKind.ADMINISTRATOR)


def moderators_of(site: Site) -> QuerySet[User]:
    """The site's moderators (A.5.4), cover moderators included."""
    return _people(site, SiteRoleKind.MODERATOR)


def is_site_team(user: Any, site: Site) -> bool:
    """True when ``user`` is one of the site's administrators or moderators."""
    if not getattr(user, "is_authenticated", False):
        return False
    return site.roles.filter(
        user=user, role__in=[SiteRoleKind.ADMINISTRATOR, SiteRoleKind.MODERATOR, SiteRoleKind.PARTICIPANT]
    ).exists()


def live_school_hosted_sites(school: School) -> QuerySet[Site]:
    """Live official sites the school hosts itself: the community app turns each into a members-only space."""
    return Site.objects.filter(school=school, kind=SiteKind.OWN, hosting=Hosting.SCHOOL, state=SiteState.LIVE)


def postable_sites(school: School) -> QuerySet[Site]:
    """Approved or live official sites of the school, on which staff may draft official posts (A.3.4)."""
    return Site.objects.filter(school=school, state__in=[SiteState.APPROVED, SiteState.LIVE])


def approvers_of(site: Site) -> dict[str, list[User]]:
    """Who approves for this site's school: ``{"ict": [...], "head": [...]}`` (A.3.2, A.3.4)."""
    today = timezone.localdate()
    holders = User.objects.filter(is_active=True, kind=Kind.STAFF, role_assignments__in=_current(today, site.school))
    ict = list(holders.filter(role_assignments__role=Role.ICT_MANAGER).distinct())
    head = list(holders.filter(role_assignments__role=Role.HEAD_OF_SCHOOL).distinct())
    if not head:
        head = list(holders.filter(role_assignments__role=Role.EXECUTIVE_HEADTEACHER).distinct())
    return {"ict": ict, "head": head}


def _current(today: dt.date, school: School) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.current(today).filter(Q(school=school) | Q(school__isnull=True))


def available_on(users: QuerySet[User], school: School, start: dt.date, end: dt.date) -> QuerySet[User]:
    """Of ``users``, those able to moderate ``school``'s site every day from ``start`` to ``end``: active staff
    still employed and at the school, with no recorded leave in the window (A.1.5, A.5.4)."""
    away = Absence.objects.filter(user=OuterRef("pk"), starts_on__lte=end, ends_on__gte=start)
    return (
        users.filter(is_active=True, kind=Kind.STAFF)
        .filter(Q(employment_ends_on__isnull=True) | Q(employment_ends_on__gt=end))
        .filter(Q(school=school) | Q(school__isnull=True))
        .exclude(Exists(away))
    )


def get_site_for(user: Any, pk: int, perm: str = "sites.view_site") -> Site:
    """The site, if ``user`` may see it (or has ``perm`` on it); otherwise 404, so outsiders learn nothing."""
    from django.http import Http404

    from custos.accounts import access

    site = (
        Site.objects.select_related("school", "author", "host_platform", "line_manager", "vetting_person")
        .filter(pk=pk)
        .first()
    )
    if site is None or not access.can(user, "sites.view_site", site):
        raise Http404("No such site")
    access.require(user, perm, site)
    return site


def inventory(schools: Any) -> QuerySet[Site]:
    """Every site of these schools with its host and people, in one query plus one for the roles."""
    from django.db.models import Prefetch

    from custos.sites.models import SiteRole

    return (
        Site.objects.filter(school__in=schools)
        .select_related("school", "host_platform", "author")
        .prefetch_related(Prefetch("roles", queryset=SiteRole.objects.select_related("user")))
        .order_by("school__name", "state", "title")
    )
