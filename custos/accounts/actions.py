"""Every change to schools, people, roles and the roster goes through one of these functions."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from custos.accounts.models import Absence, Kind, Pupil, Role, RoleAssignment, School, User
from custos.accounts.roster import RosterFile, parse_roster
from custos.audit.actions import record


class RosterChanged(Exception):
    """The roster, or what the file would do to it, changed after the preview: nothing was imported."""


class AccountNotReopened(Exception):
    """The pupil's account was not reopened; the message says why. Nothing changed."""


_ROSTER_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_first_name",
    "preferred_last_name",
    "year_group",
    "date_of_birth",
)
# More than this share of the pupils on roll leaving in one import is shown as a prominent warning.
LARGE_DEPARTURE_SHARE = 0.25
LEAVER_REASON = "Left the school: no longer on the MIS roster (A.2.6, A.5.7)."


@dataclass
class RosterPlan:
    """What an MIS export would change, worked out without writing anything (the preview), and its ``digest``: the
    confirm step applies the file only if the plan it works out again, under lock, has the same digest."""

    school: School
    file_sha256: str
    errors: list[tuple[int, str]] = field(default_factory=list)
    problems_by_line: list[tuple[int, list[str]]] = field(default_factory=list)
    added: list[Pupil] = field(default_factory=list)
    updated: list[Pupil] = field(default_factory=list)
    unchanged: int = 0
    leavers: list[Pupil] = field(default_factory=list)
    # Pupils who left in an earlier import but whose account is still open (before leavers' accounts were closed).
    open_accounts_of_earlier_leavers: list[Pupil] = field(default_factory=list)
    # Pupils coming back on roll whose account was closed when they left: it stays closed (A.5.7).
    returning_without_account: list[Pupil] = field(default_factory=list)
    on_roll_before: int = 0
    digest: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes_nothing(self) -> bool:
        return not (self.added or self.updated or self.leavers or self.open_accounts_of_earlier_leavers)

    @property
    def many_leaving(self) -> bool:
        return len(self.leavers) > LARGE_DEPARTURE_SHARE * self.on_roll_before

    @property
    def accounts_to_close(self) -> list[User]:
        pupils = [*self.leavers, *self.open_accounts_of_earlier_leavers]
        return [p.user for p in pupils if p.user is not None and p.user.is_active and p.user.kind == Kind.PUPIL]

    @property
    def leaver_users(self) -> list[User]:
        pupils = [*self.leavers, *self.open_accounts_of_earlier_leavers]
        return [p.user for p in pupils if p.user is not None and p.user.kind == Kind.PUPIL]


def _state(pupils: list[Pupil]) -> list[list[Any]]:
    return [
        [p.pk, p.upn, *(getattr(p, name) for name in _ROSTER_FIELDS), p.on_roll, p.user_id]
        + ([p.user.is_active, p.user.kind] if p.user is not None else [])
        for p in pupils
    ]


