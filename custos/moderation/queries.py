"""The moderators' queue (A.5.4): severity first (escalate, block, warn, clean), then oldest first.

Paged by keyset over the ``contribution_queue`` index, never by OFFSET, so page one costs the same with a
million items waiting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from custos.community import queries as community_queries
from custos.community.models import Contribution, ContributionImage, ContributionState, Report, ReportState
from custos.sites.models import Site, SiteRoleKind, SiteState

PAGE_SIZE = 25
COUNT_CAP = 100


@dataclass(frozen=True)
class Cursor:
    rank: int
    created_at: dt.datetime
    pk: int

    def encode(self) -> str:
        return f"{self.rank}~{self.created_at.timestamp():.6f}~{self.pk}"

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        """A cursor from the URL, or None for the first page (a mangled one starts from the top)."""
        try:
            rank, stamp, pk = (value or "").split("~")
            return cls(int(rank), dt.datetime.fromtimestamp(float(stamp), tz=dt.UTC), int(pk))
        except (ValueError, OverflowError, OSError):
            return None


@dataclass(frozen=True)
class QueuePage:
    items: list[Contribution]
    next_cursor: str | None
    target: dt.timedelta


def pending(site: Site) -> QuerySet[Contribution]:
    return Contribution.objects.filter(site=site, state=ContributionState.PENDING)


def queue_page(site: Site, *, after: str | None = None, size: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue: two queries (the page and its authors are one join), whatever the queue's size."""
    hours, _ = community_queries.settings_for(site)
    qs = (
        pending(site)
        .select_related("author", "author__pupil", "membership", "parent")
        .annotate(has_image=Exists(ContributionImage.objects.filter(contribution=OuterRef("pk"))))
        .order_by("-severity_rank", "created_at", "id")
    )
    cursor = Cursor.decode(after)
    if cursor is not None:
        qs = qs.filter(
            Q(severity_rank__lt=cursor.rank)
            | Q(severity_rank=cursor.rank, created_at__gt=cursor.created_at)
            | Q(severity_rank=cursor.rank, created_at=cursor.created_at, id__gt=cursor.pk)
        )
    items: list[Contribution] = list(qs[: size + 1])
    more = len(items) > size
    items = items[:size]
    next_cursor = Cursor(items[-1].severity_rank, items[-1].created_at, items[-1].pk).encode() if more else None
    return QueuePage(items, next_cursor, dt.timedelta(hours=hours))


def open_reports(site: Site, limit: int = PAGE_SIZE) -> list[Report]:
    return list(
        Report.objects.filter(state=ReportState.OPEN, contribution__site=site)
        .select_related("contribution", "contribution__author", "contribution__author__pupil", "reporter")
        .select_related("contribution__membership")
        .order_by("created_at")[:limit]
    )


def recently_escalated(site: Site, days: int = 14) -> list[Contribution]:
    """Only that something was escalated, and when: never the case (A.5.6)."""
    since = timezone.now() - dt.timedelta(days=days)
    return list(
        Contribution.objects.filter(site=site, state=ContributionState.ESCALATED, decided_at__gte=since)
        .only("pk", "created_at", "decided_at", "kind", "site_id")
        .order_by("-decided_at")[:10]
    )


def waiting_count(site: Site) -> int:
    """Pending items, counted up to ``COUNT_CAP`` (shown as "100+") so the number stays cheap."""
    return pending(site).values("pk")[:COUNT_CAP].count()


def moderated_sites(user: Any) -> list[Site]:
    """Live spaces ``user`` moderates (designated moderators and administrators, A.5.4)."""
    if not getattr(user, "is_authenticated", False) or user.kind != "staff":
        return []
    return list(
        community_queries.spaces()
        .filter(
            state=SiteState.LIVE, roles__user=user, roles__role__in=[SiteRoleKind.ADMINISTRATOR, SiteRoleKind.MODERATOR]
        )
        .distinct()
        .order_by("title")
    )


def queue_item_for(user: Any, pk: int) -> Contribution:
    """A contribution of a site ``user`` moderates, or 404; escalated ones show only that they were escalated."""
    from django.http import Http404

    contribution = (
        Contribution.objects.select_related("site", "site__school", "author", "membership")
        .filter(pk=pk)
        .order_by()
        .first()
    )
    if contribution is None or not community_queries.is_moderator(user, contribution.site):
        raise Http404("No such item")
    if not community_queries.may_view(user, contribution.site):
        raise Http404("No such item")
    return contribution
