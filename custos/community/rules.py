"""Who may do what in a space (7.1, A.4.1, A.5.2–A.5.9). Views ask through ``access.can``/``require``."""

from __future__ import annotations

from typing import Any

import rules

from custos.accounts.access import holds_role
from custos.accounts.models import Role
from custos.community import queries
from custos.sites.models import Site, SiteState

HEAD_ROLES = (Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER)


@rules.predicate
def may_view_space(user: Any, site: Any) -> bool:
    return isinstance(site, Site) and queries.may_view(user, site)


@rules.predicate
def is_live(user: Any, site: Any) -> bool:
    return isinstance(site, Site) and site.state == SiteState.LIVE


@rules.predicate
def is_space_administrator(user: Any, site: Any) -> bool:
    return isinstance(site, Site) and queries.is_administrator(user, site)


@rules.predicate
def is_space_moderator(user: Any, site: Any) -> bool:
    return isinstance(site, Site) and queries.is_moderator(user, site)


@rules.predicate
def is_member_or_team(user: Any, site: Any) -> bool:
    return isinstance(site, Site) and (queries.is_active_member(user, site) or queries.is_moderator(user, site))


@rules.predicate
def is_vetting_person(user: Any, site: Any) -> bool:
    """The person the approval named to vet contributors (A.2.6, A.5.7); the administrators if none was named."""
    if not isinstance(site, Site) or not getattr(user, "is_authenticated", False):
        return False
    if site.vetting_person_id is not None:
        return bool(site.vetting_person_id == user.pk)
    return queries.is_administrator(user, site)


@rules.predicate
def is_head_of_school(user: Any, site: Any) -> bool:
    return isinstance(site, Site) and holds_role(user, site.school, *HEAD_ROLES)


rules.add_perm("community.view_space", may_view_space)
rules.add_perm("community.contribute", is_live & is_member_or_team)
rules.add_perm("community.manage_members", is_live & is_space_administrator)
rules.add_perm("community.vet_members", is_live & is_vetting_person)
rules.add_perm("community.approve_organisation", is_live & is_head_of_school)
rules.add_perm("moderation.view_queue", may_view_space & is_space_moderator)
rules.add_perm("moderation.moderate", is_live & is_space_moderator)
