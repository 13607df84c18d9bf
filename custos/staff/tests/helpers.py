"""Official sites for the staff tests, made as the sites app leaves them once approved."""

from __future__ import annotations

from typing import Any

from custos.sites.models import Hosting, Site, SiteKind, SiteState


def approved_site(test: Any, *, hosting: str = Hosting.SCHOOL, state: str = SiteState.LIVE, school: Any = None) -> Site:
    return Site.objects.create(
        school=school or test.school,
        author=test.teacher,
        title="Year 6 Science Club" if hosting == Hosting.SCHOOL else "Oakfield on Instagram",
        kind=SiteKind.OWN,
        hosting=hosting,
        state=state,
    )
