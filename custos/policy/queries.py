"""Reads about who has read the policy in force (sections 5 and 6), per school."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from custos.accounts.models import Kind, Role, RoleAssignment, School, User
from custos.policy.models import Acknowledgement, PolicyVersion


@dataclass(frozen=True)
class AcknowledgementRow:
    user: User
    acknowledged_at: dt.datetime | None


def staff_of(school: School) -> Any:
    """The staff members (2.1, contractors included) working at ``school`` today."""
    today = timezone.localdate()
    return (
        User.objects.filter(kind=Kind.STAFF, is_active=True, school=school)
        .exclude(employment_ends_on__lt=today)
        .order_by("last_name", "first_name", "pk")
    )


def acknowledgement_rows(school: School, version: PolicyVersion) -> list[AcknowledgementRow]:
    """Every member of staff at ``school`` with when they confirmed ``version`` (None: not yet). One query."""
    confirmed = Acknowledgement.objects.filter(user=OuterRef("pk"), version=version).values("acknowledged_at")[:1]
    people = staff_of(school).annotate(confirmed_at=Subquery(confirmed))
    return [AcknowledgementRow(person, person.confirmed_at) for person in people]


def needs_acknowledgement(user: Any) -> PolicyVersion | None:
    """The version in force when ``user`` is a member of staff who has not confirmed it yet. One query."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != Kind.STAFF:
        return None
    return PolicyVersion.objects.filter(is_current=True).exclude(acknowledgements__user=user).first()


def hr_trust_ids(user: Any) -> set[int | None]:
    """The trusts whose HR this person is (None in the set: HR across every trust, a Trust-wide role)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != Kind.STAFF:
        return set()
    return set(
        RoleAssignment.objects.current().filter(user=user, role=Role.HR).values_list("school__trust_id", flat=True)
    )


def acknowledgement_schools(user: Any) -> list[School]:
    """The schools whose acknowledgement report ``user`` may see: HR, every school of their trust; Heads, theirs."""
    trusts = hr_trust_ids(user)
    head_roles = (Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER)
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != Kind.STAFF:
        return []
    heads = RoleAssignment.objects.current().filter(user=user, role__in=head_roles)
    trust_wide_head = heads.filter(school__isnull=True).exists()
    if None in trusts or trust_wide_head:
        return list(School.objects.all())
    return list(
        School.objects.filter(Q(trust_id__in=[t for t in trusts if t is not None]) | Q(pk__in=heads.values("school")))
    )
