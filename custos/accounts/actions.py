"""Every change to schools, people, roles and the roster goes through one of these functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from custos.accounts.models import Absence, Pupil, RoleAssignment, School, User
from custos.accounts.roster import RosterFile, parse_roster
from custos.audit.actions import record


@dataclass
class RosterImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    left: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


_ROSTER_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_first_name",
    "preferred_last_name",
    "year_group",
    "date_of_birth",
)


def import_roster(school: School, data: bytes, *, by: User | None, today: dt.date | None = None) -> RosterImportReport:
    """Bring the school's roster in line with an MIS export. A file with any bad row changes nothing."""
    parsed: RosterFile = parse_roster(data, today=today or timezone.localdate())
    report = RosterImportReport(errors=parsed.errors)
    if parsed.errors:
        return report
    with transaction.atomic():
        existing = {p.upn: p for p in Pupil.objects.select_for_update().filter(school=school)}
        to_create, to_update = [], []
        for row in parsed.rows:
            pupil = existing.pop(row.upn, None)
            values = {name: getattr(row, name) for name in _ROSTER_FIELDS}
            if pupil is None:
                to_create.append(Pupil(school=school, upn=row.upn, **values))
            elif any(getattr(pupil, k) != v for k, v in values.items()) or not pupil.on_roll:
                for key, value in values.items():
                    setattr(pupil, key, value)
                pupil.on_roll = True
                to_update.append(pupil)
            else:
                report.unchanged += 1
        leavers = [p for p in existing.values() if p.on_roll]
        for pupil in leavers:
            pupil.on_roll = False
        Pupil.objects.bulk_create(to_create, batch_size=500)
        Pupil.objects.bulk_update([*to_update, *leavers], [*_ROSTER_FIELDS, "on_roll"], batch_size=500)
        report.added, report.updated, report.left = len(to_create), len(to_update), len(leavers)
        record(
            by,
            "roster.imported",
            school,
            school_id=school.pk,
            changes={"added": report.added, "updated": report.updated, "left": report.left},
        )
    return report


def assign_role(
    user: User,
    role: str,
    *,
    school: School | None,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    by: Any,
) -> RoleAssignment:
    with transaction.atomic():
        assignment = RoleAssignment.objects.create(
            user=user, role=role, school=school, starts_on=starts_on, ends_on=ends_on
        )
        record(
            by,
            "role.assigned",
            assignment,
            school_id=school.pk if school else None,
            changes={"user": user.pk, "role": role, "starts_on": starts_on, "ends_on": ends_on},
        )
    return assignment


def record_absence(user: User, *, starts_on: dt.date, ends_on: dt.date, reason: str, by: Any) -> Absence:
    with transaction.atomic():
        absence = Absence.objects.create(user=user, starts_on=starts_on, ends_on=ends_on, reason=reason)
        record(
            by,
            "absence.recorded",
            absence,
            school_id=user.school_id,
            changes={"user": user.pk, "starts_on": starts_on, "ends_on": ends_on},
        )
    return absence


def deactivate(user: User, *, by: Any, reason: str) -> None:
    """Stop someone signing in; their open sessions end at their next request."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        record(by, "user.deactivated", user, school_id=user.school_id, changes={"reason": reason})
