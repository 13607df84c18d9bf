"""Who may open the dashboard: anyone the owning apps' rules let see at least one figure (see figures.py)."""

from __future__ import annotations

from typing import Any

import rules

from custos.accounts.access import holds_role_anywhere
from custos.accounts.models import Kind, Role
from custos.sites.models import SiteRoleKind

# Roles whose holders have at least one panel; site teams (A.5.4) see the moderation panel of their sites.
DASHBOARD_ROLES = tuple(Role)


@rules.predicate
def has_a_panel(user: Any, obj: Any = None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.kind != Kind.STAFF:
        return False
    if holds_role_anywhere(user, *DASHBOARD_ROLES):
        return True
    return bool(user.site_roles.filter(role__in=[SiteRoleKind.ADMINISTRATOR, SiteRoleKind.MODERATOR]).exists())


rules.add_perm("dashboards.view", has_a_panel)
