"""Reads of the staff app, for its pages and for other apps (community shows ``approved_posts_for_site``)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404

from custos.accounts import access
from custos.accounts.models import FamilyLink, Role, RoleAssignment, School
from custos.staff.models import ContactDeclaration, OfficialPost, PostApproval, PostState


def approved_posts_for_site(site: Any) -> QuerySet[OfficialPost]:
    """Approved official posts published to ``site``, newest first, with author (and position, A.4.8) and images.

    For the community app: a school-hosted site's space shows these. A post edited after approval drops out until
    it is approved again (A.3.4)."""
    return (
        OfficialPost.objects.filter(site=site, state=PostState.PUBLISHED, published_at__isnull=False)
        .select_related("author")
        .prefetch_related("images")
        .order_by("-published_at", "-pk")
    )


def get_post_for(user: Any, pk: int, perm: str = "staff.view_post") -> OfficialPost:
    post = OfficialPost.objects.select_related("site__school", "author", "posted_by").filter(pk=pk).first()
    if post is None or not access.can(user, "staff.view_post", post):
        raise Http404("No such post")
    access.require(user, perm, post)
    return post


def posts_for(user: Any) -> QuerySet[OfficialPost]:
    """The posts ``user`` wrote, and those at schools where they approve (A.3.4)."""
    approver_schools = RoleAssignment.objects.current().filter(
        user=user, role__in=[Role.ICT_MANAGER, Role.HEAD_OF_SCHOOL]
    )
    trust_wide = RoleAssignment.objects.current().filter(
        user=user, role=Role.EXECUTIVE_HEADTEACHER, school__isnull=True
    )
    scope = Q(author=user) | Q(site__school__in=approver_schools.values("school"))
    if trust_wide.exists():
        scope |= Q(pk__isnull=False)
    return (
        OfficialPost.objects.filter(scope)
        .select_related("site", "site__school", "author")
        .prefetch_related(Prefetch("approvals", queryset=PostApproval.objects.filter(invalidated_at__isnull=True)))
        .order_by("-updated_at")
    )


def declarations_at(school: School) -> tuple[QuerySet[FamilyLink], QuerySet[ContactDeclaration]]:
    """Family members (6.2, 6.3) and contacts (6.4) declared by staff for pupils of ``school``."""
    family = (
        FamilyLink.objects.filter(pupil__school=school)
        .select_related("staff", "pupil")
        .order_by("staff__last_name", "staff__first_name", "pk")
    )
    contacts = (
        ContactDeclaration.objects.filter(school=school)
        .select_related("staff", "pupil")
        .order_by(F("ended_at").asc(nulls_first=True), "staff__last_name", "-declared_at")
    )
    return family, contacts
