"""Reads: every list of cases starts from what the person may open (rules.visible_cases_q)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case as Ranked
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from custos.accounts import access
from custos.cases.models import Case, ClosedDay, Escalation, Evidence, SchoolHoliday, Status
from custos.cases.rules import visible_cases_q


def cases_for(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(visible_cases_q(user))


def get_case_for(user: Any, reference: str) -> Case:
    """The case, or 404 whether it does not exist or the person may not open it (no existence leak)."""
    case = (
        Case.objects.select_related("school__trust", "assigned_to", "acknowledged_by")
        .filter(reference=reference)
        .first()
    )
    if case is None or not access.can(user, "cases.view_case", case):
        raise Http404("No such case")
    return case


def get_evidence_for(user: Any, reference: str, evidence_id: int) -> Evidence:
    case = get_case_for(user, reference)
    evidence = Evidence.objects.filter(case=case, pk=evidence_id).first()
    if evidence is None:
        raise Http404("No such evidence")
    evidence.case = case
    return evidence


def dashboard(user: Any, *, q: str = "", case_type: str = "", status: str = "") -> QuerySet[Case]:
    """Overdue first, then unacknowledged, then open, then closed; newest first within each."""
    now = timezone.now()
    cases = cases_for(user)
    if q:
        cases = cases.filter(Q(reference__iexact=q) | Q(summary__icontains=q) | Q(linked_content__icontains=q))
    if case_type:
        cases = cases.filter(case_type=case_type)
    if status:
        cases = cases.filter(status=status)
    rank = Ranked(
        When(status=Status.NEW, due_at__lte=now, then=Value(0)),
        When(status=Status.NEW, then=Value(1)),
        When(status=Status.OPEN, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return cases.annotate(rank=rank).select_related("school", "assigned_to").order_by("rank", "due_at", "-opened_at")


def escalations_for(user: Any) -> QuerySet[Escalation]:
    """Escalations sent to ``user`` about cases still unacknowledged, and not yet marked as seen."""
    return (
        Escalation.objects.filter(notified=user, case__status=Status.NEW)
        .exclude(dismissed_by=user)
        .select_related("case__school")
        .order_by("case__due_at")
    )


def my_reports(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(reported_by=user).only(
        "reference", "case_type", "status", "opened_at", "closed_at", "reported_by"
    )


def retention_due(on: dt.date | None = None, *, within_days: int = 30) -> QuerySet[Case]:
    """Closed cases whose retention ends by ``on`` + ``within_days``: due for review, then deletion."""
    on = on or timezone.localdate()
    return (
        Case.objects.filter(status=Status.CLOSED, retain_until__lte=on + dt.timedelta(days=within_days))
        .select_related("school")
        .order_by("retain_until")
    )


def closed_days_for(trust: Any) -> QuerySet[ClosedDay]:
    return ClosedDay.objects.filter(trust=trust).order_by("day")


def school_holidays_for(trust: Any) -> QuerySet[SchoolHoliday]:
    """This year's and later school holidays, earliest first."""
    since = timezone.localdate() - dt.timedelta(days=365)
    return SchoolHoliday.objects.filter(trust=trust, last_day__gte=since).order_by("first_day")
