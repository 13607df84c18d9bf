"""'Waiting for me': cases to acknowledge (overdue ones urgent), escalations of cases nobody acknowledged, and
referrals with a target (KCSIE: an allegation against staff to the LADO within one working day)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from custos.accounts.models import Kind, Role, School
from custos.cases import oncall, queries
from custos.cases.models import Alert, Case, Entry, EntryKind, Status
from custos.cases.rules import visible_cases_q
from custos.cases.types import CASE_TYPES
from custos.core import waiting

# A gap in out-of-hours cover waits on the DSL (who edits the rota) and the Head (who answers for the school).
GAP_WATCHERS = (Role.DSL, Role.HEAD_OF_SCHOOL)


@waiting.provider
def cases_waiting(user: Any) -> Iterable[waiting.WaitingItem]:
    if not getattr(user, "is_authenticated", False) or user.kind != Kind.STAFF:
        return []
    now = timezone.now()
    items = []
    new_cases = Case.objects.filter(visible_cases_q(user, to_work=True), status=Status.NEW).order_by("due_at")[:50]
    for case in new_cases:
        spec = case.spec
        items.append(
            waiting.WaitingItem(
                title=f"Acknowledge {spec.label.lower()} {case.reference}",
                url=reverse("cases:case", args=[case.reference]),
                clause=spec.clause,
                due=case.due_at,
                urgent=case.due_at <= now or spec.clause in ("A.2.3", "A.5.6"),
            )
        )
    seen = {case.pk for case in new_cases}
    for escalation in queries.escalations_for(user)[:50]:
        if escalation.case_id in seen:
            continue
        spec = escalation.case.spec
        items.append(
            waiting.WaitingItem(
                title=f"Nobody has acknowledged {spec.label.lower()} {escalation.case.reference}: make sure it is "
                "picked up",
                url=reverse("cases:home") + "#escalations",
                clause=spec.clause,
                due=escalation.case.due_at,
                urgent=True,
            )
        )
    items.extend(_referrals_due(user, now))
    return items


@waiting.provider
def alerts_waiting(user: Any) -> list[waiting.WaitingItem]:
    """Urgent alerts that reached this person and nobody has acknowledged (A.2.3)."""
    if not getattr(user, "is_authenticated", False) or user.kind != Kind.STAFF:
        return []
    alerts = (
        Alert.objects.filter(steps__notified=user, acknowledged_at__isnull=True, case__status=Status.NEW)
        .select_related("case__school")
        .distinct()
    )
    return [
        waiting.WaitingItem(
            title=f"Urgent: a child may be at risk at {a.case.school.name} ({a.case.reference}): acknowledge the alert",
            url=reverse("cases:alert", args=[a.pk]),
            clause="A.2.3",
            due=a.raised_at,
            urgent=True,
        )
        for a in alerts[:20]
    ]


@waiting.provider
def cover_gaps_waiting(user: Any) -> list[waiting.WaitingItem]:
    """A week ahead, for each school's DSL and Head: the hours out of school when nobody is on call (A.2.3).
    Only once the school (or the Trust) keeps a rota: without one, alerts go to the DSL and deputies together."""
    if not getattr(user, "is_authenticated", False) or user.kind != Kind.STAFF:
        return []
    now = timezone.now()
    schools = list(School.objects.filter(pk__in=_rota_school_ids(user)).select_related("trust"))
    schools = [s for s in schools if oncall.keeps_a_rota(s)]
    items = []
    for school in schools:
        for gap in oncall.gaps_ahead(school, now)[:3]:
            start, end = timezone.localtime(gap.starts_at), timezone.localtime(gap.ends_at)
            items.append(
                waiting.WaitingItem(
                    title=f"Nobody is on call for {school.name} from {start:%H:%M %a %d/%m} to {end:%H:%M %a %d/%m}: "
                    "add cover to the rota",
                    url=reverse("cases:rota") + f"?school={school.pk}",
                    clause="A.2.3",
                    due=gap.starts_at,
                    urgent=gap.starts_at - now < dt.timedelta(days=1),
                )
            )
    return items


def _rota_school_ids(user: Any) -> list[int]:
    roles = user.role_assignments.current().filter(role__in=GAP_WATCHERS, school__isnull=False)
    return list(roles.values_list("school_id", flat=True).distinct())


def _referrals_due(user: Any, now: Any) -> list[waiting.WaitingItem]:
    """Open cases whose required referral has a target and is not yet in the chronology."""
    not_referred = Q(pk__in=[])
    for key, spec in CASE_TYPES.items():
        if spec.referral_target_days:
            referred = Entry.objects.filter(
                case=OuterRef("pk"), kind=EntryKind.REFERRAL, agency__in=spec.required_referral
            )
            not_referred |= Q(Q(case_type=key), ~Exists(referred))
    due = (
        Case.objects.filter(visible_cases_q(user, to_work=True), not_referred, referral_due_at__isnull=False)
        .exclude(status=Status.CLOSED)
        .order_by("referral_due_at")
    )
    items = []
    for case in due[:50]:
        spec = case.spec
        items.append(
            waiting.WaitingItem(
                title=f"Refer {spec.label.lower()} {case.reference} to {spec.referral_words}",
                url=reverse("cases:case", args=[case.reference]) + "#referral",
                clause=spec.clause,
                due=case.referral_due_at,
                urgent=case.referral_due_at is not None and case.referral_due_at <= now,
            )
        )
    return items
