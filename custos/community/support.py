"""Help for a pupil whose own words show a sign they may be at risk (7.4, A.2.1, A.2.3).

The background screening (``actions.apply_screening``) decides what the moderators and the safeguarding lead see.
This is the pupil's side: the moment they send something that reads like a disclosure, self-harm or grooming, the
page they land on says, kindly and plainly, where to get help now. It runs the same engine synchronously, which
costs tens of microseconds (docs/screening.md), and changes nothing.
"""

from __future__ import annotations

from custos.accounts.models import Kind
from custos.community.models import Contribution


def needs_signposting(contribution: Contribution) -> bool:
    """True when ``contribution`` is a pupil's own and screening finds a safeguarding sign in it (A.2.3)."""
    from custos.lib.screening import context_for
    from custos.screening import Category, Venue, screen

    author = contribution.author
    if author.kind != Kind.PUPIL or not contribution.body:
        return False
    context = context_for(school=contribution.site.school, author=author, venue=Venue.SCHOOL_SITE)
    return any(finding.category is Category.SAFEGUARDING for finding in screen(contribution.body, context))
