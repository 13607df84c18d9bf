"""The one place that answers "may this person do this to this object?".

Every view asks through ``can()`` (or a ``get_*_for`` fetch built on it); rules are declared here with
django-rules, so ``user.has_perm(perm, obj)`` and templates' ``{% has_perm %}`` give the same answer.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied

from custos.accounts.models import Kind, Role, School

# Who may see a pupil's legal name: those who deal with the pupil's records and welfare.
LEGAL_NAME_ROLES = (
    Role.HEAD_OF_SCHOOL,
    Role.EXECUTIVE_HEADTEACHER,
    Role.DSL,
    Role.DEPUTY_DSL,
    Role.AHT_PASTORAL,
    Role.ICT_MANAGER,
)
ROSTER_IMPORT_ROLES = (Role.ICT_MANAGER, Role.HEAD_OF_SCHOOL)
AUDIT_ROLES = (Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER, Role.ICT_MANAGER, Role.HR)
# Who sees who holds each role at a school and assigns and ends them (issue 15, item 4).
ROLE_MANAGER_ROLES = (Role.ICT_MANAGER, Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER)
# Who keeps the school's staff directory and invites people (issue 15, item 3).
STAFF_DIRECTORY_ROLES = (Role.ICT_MANAGER, Role.HEAD_OF_SCHOOL, Role.HR)


def school_of(obj: Any) -> School | None:
    if obj is None:
        return None
    if isinstance(obj, School):
        return obj
    return getattr(obj, "school", None)


def holds_role(user: Any, obj: Any, *roles: str) -> bool:
    """True when ``user`` currently holds one of ``roles`` at the school ``obj`` belongs to."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.kind != Kind.STAFF:
        return False
    school = school_of(obj)
    if school is None:
        return False
    return not user.roles_at(school).isdisjoint(roles)


def holds_role_anywhere(user: Any, *roles: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.kind != Kind.STAFF:
        return False
    return not user.all_current_roles().isdisjoint(roles)


def role_predicate(*roles: str) -> rules.Predicate:
    @rules.predicate
    def predicate(user: Any, obj: Any = None) -> bool:
        return holds_role(user, obj, *roles)

    return predicate


@rules.predicate
def is_staff_of_school(user: Any, obj: Any = None) -> bool:
    school = school_of(obj)
    if not getattr(user, "is_authenticated", False) or user.kind != Kind.STAFF or school is None:
        return False
    return user.school_id == school.pk or bool(user.roles_at(school))


@rules.predicate
def is_staff_member(user: Any, obj: Any = None) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.kind == Kind.STAFF)


@rules.predicate
def may_search_audit(user: Any, obj: Any = None) -> bool:
    if obj is None:
        return holds_role_anywhere(user, *AUDIT_ROLES)
    return holds_role(user, obj, *AUDIT_ROLES)


rules.add_perm("accounts.view_roster", is_staff_of_school)
rules.add_perm("accounts.view_pupil_legal_name", role_predicate(*LEGAL_NAME_ROLES))
rules.add_perm("accounts.import_roster", role_predicate(*ROSTER_IMPORT_ROLES))
# Whoever may import the roster (and so close leavers' accounts) may reopen a returning pupil's account (A.5.7).
rules.add_perm("accounts.reopen_pupil_account", role_predicate(*ROSTER_IMPORT_ROLES))
rules.add_perm("accounts.manage_roles", role_predicate(*ROLE_MANAGER_ROLES))
rules.add_perm("accounts.manage_staff", role_predicate(*STAFF_DIRECTORY_ROLES))
rules.add_perm("audit.search", may_search_audit)
rules.add_perm("policy.read", is_staff_member)


def can(user: Any, perm: str, obj: Any = None) -> bool:
    return bool(user.has_perm(perm, obj))


def require(user: Any, perm: str, obj: Any = None) -> None:
    if not can(user, perm, obj):
        raise PermissionDenied


def schools_where(user: Any, perm: str) -> list[School]:
    """The schools at which ``user`` has ``perm``: for lists and filters."""
    return [school for school in School.objects.all() if can(user, perm, school)]
