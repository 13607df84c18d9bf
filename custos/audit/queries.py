from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from custos.accounts import access
from custos.accounts.models import Role
from custos.audit.models import AuditEvent

# Who looked at a case, and why, is itself need-to-know: only heads see those events in the search.
CASE_EVENT_ROLES = {Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER}


def events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """Trust-wide roles see every event; a school's Head, ICT Manager or HR see that school's events."""
    trust_wide = user.role_assignments.current().filter(school__isnull=True, role__in=access.AUDIT_ROLES).exists()
    if trust_wide or user.roles_at(None) & {Role.EXECUTIVE_HEADTEACHER}:
        events = AuditEvent.objects.all()
    else:
        schools = [s.pk for s in access.schools_where(user, "audit.search")]
        events = AuditEvent.objects.filter(school_id__in=schools)
    if not user.all_current_roles() & CASE_EVENT_ROLES:
        events = events.exclude(action__startswith="cases.")
    return events


def search(events: QuerySet[AuditEvent], *, q: str, action: str, since: dt.date | None, until: dt.date | None):
    if q:
        events = events.filter(Q(object_repr__icontains=q) | Q(actor_label__icontains=q) | Q(object_id=q))
    if action:
        events = events.filter(action__startswith=action)
    tz = timezone.get_current_timezone()
    if since:
        events = events.filter(at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    if until:
        events = events.filter(at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return events.order_by("-seq")
