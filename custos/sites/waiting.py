"""What official sites need from each person, on their "Waiting for me" list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.urls import reverse

from custos.accounts.models import Kind, Role
from custos.core import waiting
from custos.core.waiting import WaitingItem
from custos.sites.models import ClosureExtension, ExtensionState, NoticeKind, Site, SiteNotice, SiteRoleKind, SiteState


def _schools_with(user: Any, *roles: str) -> Q:
    from custos.accounts.models import RoleAssignment

    held = RoleAssignment.objects.current().filter(user=user, role__in=roles)
    if held.filter(school__isnull=True).exists():
        return Q(pk__isnull=False)  # trust-wide: every school (an empty Q() would vanish from an OR)
    return Q(school_id__in=list(held.values_list("school_id", flat=True)))


@waiting.provider
def site_work(user: Any) -> Iterable[WaitingItem]:
    if not getattr(user, "is_authenticated", False) or user.kind != Kind.STAFF:
        return []
    items: list[WaitingItem] = []

    def url(site: Site, name: str = "sites:detail") -> str:
        return reverse(name, args=[site.pk])

    ict = _schools_with(user, Role.ICT_MANAGER)
    heads = _schools_with(user, Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER)
    roles = set(user.all_current_roles())
    if Role.ICT_MANAGER in roles:
        for site in Site.objects.filter(ict, state=SiteState.SUBMITTED).exclude(author=user):
            # No due date: the policy sets no deadline for approving a form (A.3.6), and the time it was submitted
            # shown as "due" made every new form look overdue.
            items.append(
                WaitingItem(f"Approve the site form: {site.title}", url(site), "A.3.6", since=site.submitted_at)
            )
        for ext in ClosureExtension.objects.filter(state=ExtensionState.WITH_ICT, site__in=Site.objects.filter(ict)):
            items.append(WaitingItem(f"Approve the extension of {ext.site}", url(ext.site), "A.1.6"))
    if roles & {Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER}:
        for site in Site.objects.filter(heads, state=SiteState.ICT_APPROVED).exclude(author=user):
            items.append(WaitingItem(f"Approve the site form: {site.title}", url(site), "A.3.2, A.3.5"))
        for ext in ClosureExtension.objects.filter(state=ExtensionState.WITH_HEAD, site__in=Site.objects.filter(heads)):
            items.append(WaitingItem(f"Approve the extension of {ext.site}", url(ext.site), "A.1.6"))
    for site in Site.objects.filter(author=user, state=SiteState.RETURNED):
        items.append(WaitingItem(f"Make the changes asked for: {site.title}", url(site, "sites:edit"), "A.3.6"))
    mine = Q(roles__user=user, roles__role=SiteRoleKind.ADMINISTRATOR)
    for site in Site.objects.filter(mine | Q(author=user), state=SiteState.CLOSED, evaluation="").distinct():
        items.append(WaitingItem(f"Evaluate the closed site {site.title}", url(site, "sites:close"), "A.1.7"))
    for site in Site.objects.filter(mine | heads, state=SiteState.LIVE, neglected_since__isnull=False).distinct():
        items.append(WaitingItem(f"Neglected site: {site.title}", url(site), "A.1.6", urgent=True))
    cover = SiteNotice.objects.filter(
        kind=NoticeKind.COVER, resolved_at=None, site__in=Site.objects.filter(mine | heads)
    ).select_related("site")
    for site in {notice.site for notice in cover}:
        items.append(
            WaitingItem(f"Name moderator cover for {site.title}", url(site, "sites:cover"), "A.5.4", urgent=True)
        )
    return items
