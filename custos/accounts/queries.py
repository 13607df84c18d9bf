"""Reads for the accounts pages, scoped to one school."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from custos.accounts.models import Kind, Role, RoleAssignment, School, StaffType, User


@dataclass(frozen=True)
class RoleHolders:
    role: Role
    current: list[RoleAssignment]
    upcoming: list[RoleAssignment]
    ended: list[RoleAssignment]


def role_holders(school: School, *, today: dt.date | None = None) -> list[RoleHolders]:
    """Every role, in the policy's order, with who holds it at ``school`` (Trust-wide holders too), who will, and
    who did: one query."""
    today = today or timezone.localdate()
    assignments = list(
        RoleAssignment.objects.filter(Q(school=school) | Q(school__isnull=True))
        .select_related("user", "school")
        .order_by("starts_on", "pk")
    )
    listed = []
    for role in Role:
        mine = [a for a in assignments if a.role == role]
        listed.append(
            RoleHolders(
                role=role,
                current=[a for a in mine if a.starts_on <= today and (a.ends_on is None or a.ends_on >= today)],
                upcoming=[a for a in mine if a.starts_on > today],
                ended=[a for a in mine if a.ends_on is not None and a.ends_on < today],
            )
        )
    return listed


def staff_by_type(school: School) -> list[tuple[str, list[User]]]:
    """The school's active staff under each clause 2.1 staff type."""
    people = list(User.objects.filter(school=school, kind=Kind.STAFF, is_active=True).order_by("last_name"))
    return [(label, [p for p in people if p.staff_type == value]) for value, label in StaffType.choices]


def staff_directory(school: School) -> list[User]:
    """The school's members of staff, current first, with their current roles and whether they have signed in."""
    today = timezone.localdate()
    people: list[User] = list(
        User.objects.filter(school=school, kind=Kind.STAFF)
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.current(today).filter(Q(school=school) | Q(school__isnull=True)),
                to_attr="current_roles",
            )
        )
        .order_by("-is_active", "last_name", "first_name")
    )
    return people
