"""Who moderates comments from third-party-hosted sites (A.5.5): the site's designated moderators and
administrators (A.5.4), while the site is approved or live. Views and actions ask through ``access.can``.

The school-hosted queue's permissions (``moderation.view_queue``, ``moderation.moderate``) are declared with the
spaces they belong to, in ``custos/community/rules.py``.
"""

from __future__ import annotations

from typing import Any

import rules

from custos.community.queries import team_roles
from custos.sites.models import APPROVED_STATES, Hosting, Site


@rules.predicate
def is_third_party_site_team(user: Any, site: Any) -> bool:
    return (
        isinstance(site, Site)
        and site.hosting == Hosting.THIRD_PARTY
        and site.state in APPROVED_STATES
        and bool(team_roles(user, site))
    )


rules.add_perm("moderation.moderate_comments", is_third_party_site_team)
