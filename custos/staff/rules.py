"""Who may do what in the staff app. Declarations are seen by their author, the AHT Pastoral and the DSLs (6.4,
6.6); leaving dates are HR's (6.7); official posts by their author, the site's team and the approvers (A.3.4)."""

from __future__ import annotations

from typing import Any

import rules

from custos.accounts.access import holds_role, is_staff_member, role_predicate
from custos.accounts.models import Role
from custos.policy.rules import is_hr_for

DECLARATION_VIEWERS = (Role.AHT_PASTORAL, Role.DSL, Role.DEPUTY_DSL)
APPROVER_ROLES = (Role.ICT_MANAGER, Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER)


@rules.predicate
def works_at_site_school(user: Any, site: Any = None) -> bool:
    if site is None:
        return False
    return user.school_id == site.school_id or holds_role(user, site.school, *APPROVER_ROLES)


@rules.predicate
def is_post_author(user: Any, post: Any = None) -> bool:
    return post is not None and post.author_id == user.pk


@rules.predicate
def approves_for_post(user: Any, post: Any = None) -> bool:
    return post is not None and holds_role(user, post.site.school, *APPROVER_ROLES)


@rules.predicate
def on_post_site_team(user: Any, post: Any = None) -> bool:
    from custos.sites.queries import is_site_team

    return post is not None and is_site_team(user, post.site)


rules.add_perm("staff.declare", is_staff_member)
rules.add_perm("staff.personal_check", is_staff_member)
rules.add_perm("staff.view_declarations", role_predicate(*DECLARATION_VIEWERS))
rules.add_perm("staff.record_leaving", is_staff_member & is_hr_for)
rules.add_perm("staff.draft_post", is_staff_member & works_at_site_school)
rules.add_perm("staff.view_post", is_staff_member & (is_post_author | approves_for_post | on_post_site_team))
rules.add_perm("staff.edit_post", is_staff_member & is_post_author)
rules.add_perm("staff.record_posted", is_staff_member & (is_post_author | on_post_site_team))
