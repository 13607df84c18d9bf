from __future__ import annotations

from typing import Any

from django import template

from custos.moderation.queries import COUNT_CAP, comment_counts, comment_sites, moderated_sites, waiting_count

register = template.Library()


@register.simple_tag
def moderation_waiting(user: Any) -> str | None:
    """None for people who moderate nothing (no link); else the number waiting, "100+" past the cap.
    Counts community contributions (A.5.4) and third-party sites' comments (A.5.5)."""
    sites = moderated_sites(user)
    third_party = comment_sites(user)
    if not sites and not third_party:
        return None
    total = sum(waiting_count(site) for site in sites)
    if third_party:
        total += sum(comment_counts(third_party).values())
    return f"{COUNT_CAP}+" if total >= COUNT_CAP else str(total) if total else ""
