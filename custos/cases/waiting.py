"""'Waiting for me': cases to acknowledge (overdue ones urgent) and escalations of cases nobody acknowledged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from custos.accounts.models import Kind
from custos.cases import queries
from custos.cases.models import Case, Status
from custos.cases.rules import visible_cases_q
from custos.cases.types import spec_for
from custos.core import waiting


@waiting.provider
def cases_waiting(user: Any) -> Iterable[waiting.WaitingItem]:
    if not getattr(user, "is_authenticated", False) or user.kind != Kind.STAFF:
        return []
    now = timezone.now()
    items = []
    new_cases = Case.objects.filter(visible_cases_q(user, to_work=True), status=Status.NEW).order_by("due_at")[:50]
    for case in new_cases:
        spec = spec_for(case.case_type)
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
        spec = spec_for(escalation.case.case_type)
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
    return items
