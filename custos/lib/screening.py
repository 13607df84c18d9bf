"""Adapts the pure screening engine to the Trust's data: the school's roster, names and email domains.

The compiled roster is cached per process and rebuilt when the school's roster changes (a new import).
``warm_up()`` builds every school's context once, so a worker's first post is not the slow one.
"""

from __future__ import annotations

import logging
import threading
import time
from types import SimpleNamespace
from typing import Any

from custos.accounts.models import Kind, Pupil, School
from custos.audit.models import AuditEvent
from custos.screening import Author, Roster, RosterPupil, ScreeningContext, Venue, screen

log = logging.getLogger(__name__)

_AUTHORS = {Kind.STAFF: Author.STAFF, Kind.PUPIL: Author.PUPIL, Kind.EXTERNAL: Author.EXTERNAL}
_cache: dict[int, tuple[tuple[int, int], Roster]] = {}
_lock = threading.Lock()


def _roster_version(school: School) -> tuple[int, int]:
    last_import = (
        AuditEvent.objects.filter(action="roster.imported", object_type="accounts.school", object_id=str(school.pk))
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return (last_import or 0, Pupil.objects.filter(school=school, on_roll=True).count())


def roster_for(school: School) -> Roster:
    version = _roster_version(school)
    with _lock:
        cached = _cache.get(school.pk)
        if cached is not None and cached[0] == version:
            return cached[1]
    pupils = Pupil.objects.filter(school=school, on_roll=True).values_list(
        "upn", "legal_first_name", "legal_last_name", "preferred_first_name", "preferred_last_name"
    )
    roster = Roster(
        RosterPupil(
            first_name=first,
            last_name=last,
            preferred_first_name=preferred_first,
            preferred_last_name=preferred_last,
            pupil_id=upn,
        )
        for upn, first, last, preferred_first, preferred_last in pupils
    )
    with _lock:
        _cache[school.pk] = (version, roster)
    return roster


def context_for(*, school: School, author: Any, venue: Venue) -> ScreeningContext:
    """The screening context for ``author`` writing at ``school`` in ``venue``."""
    kind = getattr(author, "kind", Kind.EXTERNAL)
    author_pupil = getattr(author, "pupil", None) if kind == Kind.PUPIL else None
    schools = list(School.objects.filter(trust_id=school.trust_id).select_related("trust"))
    trust_name = schools[0].trust.name if schools else ""
    return ScreeningContext(
        author=_AUTHORS.get(kind, Author.EXTERNAL),
        venue=venue,
        roster=roster_for(school),
        author_pupil_id=author_pupil.upn if author_pupil is not None else None,
        organisation_names=tuple(n for n in (trust_name, *(s.name for s in schools)) if n),
        brand_terms=tuple(s.name for s in schools),
        school_email_domains=tuple(d for s in schools for d in s.email_domains),
    )


def warm_up() -> int:
    """Build each school's roster and compile the word lists and detectors by screening a short text once per
    school; return how many schools were warmed. Called by the worker when it starts."""
    started = time.monotonic()
    schools = list(School.objects.all())
    for school in schools:
        for kind in (Kind.PUPIL, Kind.STAFF, Kind.EXTERNAL):
            author = SimpleNamespace(kind=kind, pupil=None)
            screen(
                "Warm-up: hello from the school.", context_for(school=school, author=author, venue=Venue.SCHOOL_SITE)
            )
    log.info("Screening warmed for %d school(s) in %.2fs", len(schools), time.monotonic() - started)
    return len(schools)
