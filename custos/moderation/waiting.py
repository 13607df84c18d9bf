"""'Waiting for me' for moderators: each space's queue, urgent when items are past the target (A.5.4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from custos.community.queries import settings_for
from custos.core import waiting
from custos.moderation.queries import COUNT_CAP, moderated_sites, pending, waiting_count


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
