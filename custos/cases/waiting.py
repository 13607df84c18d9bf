"""'Waiting for me': cases to acknowledge (overdue ones urgent), escalations of cases nobody acknowledged, and
referrals with a target (KCSIE: an allegation against staff to the LADO within one working day)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from custos.accounts.models import Kind
from custos.cases import queries
from custos.cases.models import Case, Entry, EntryKind, Status
from custos.cases.rules import visible_cases_q
from custos.cases.types import CASE_TYPES
from custos.core import waiting


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
