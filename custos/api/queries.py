"""Reads for the API: what a token's school may see (the same reach as the ICT Manager's pages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

from custos.accounts import access
from custos.accounts.models import School, User
from custos.api.models import SEVERITY_LABELS, ApiToken, ExternalComment, ExternalCommentState
from custos.community.models import Contribution, ContributionState
from custos.sites.models import APPROVED_STATES, Hosting, Site, SiteRoleKind, SiteState
from custos.sites.queries import inventory


def tokens_for(user: User) -> QuerySet[ApiToken]:
    """Tokens of the schools where ``user`` manages tokens."""
    schools = access.schools_where(user, "api.manage_tokens")
    return ApiToken.objects.filter(school__in=schools).select_related("school", "created_by", "revoked_by")


def get_token_for(user: User, pk: int) -> ApiToken:
    token = ApiToken.objects.select_related("school").filter(pk=pk).first()
    if token is None or not access.can(user, "api.manage_tokens", token.school):
        raise Http404("No such token")
    return token


def sites_of(school: School, state: str | None) -> list[dict[str, Any]]:
    states = [state] if state else list(APPROVED_STATES)
    rows = []
    for site in inventory([school]).filter(state__in=states):
        roles = list(site.roles.all())
        rows.append(
            {
                "id": site.pk,
                "title": site.title,
                "kind": site.kind,
                "state": site.state,
                "hosting": site.hosting,
                "host_platform": site.host_platform.name if site.host_platform else None,
                "host_minimum_age": site.host_platform.minimum_age if site.host_platform else None,
                "address": site.address,
                "go_live_on": site.go_live_on,
                "closes_on": site.closes_on,
                "live_since": site.live_since,
                "last_activity_at": site.last_activity_at,
                "administrators": [str(r.user) for r in roles if r.role == SiteRoleKind.ADMINISTRATOR],
                "moderators": [str(r.user) for r in roles if r.role == SiteRoleKind.MODERATOR],
            }
        )
    return rows


@dataclass
class Queue:
    site: Site
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("clean", "warn", "block", "escalate"), 0))
    oldest: dt.datetime | None = None

    def add(self, rank: int, count: int, oldest: dt.datetime) -> None:
        self.counts[SEVERITY_LABELS.get(rank, "clean")] += count
        self.oldest = oldest if self.oldest is None else min(self.oldest, oldest)

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.site.pk,
            "title": self.site.title,
            "hosting": self.site.hosting,
            "pending": {**self.counts, "total": sum(self.counts.values())},
            "oldest_waiting_since": self.oldest,
        }


def queue_counts(school: School) -> list[dict[str, Any]]:
    """Per approved or live site: items waiting for a moderator by severity, and the oldest (A.5.3, A.5.4).
    School-hosted sites count community contributions; third-party-hosted ones, exported comments (A.5.5).
    Three queries, however many sites."""
    sites = Site.objects.filter(school=school).filter(
        Q(state=SiteState.LIVE) | Q(state=SiteState.APPROVED, hosting=Hosting.THIRD_PARTY)
    )
    queues = {site.pk: Queue(site) for site in sites.order_by("title", "pk")}
    contributions = (
        Contribution.objects.filter(site__in=list(queues), state=ContributionState.PENDING)
        .values("site_id", "severity_rank")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
    )
    external = (
        ExternalComment.objects.filter(site__in=list(queues), state=ExternalCommentState.PENDING)
        .values("site_id", "severity_rank")
        .annotate(n=Count("pk"), oldest=Min("received_at"))
    )
    for row in [*contributions, *external]:
        queues[row["site_id"]].add(row["severity_rank"], row["n"], row["oldest"])
    return [queue.as_dict() for queue in queues.values()]


def submittable_site(school: School, pk: int) -> Site:
    """The token's school's site, or 404 (a site of another school is not admitted to exist)."""
    site = Site.objects.select_related("school", "host_platform").filter(pk=pk, school=school).first()
    if site is None:
        raise Http404("No such site at this school")
    return site
