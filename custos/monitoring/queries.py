"""Reads for monitoring pages: permission-scoped fetches and the two reports (6.11, 6.13)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from custos.accounts import access
from custos.accounts.models import Kind, School, User
from custos.monitoring.actions import Week
from custos.monitoring.models import ContractedHours, DailyUse, EncyclopaediaEdit, SchoolDefaultHours


def get_school_for(user: Any, school_id: int, perm: str) -> School:
    """The school, when ``user`` has ``perm`` there; 404 when there is no such school, 403 otherwise."""
    school = School.objects.filter(pk=school_id).first()
    if school is None:
        raise Http404("No such school.")
    if not access.can(user, perm, school):
        raise PermissionDenied
    return school


def get_staff_member_for(user: Any, school: School, user_id: int) -> User:
    """A staff member of ``school`` (the caller's access to the school is checked already)."""
    found = User.objects.filter(pk=user_id, school=school, kind=Kind.STAFF).first()
    if found is None:
        raise Http404("No such member of staff at this school.")
    return found


def week_of_user(user: User) -> Week:
    return _week(ContractedHours.objects.filter(user=user).values_list("weekday", "start", "end"))


def week_of_school(school: School) -> Week:
    return _week(SchoolDefaultHours.objects.filter(school=school).values_list("weekday", "start", "end"))


def _week(rows: Any) -> Week:
    week: Week = defaultdict(list)
    for day, start, end in rows:
        week[day].append((start, end))
    return dict(week)


@dataclass
class PersonTotal:
    user: User
    requests: int = 0
    days: set[dt.date] = field(default_factory=set)
    weeks: dict[dt.date, int] = field(default_factory=dict)
    week_counts: list[int] = field(default_factory=list)  # in the order of SocialReport.weeks


@dataclass
class SocialReport:
    rows: list[DailyUse]
    people: list[PersonTotal]
    weeks: list[dt.date]
    most: int


def social_use_report(school: School, start: dt.date, end: dt.date) -> SocialReport:
    """Who used social media in contracted hours (6.13), and how much, by day and by week."""
    rows = list(
        DailyUse.objects.filter(school=school, day__gte=start, day__lte=end)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id", "day", "category")
    )
    people: dict[int, PersonTotal] = {}
    for row in rows:
        person = people.setdefault(row.user_id, PersonTotal(user=row.user))
        person.requests += row.requests
        person.days.add(row.day)
        monday = row.day - dt.timedelta(days=row.day.weekday())
        person.weeks[monday] = person.weeks.get(monday, 0) + row.requests
    first_monday = start - dt.timedelta(days=start.weekday())
    weeks = [first_monday + dt.timedelta(weeks=n) for n in range((end - first_monday).days // 7 + 1)]
    for person in people.values():
        person.week_counts = [person.weeks.get(week, 0) for week in weeks]
    ordered = sorted(people.values(), key=lambda p: (-p.requests, p.user.last_name, p.user.first_name))
    return SocialReport(rows=rows, people=ordered, weeks=weeks, most=max((p.requests for p in ordered), default=0))


def edits_report(school: School, start: dt.date, end: dt.date) -> list[EncyclopaediaEdit]:
    """Encyclopaedia edit requests from the school's network (6.11), newest first."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(settings.TIME_ZONE)
    since = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return list(
        EncyclopaediaEdit.objects.filter(school=school, at__gte=since, at__lt=until)
        .select_related("user")
        .order_by("-at")
    )
