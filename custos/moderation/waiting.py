"""'Waiting for me' for moderators: each space's queue (A.5.4) and each third-party-hosted site's comments
(A.5.5), urgent when items are past the target or a comment was escalated (A.5.6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from custos.community.queries import settings_for
from custos.core import waiting
from custos.moderation.queries import (
    COUNT_CAP,
    comment_sites,
    moderated_sites,
    pending,
    pending_comments,
    waiting_count,
)


@waiting.provider
def queues(user: Any) -> Iterable[waiting.WaitingItem]:
    items = []
    for site in moderated_sites(user):
        count = waiting_count(site)
        if not count:
            continue
        hours, _ = settings_for(site)
        oldest = pending(site).order_by("created_at").values_list("created_at", flat=True).first()
        due = oldest + dt.timedelta(hours=hours) if oldest else None
        shown = f"{COUNT_CAP}+" if count >= COUNT_CAP else str(count)
        items.append(
            waiting.WaitingItem(
                title=f"Moderate {shown} item{'s' if count != 1 else ''} in {site.title}",
                url=reverse("moderation:queue", args=[site.pk]),
                clause="A.5.4",
                due=due,
                urgent=bool(due and due < timezone.now()),
            )
        )
    return items


@waiting.provider
def comments(user: Any) -> Iterable[waiting.WaitingItem]:
    items = []
    for site in comment_sites(user):
        waiting_here = pending_comments(site).order_by("received_at")
        oldest = waiting_here.values_list("received_at", flat=True).first()
        if oldest is None:
            continue
        count = waiting_here.count()
        escalated = waiting_here.filter(case_opened_at__isnull=False).exists()
        hours, _ = settings_for(site)
        due = oldest + dt.timedelta(hours=hours)
        items.append(
            waiting.WaitingItem(
                title=f"Review {count} comment{'s' if count != 1 else ''} from {site.title}"
                + (" (escalated: remove it on the host now, A.5.6)" if escalated else ""),
                url=reverse("moderation:comments", args=[site.pk]),
                clause="A.5.6" if escalated else "A.5.5",
                due=due,
                urgent=escalated or due < timezone.now(),
            )
        )
    return items
