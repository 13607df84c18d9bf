from __future__ import annotations

from typing import Any

from django import template

from custos.moderation.queries import COUNT_CAP, moderated_sites, waiting_count

register = template.Library()


@register.simple_tag
def moderation_waiting(user: Any) -> str | None:
    """None for people who moderate nothing (no link); else the number waiting, "100+" past the cap."""
    sites = moderated_sites(user)
    if not sites:
        return None
    total = sum(waiting_count(site) for site in sites)
    return f"{COUNT_CAP}+" if total >= COUNT_CAP else str(total) if total else ""
