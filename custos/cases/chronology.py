"""A pupil's chronology (A.2.3): everything on record about one child across the Trust, in time order, for the
DSL and deputies only, and only what the viewer may open — the cases linked to any of the child's roster records
(the same UPN at any school of the Trust), each line of those cases' chronologies, friend-request referrals (cases
too), and the child's own posts that screening flagged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from custos.accounts.models import Pupil
from custos.cases.models import Case, Entry, EntryKind
from custos.cases.rules import visible_cases_q
from custos.cases.types import CASE_TYPES


class LineKind:
    CASE = "case"
    ENTRY = "entry"
    FLAGGED = "flagged"
    CHOICES = ((CASE, "Cases opened"), (ENTRY, "Case notes, actions and referrals"), (FLAGGED, "Flagged posts"))


@dataclass(frozen=True)
class Line:
    at: dt.datetime
    kind: str
    what: str
    text: str
    school: str
    url: str = ""
    case_type: str = ""


def records_of(pupil: Pupil) -> QuerySet[Pupil]:
    """The child's roster records at every school of the Trust (one UPN, one child)."""
    return Pupil.objects.filter(upn=pupil.upn, school__trust_id=pupil.school.trust_id)


def lines_for(
    viewer: Any,
    pupil: Pupil,
    *,
    kinds: frozenset[str] = frozenset({LineKind.CASE, LineKind.ENTRY, LineKind.FLAGGED}),
    case_type: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Line]:
    from custos.community.models import Contribution

    records = records_of(pupil)
    cases = Case.objects.filter(visible_cases_q(viewer), linked_pupils__in=records).distinct()
    if case_type:
        cases = cases.filter(case_type=case_type)
    lines: list[Line] = []
    case_list = list(cases.select_related("school"))
    if LineKind.CASE in kinds:
        for case in case_list:
            label = CASE_TYPES[case.case_type].label
            lines.append(
                Line(
                    case.opened_at,
                    LineKind.CASE,
                    f"{label} {case.reference} opened",
                    case.summary,
                    case.school.name,
                    reverse("cases:case", args=[case.reference]),
                    case.case_type,
                )
            )
    if LineKind.ENTRY in kinds and case_list:
        by_pk = {case.pk: case for case in case_list}
        entries = Entry.objects.filter(case_id__in=list(by_pk)).exclude(kind=EntryKind.OPENED).order_by("at", "pk")
        for entry in entries:
            case = by_pk[entry.case_id]
            text = entry.text
            if entry.agency:
                text = f"Referred to {entry.get_agency_display()} on {entry.referred_on:%d/%m/%Y}. {text}".strip()
            lines.append(
                Line(
                    entry.at,
                    LineKind.ENTRY,
                    f"{entry.get_kind_display()} on {case.reference} by {entry.by_label}",
                    text,
                    case.school.name,
                    reverse("cases:case", args=[case.reference]),
                    case.case_type,
                )
            )
    if LineKind.FLAGGED in kinds and not case_type:
        accounts = [r.user_id for r in records if r.user_id]
        flagged = (
            Contribution.objects.filter(author_id__in=accounts)
            .exclude(findings=[])
            .select_related("site__school")
            .order_by("created_at")
        )
        for post in flagged:
            found = ", ".join(sorted({f"{f.get('category')} ({f.get('severity')})" for f in post.findings}))
            lines.append(
                Line(
                    post.created_at,
                    LineKind.FLAGGED,
                    f"Post on “{post.site.title}” flagged by screening: {found}; {post.get_state_display().lower()}",
                    post.body,
                    post.site.school.name,
                )
            )
    if since is not None:
        lines = [line for line in lines if timezone.localtime(line.at).date() >= since]
    if until is not None:
        lines = [line for line in lines if timezone.localtime(line.at).date() <= until]
    return sorted(lines, key=lambda line: (line.at, line.kind))
