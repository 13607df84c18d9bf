"""'Waiting for me': for members, House Rules still to accept (A.4.1); for vetting people and Heads, join requests
and organisations to approve (A.5.7, A.5.9)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from custos.accounts.models import Kind
from custos.community.models import Membership, MemberStatus
from custos.community.queries import pending_requests_for_vetting
from custos.community.rules import HEAD_ROLES
from custos.core import waiting
from custos.sites.models import SiteState


@waiting.provider
def house_rules_to_accept(user: Any) -> Iterable[waiting.WaitingItem]:
    """A member of a live space who has not yet accepted its Terms of Use and House Rules (A.4.1). The home page
    shows the clause to staff only."""
    if not getattr(user, "is_authenticated", False):
        return []
    unaccepted = Membership.objects.filter(
        user=user, status=MemberStatus.ACTIVE, terms_accepted_at__isnull=True, site__state=SiteState.LIVE
    ).select_related("site")
    return [
        waiting.WaitingItem(
            title=f"Read and accept the House Rules of {membership.site.title}",
            url=reverse("community:space", args=[membership.site_id]) + "#terms",
            clause="A.4.1",
            since=membership.updated_at,
        )
        for membership in unaccepted.order_by("site__title")[:20]
    ]


@waiting.provider
def join_requests(user: Any) -> Iterable[waiting.WaitingItem]:
    if user.kind != Kind.STAFF:
        return []
    items = []
    for membership in pending_requests_for_vetting(user).select_related("site").distinct()[:20]:
        items.append(
            waiting.WaitingItem(
                title=f"Vet a request to join {membership.site.title}",
                url=reverse("community:members", args=[membership.site_id]),
                clause="A.5.7",
                due=membership.created_at,
            )
        )
    schools = [role.school_id for role in user.role_assignments.filter(role__in=HEAD_ROLES)]
    if schools:
        awaiting = Membership.objects.filter(status=MemberStatus.AWAITING_HEAD).select_related("site")
        if None not in schools:
            awaiting = awaiting.filter(site__school_id__in=schools)
        for membership in awaiting[:20]:
            items.append(
                waiting.WaitingItem(
                    title=f"Approve {membership.organisation_name or 'an organisation'} as a member of "
                    f"{membership.site.title}",
                    url=reverse("community:members", args=[membership.site_id]),
                    clause="A.5.9",
                    due=membership.created_at,
                )
            )
    return items
