"""Who may do what with official sites (A.3.1, A.3.2, A.3.6). Views ask through ``access.can``/``require``."""

from __future__ import annotations

from typing import Any

import rules

from custos.accounts.access import holds_role, holds_role_anywhere, is_staff_member, is_staff_of_school
from custos.accounts.models import Role
from custos.sites.models import EDITABLE_STATES, Site, SiteRoleKind

INVENTORY_ROLES = (Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER, Role.ICT_MANAGER, Role.DSL)
HEAD_ROLES = (Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER)


def _team_roles(user: Any, site: Site) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not isinstance(site, Site):
        return set()
    return set(site.roles.filter(user=user).values_list("role", flat=True))


@rules.predicate
def is_author(user: Any, site: Any) -> bool:
    return isinstance(site, Site) and getattr(user, "pk", None) == site.author_id


@rules.predicate
def is_administrator(user: Any, site: Any) -> bool:
    return SiteRoleKind.ADMINISTRATOR in _team_roles(user, site)


@rules.predicate
def is_on_team(user: Any, site: Any) -> bool:
    return bool(_team_roles(user, site))


@rules.predicate
def is_editable(user: Any, site: Any) -> bool:
    return isinstance(site, Site) and site.state in EDITABLE_STATES


@rules.predicate
def oversees_school(user: Any, obj: Any) -> bool:
    return holds_role(user, obj, *INVENTORY_ROLES)


@rules.predicate
def is_ict_manager(user: Any, obj: Any) -> bool:
    return holds_role(user, obj, Role.ICT_MANAGER)


@rules.predicate
def is_head(user: Any, obj: Any) -> bool:
    return holds_role(user, obj, *HEAD_ROLES)


@rules.predicate
def is_ict_manager_anywhere(user: Any, obj: Any = None) -> bool:
    return holds_role_anywhere(user, Role.ICT_MANAGER)


@rules.predicate
def is_executive_head(user: Any, obj: Any = None) -> bool:
    return holds_role_anywhere(user, Role.EXECUTIVE_HEADTEACHER)


# Any current staff member may draft a form for their school (A.3.6).
rules.add_perm("sites.draft_site", is_staff_member & is_staff_of_school)
rules.add_perm("sites.view_site", is_staff_member & (is_author | is_on_team | oversees_school))
rules.add_perm("sites.edit_site", is_staff_member & is_editable & (is_author | is_administrator))
rules.add_perm("sites.decide_as_ict", is_ict_manager)
rules.add_perm("sites.decide_as_head", is_head)
# Administrators and the school's Head look after a site once it exists (A.1.5, A.1.6).
rules.add_perm("sites.manage_site", is_staff_member & (is_administrator | is_author | is_head))
rules.add_perm("sites.view_inventory", oversees_school)
rules.add_perm("sites.view_trust_inventory", is_executive_head)
rules.add_perm("sites.view_platforms", is_staff_member)
rules.add_perm("sites.manage_platforms", is_ict_manager_anywhere)