def _digest(file_sha256: str, state: list[list[Any]], plan: RosterPlan) -> str:
    outcome = {
        "add": [[p.upn, *(getattr(p, name) for name in _ROSTER_FIELDS)] for p in plan.added],
        "update": [[p.pk, *(getattr(p, name) for name in _ROSTER_FIELDS)] for p in plan.updated],
        "leave": [p.pk for p in plan.leavers],
        "close": [p.pk for p in plan.open_accounts_of_earlier_leavers],
    }
    canonical = json.dumps({"file": file_sha256, "state": state, "outcome": outcome}, default=str, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _plan(school: School, data: bytes, today: dt.date, *, lock: bool) -> RosterPlan:
    parsed: RosterFile = parse_roster(data, today=today)
    plan = RosterPlan(
        school=school,
        file_sha256=hashlib.sha256(data).hexdigest(),
        errors=parsed.errors,
        problems_by_line=parsed.problems_by_line(),
    )
    if parsed.errors:
        return plan
    query = Pupil.objects.filter(school=school).select_related("user").order_by("pk")
    if lock:
        query = query.select_for_update(of=("self",))
    pupils = list(query)
    state = _state(pupils)
    plan.on_roll_before = sum(1 for p in pupils if p.on_roll)
    existing = {p.upn: p for p in pupils}
    for row in parsed.rows:
        values = {name: getattr(row, name) for name in _ROSTER_FIELDS}
        pupil = existing.pop(row.upn, None)
        if pupil is None:
            plan.added.append(Pupil(school=school, upn=row.upn, **values))
        elif any(getattr(pupil, k) != v for k, v in values.items()) or not pupil.on_roll:
            if not pupil.on_roll and pupil.user is not None and not pupil.user.is_active:
                plan.returning_without_account.append(pupil)
            for key, value in values.items():
                setattr(pupil, key, value)
            plan.updated.append(pupil)
        else:
            plan.unchanged += 1
    for pupil in existing.values():
        if pupil.on_roll:
            plan.leavers.append(pupil)
        elif pupil.user is not None and pupil.user.is_active and pupil.user.kind == Kind.PUPIL:
            plan.open_accounts_of_earlier_leavers.append(pupil)
    plan.digest = _digest(plan.file_sha256, state, plan)
    return plan


def preview_roster_import(school: School, data: bytes, *, today: dt.date | None = None) -> RosterPlan:
    """What importing ``data`` would change, with every problem by line (3.1, 3.2). Writes nothing."""
    return _plan(school, data, today or timezone.localdate(), lock=False)


def confirm_roster_import(
    school: School, data: bytes, *, digest: str, by: User | None, today: dt.date | None = None
) -> RosterPlan:
    """Apply exactly the previewed plan, all or nothing, or raise ``RosterChanged``.

    Pupils who leave lose their account (sessions end at their next request) and every open place in the school's
    spaces (A.2.6, A.5.7), in the same transaction, each change audited. Two people confirming at once: the school row
    is locked, so the second works its plan out after the first has committed, finds a different digest and is told."""
    from custos.community.leavers import end_memberships_of_leavers

    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        plan = _plan(school, data, today or timezone.localdate(), lock=True)
        if not plan.ok or not hmac.compare_digest(plan.digest, digest):
            raise RosterChanged(
                "The pupil roster changed after your preview (someone else may have imported a file meanwhile). "
                "Nothing was imported: upload the file again to see what it would change now."
            )
        for pupil in plan.updated:
            pupil.on_roll = True
        for pupil in plan.leavers:
            pupil.on_roll = False
        Pupil.objects.bulk_create(plan.added, batch_size=500)
        Pupil.objects.bulk_update([*plan.updated, *plan.leavers], [*_ROSTER_FIELDS, "on_roll"], batch_size=500)
        closing = plan.accounts_to_close
        for user in closing:
            deactivate(user, by=by, reason=LEAVER_REASON)
        ended = end_memberships_of_leavers(plan.leaver_users, by=by, reason=LEAVER_REASON)
        record(
            by,
            "roster.imported",
            school,
            school_id=school.pk,
            changes={
                "file_sha256": plan.file_sha256,
                "added": len(plan.added),
                "updated": len(plan.updated),
                "unchanged": plan.unchanged,
                "left": len(plan.leavers),
                "accounts_closed": len(closing),
                "memberships_ended": len(ended),
                "returning_without_account": len(plan.returning_without_account),
            },
        )
    return plan


def import_roster(school: School, data: bytes, *, by: User | None, today: dt.date | None = None) -> RosterPlan:
    """Preview and apply in one call, for scripts that have already decided (the demo data). People import through
    the page, which shows the preview and applies it only when they confirm."""
    plan = preview_roster_import(school, data, today=today)
    if not plan.ok:
        return plan
    return confirm_roster_import(school, data, digest=plan.digest, by=by, today=today)


class RoleNotChanged(Exception):
    """The role was not assigned or ended; the message says why, plainly. Nothing changed."""


# Every school keeps at least one holder of these, with the clause that needs them: the Head and the ICT Manager
# approve every site (A.3.2), the DSL receives safeguarding concerns (A.2.3).
REQUIRED_ROLES = {Role.ICT_MANAGER: "A.3.2", Role.HEAD_OF_SCHOOL: "A.3.2", Role.DSL: "A.2.3"}


def _lock_school(school: School | None) -> None:
    """Role changes at one school queue behind each other, so a check (the last DSL, a duplicate) sees the change
    someone else has just committed: of two people at once, one wins and the other is told."""
    if school is not None:
        School.objects.select_for_update().filter(pk=school.pk).first()


def assign_role(
    user: User,
    role: str,
    *,
    school: School | None,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    by: Any,
) -> RoleAssignment:
    """Give ``user`` ``role`` at ``school`` (or across the Trust) from ``starts_on``. A privileged role needs the
    second factor from the person's next request (``two_factor.needs_second_factor`` asks every request)."""
    with transaction.atomic():
        _lock_school(school)
        overlapping = (
            RoleAssignment.objects.filter(user=user, role=role, school=school)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
            .filter(Q(starts_on__lte=ends_on) if ends_on else Q())
        )
        if overlapping.exists():
            where = school.name if school else "the Trust"
            raise RoleNotChanged(f"{user} is already {Role(role).label} at {where} then: nothing changed.")
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


def end_role(assignment: RoleAssignment, *, last_day: dt.date, by: Any) -> RoleAssignment:
    """End ``assignment`` after ``last_day`` (they hold it until the end of that day), audited. Refused when it
    would leave the school without an ICT Manager, a Head or a DSL (``REQUIRED_ROLES``)."""
    with transaction.atomic():
        _lock_school(assignment.school)
        current = RoleAssignment.objects.select_related("user", "school").filter(pk=assignment.pk).first()
        if current is None or (current.ends_on is not None and current.ends_on <= last_day):
            raise RoleNotChanged("That role had already ended (someone else may have just ended it): nothing changed.")
        if last_day < current.starts_on:
            raise RoleNotChanged(
                f"That role starts on {current.starts_on:%d/%m/%Y}: it cannot end before then. Nothing changed."
            )
        clause = REQUIRED_ROLES.get(Role(current.role))
        if clause and current.school is not None:
            day_after = last_day + dt.timedelta(days=1)
            others = (
                RoleAssignment.objects.filter(role=current.role, ends_on__isnull=True, starts_on__lte=day_after)
                .filter(Q(school=current.school) | Q(school__isnull=True))
                .filter(user__is_active=True)
                .exclude(pk=current.pk)
            )
            if not others.exists():
                label = current.get_role_display()
                raise RoleNotChanged(
                    f"{current.user} is the only {label} at {current.school.name} after {last_day:%d/%m/%Y}, and a "
                    f"school always keeps one ({clause}). Assign another {label} first, then end this role. "
                    "Nothing changed."
                )
        current.ends_on = last_day
        current.save(update_fields=["ends_on"])
        record(
            by,
            "role.ended",
            current,
            school_id=current.school_id,
            changes={"user": current.user_id, "role": current.role, "ends_on": last_day},
        )
    return current


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


def reopen_pupil_account(pupil: Pupil, *, by: User) -> User:
    """Let a pupil back on roll sign in again after their account was closed when they left (A.2.6, A.5.7).

    Only their account: places in the school's spaces are not given back, so they are vetted again when invited.
    The pupil row is locked as the roster import locks it, so an import marking them as left cannot slip in
    between the check and the change; two people reopening at once: the conditional UPDATE lets exactly one
    through, the other is told the account is already open."""
    with transaction.atomic():
        locked = Pupil.objects.select_for_update(of=("self",)).select_related("user").filter(pk=pupil.pk).first()
        if locked is None or locked.user is None or locked.user.kind != Kind.PUPIL:
            raise AccountNotReopened(f"{pupil.known_as} has no pupil account to reopen.")
        if not locked.on_roll:
            raise AccountNotReopened(
                f"{locked.known_as} is marked as left: import a roster that includes them first (A.5.7)."
            )
        reopened = User.objects.filter(pk=locked.user.pk, kind=Kind.PUPIL, is_active=False).update(is_active=True)
        if not reopened:
            raise AccountNotReopened(f"{locked.known_as}'s account is already open: nothing changed.")
        record(
            by,
            "account.reopened",
            locked.user,
            school_id=locked.school_id,
            changes={"pupil": locked.pk, "memberships_restored": False},
        )
    locked.user.is_active = True
    return locked.user
