from __future__ import annotations

from typing import Any

from django import template

from custos.community.models import Membership, MemberStatus
from custos.community.queries import TEAM_ROLES, spaces
from custos.community.wording import for_reader, reads_clauses
from custos.lib import uploads
from custos.sites.models import SiteState

register = template.Library()


@register.simple_tag
def has_spaces(user: Any) -> bool:
    """Whether to show 'My spaces': members of a live space, and the team of any space."""
    if not getattr(user, "is_authenticated", False):
        return False
    member = Membership.objects.filter(user=user, status=MemberStatus.ACTIVE, site__state=SiteState.LIVE)
    return member.exists() or spaces().filter(roles__user=user, roles__role__in=TEAM_ROLES).exists()


@register.filter
def media_url(image: Any) -> str:
    """A short-lived link on the media origin for an image the page already shows this person (A.5.2)."""
    return uploads.image_url(image)


@register.filter
def logo_url(school: Any) -> str:
    """The school's logo on the media origin (A.4.7)."""
    return uploads.logo_url(school)


@register.filter
def house_rule(site: Any, number: Any) -> str:
    """The text of House Rule ``number`` of ``site`` (numbered from 1), or "" if there is no such rule (A.5.7)."""
    rules = getattr(site, "house_rules_list", [])
    try:
        index = int(number)
    except (TypeError, ValueError):
        return ""
    return rules[index - 1] if 1 <= index <= len(rules) else ""


@register.simple_tag(takes_context=True)
def cite(context: Any, clauses: str) -> str:
    """`` (A.4.7)`` for staff; nothing for pupils and external members, who read plain words (A.2.2)."""
    return f" ({clauses})" if reads_clauses(context.get("user")) else ""


@register.filter
def plain(text: str, user: Any) -> str:
    """A message from the rules, with its clause citations only for staff (A.2.2)."""
    return for_reader(user, str(text))
