"""The moderators' queues (A.5.4, A.5.5): severity first (escalate, block, warn, clean), then oldest first.

School-hosted spaces queue community contributions; third-party-hosted sites queue the comments their integration
exported through the API (``custos.api.models.ExternalComment``). Both are paged by keyset over their queue
index, never by OFFSET, so page one costs the same with a million items waiting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from custos.accounts import access
from custos.accounts.models import Kind
from custos.api.models import ExternalComment, ExternalCommentState
from custos.community import queries as community_queries
from custos.community.models import Contribution, ContributionImage, ContributionState, Report, ReportState
from custos.sites.models import APPROVED_STATES, Hosting, Site, SiteRoleKind, SiteState

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
    items: list[Any]
    next_cursor: str | None
    target: dt.timedelta


def _page(qs: QuerySet[Any], when: str, after: str | None, size: int, target: dt.timedelta) -> QueuePage:
    """Keyset paging over (severity_rank desc, ``when`` asc, id asc)."""
    qs = qs.order_by("-severity_rank", when, "id")
    cursor = Cursor.decode(after)
    if cursor is not None:
        qs = qs.filter(
            Q(severity_rank__lt=cursor.rank)
            | Q(severity_rank=cursor.rank, **{f"{when}__gt": cursor.created_at})
            | Q(severity_rank=cursor.rank, id__gt=cursor.pk, **{when: cursor.created_at})
        )
    items = list(qs[: size + 1])
    more = len(items) > size
    items = items[:size]
    last = items[-1] if more else None
    next_cursor = Cursor(last.severity_rank, getattr(last, when), last.pk).encode() if last is not None else None
    return QueuePage(items, next_cursor, target)


def pending(site: Site) -> QuerySet[Contribution]:
    return Contribution.objects.filter(site=site, state=ContributionState.PENDING)


def queue_page(site: Site, *, after: str | None = None, size: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue: two queries (the page and its authors are one join), whatever the queue's size."""
    hours, _ = community_queries.settings_for(site)
    qs = (
        pending(site)
        .select_related("author", "author__pupil", "membership", "parent")
        .annotate(has_image=Exists(ContributionImage.objects.filter(contribution=OuterRef("pk"))))
    )
    return _page(qs, "created_at", after, size, dt.timedelta(hours=hours))


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


# Third-party-hosted sites (A.5.5) ---------------------------------------------------------------------------


def comment_sites(user: Any) -> list[Site]:
    """Approved or live third-party-hosted sites whose comments ``user`` moderates (moderators and
    administrators, A.5.4, A.5.5)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.kind != Kind.STAFF:
        return []
    return list(
        Site.objects.filter(
            hosting=Hosting.THIRD_PARTY,
            state__in=APPROVED_STATES,
            roles__user=user,
            roles__role__in=[SiteRoleKind.ADMINISTRATOR, SiteRoleKind.MODERATOR],
        )
        .select_related("host_platform")
        .distinct()
        .order_by("title")
    )


def pending_comments(site: Site) -> QuerySet[ExternalComment]:
    return ExternalComment.objects.filter(site=site, state=ExternalCommentState.PENDING)


def comment_counts(sites: list[Site]) -> dict[int, int]:
    """Pending comments per site, in one query, for the moderation home and the nav link."""
    rows = (
        ExternalComment.objects.filter(site__in=sites, state=ExternalCommentState.PENDING)
        .order_by()
        .values("site_id")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys((site.pk for site in sites), 0)
    counts.update({row["site_id"]: row["n"] for row in rows})
    return counts


def comment_site_for(user: Any, pk: int) -> Site:
    """The third-party-hosted site ``pk`` if ``user`` moderates its comments, else 404 (A.5.5)."""
    site = Site.objects.select_related("school", "host_platform").filter(pk=pk).first()
    if site is None or not access.can(user, "moderation.moderate_comments", site):
        raise Http404("No such queue")
    return site


def comment_queue_page(site: Site, *, after: str | None = None, size: int = PAGE_SIZE) -> QueuePage:
    """One page of a third-party site's comments: two queries, whatever the queue's size."""
    hours, _ = community_queries.settings_for(site)
    return _page(pending_comments(site), "received_at", after, size, dt.timedelta(hours=hours))


def recently_escalated_comments(site: Site, days: int = 14) -> list[ExternalComment]:
    """Only that a comment was escalated, and when: never the case or the text (A.5.6)."""
    since = timezone.now() - dt.timedelta(days=days)
    return list(
        ExternalComment.objects.filter(site=site, state=ExternalCommentState.ESCALATED, decided_at__gte=since)
        .only("pk", "external_id", "received_at", "decided_at", "site_id")
        .order_by("-decided_at")[:10]
    )


def comment_for(user: Any, pk: int) -> ExternalComment:
    """A comment of a third-party site ``user`` moderates, or 404 (A.5.5)."""
    comment = (
        ExternalComment.objects.select_related("site", "site__school", "site__host_platform")
        .filter(pk=pk)
        .order_by()
        .first()
    )
    if comment is None or not access.can(user, "moderation.moderate_comments", comment.site):
        raise Http404("No such comment")
    return comment
