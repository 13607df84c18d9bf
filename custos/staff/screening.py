"""Screening for staff: their personal webspace (section 6) and official posts (A.4), through the shared adapter."""

from __future__ import annotations

from typing import Any

from custos.accounts.models import School
from custos.lib.screening import context_for
from custos.screening import Finding, Severity, Venue, screen

# Official posts with a finding this serious cannot be submitted until it is dealt with (A.4).
BLOCKING = frozenset({Severity.BLOCK, Severity.ESCALATE})


def venue_of(site: Any) -> Venue:
    from custos.sites.models import Hosting, SiteKind

    if site.kind == SiteKind.OWN and site.hosting == Hosting.SCHOOL:
        return Venue.SCHOOL_SITE
    return Venue.THIRD_PARTY_DRAFT


def screen_post(text: str, *, site: Any, author: Any) -> list[Finding]:
    return screen(text, context_for(school=site.school, author=author, venue=venue_of(site)))


def screen_personal(text: str, *, school: School, author: Any) -> list[Finding]:
    """Nothing here stores or logs ``text``: the personal check keeps no record (section 6)."""
    return screen(text, context_for(school=school, author=author, venue=Venue.PERSONAL_WEBSPACE))


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in BLOCKING]


def as_rows(findings: list[Finding], text: str) -> list[dict[str, Any]]:
    """Findings for a page or JSON: what was found (the words), why, which clauses, how serious."""
    rows = []
    for finding in sorted(findings, key=lambda f: (-f.severity.rank, f.start)):
        row = finding.as_dict()
        row["excerpt"] = text[finding.start : finding.end][:120]
        row["blocking"] = finding.severity in BLOCKING
        row["severity_label"] = {
            "info": "For information",
            "warn": "Check this",
            "block": "Must change",
            "escalate": "Must change: safeguarding",
        }[str(finding.severity)]
        rows.append(row)
    return rows
