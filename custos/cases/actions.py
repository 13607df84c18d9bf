"""Every change to a case, one function each: atomic, audited in the same transaction, mail queued with it.

Other apps open cases through ``open_case`` only (see docs/cases.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from custos.accounts import access
from custos.accounts.models import Kind, Pupil, Role, RoleAssignment, School, Trust, User
from custos.audit.actions import record
from custos.cases import oncall
from custos.cases.business_time import (
    WEEKDAY_NAMES,
    SchoolDay,
    add_school_minutes,
    add_working_days,
    bank_holidays,
)
from custos.cases.models import (
    ALLOWED_TRANSITIONS,
    BankHolidays,
    Case,
    CaseSettings,
    CaseTarget,
    ClosedDay,
    Entry,
    EntryKind,
    Escalation,
    Evidence,
    SchoolHoliday,
    Source,
    Status,
    Tombstone,
)
from custos.cases.storage import private_evidence_storage
from custos.cases.types import AUTHORITIES, CASE_TYPES, Agency, CaseType, Outcome, Retention, TargetUnit, spec_for
from custos.mail.actions import queue_email
from custos.tasks.registry import enqueue

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
IMAGE_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM", b"II*\x00", b"MM\x00*")
SYSTEM = "Custos (automatic)"
# A reason why no referral was made is read later by someone checking the decision: "n/a" tells them nothing.
MIN_REASON_CHARS = 10


class CaseError(ValueError):
    """Bad input or a move the case cannot make; ``str()`` is the message to show, citing the clause.

    ``field`` names the form field the message is about, when there is one (the page shows it beside that field).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CaseConflict(CaseError):
    """Someone else changed the case first."""


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes
    content_type: str = ""


# --- targets and school time -------------------------------------------------------------------------------


def closed_days_for(trust: Trust, settings_row: CaseSettings | None = None) -> dict[dt.date, str]:
    """Every day the schools are closed, with what it is: bank holidays (the trust's part of the UK), school
    holidays and closed days from Case timings. Neither school-time targets nor school-hours cover run on them."""
    settings_row = settings_row or case_settings_for(trust)
    year = timezone.localdate().year
    closed = dict(bank_holidays(settings_row.bank_holidays, year - 1, year + 3))
    for holiday in SchoolHoliday.objects.filter(trust=trust):
        closed.update(dict.fromkeys(holiday.days(), holiday.label))
    closed.update(dict(ClosedDay.objects.filter(trust=trust).values_list("day", "label")))
    return closed


def school_day_for(trust: Trust) -> SchoolDay:
    settings_row = case_settings_for(trust)
    return settings_row.school_day(frozenset(closed_days_for(trust, settings_row)))


def target_for(trust: Trust, case_type: str) -> tuple[int, str]:
    row = CaseTarget.objects.filter(trust=trust, case_type=case_type).first()
    if row is not None:
        return row.amount, row.unit
    spec = spec_for(case_type)
    return spec.target, spec.target_unit


def add_target(moment: dt.datetime, amount: int, unit: str, day: SchoolDay) -> dt.datetime:
    if unit == TargetUnit.SCHOOL_MINUTES:
        return add_school_minutes(moment, amount, day)
    return add_working_days(moment, amount, day)


def set_target(trust: Trust, *, case_type: str, amount: int, unit: str, by: User) -> CaseTarget:
    access.require(by, "cases.configure", trust)
    if case_type not in CASE_TYPES:
        raise CaseError(f"There is no case type called {case_type!r}.")
    if amount < 1:
        raise CaseError("A target must be at least 1.")
    if unit not in TargetUnit.values:
        raise CaseError("Choose minutes of school time or working days.")
    with transaction.atomic():
        before = target_for(trust, case_type)
        row, _ = CaseTarget.objects.update_or_create(
            trust=trust, case_type=case_type, defaults={"amount": amount, "unit": unit}
        )
        record(by, "cases.target_changed", row, changes={"case_type": case_type, "from": before, "to": [amount, unit]})
    return row


# A closed day is a bank holiday or INSET day in this school year or the next few: anything further off is a typo.
CLOSED_DAY_PAST_LIMIT = dt.timedelta(days=365)
CLOSED_DAY_FUTURE_LIMIT = dt.timedelta(days=3 * 365)


def case_settings_for(trust: Trust) -> CaseSettings:
    """The trust's school day row, or the defaults (unsaved, version 0) if nobody has changed them yet."""
    return CaseSettings.objects.filter(trust=trust).first() or CaseSettings(trust=trust)


def _weekday_list(days: Iterable[int]) -> str:
    return ", ".join(WEEKDAY_NAMES[d] for d in days)


def set_school_day(
    trust: Trust,
    *,
    day_starts: dt.time,
    day_ends: dt.time,
    weekdays: Iterable[int],
    by: User,
    expected_version: int | None = None,
) -> CaseSettings:
    """Change the school day that school-time targets count in (A.2.3). Applies to cases opened from now on.

    ``expected_version`` is the version the person saw: if someone saved in between, nothing changes and
    ``CaseConflict`` says so (exactly one of two people saving at once wins).
    """
    access.require(by, "cases.configure", trust)
    days = sorted(set(weekdays))
    if day_ends <= day_starts:
        raise CaseError(
            f"The school day must end after it starts: {day_ends:%H:%M} is not later than {day_starts:%H:%M}.",
            field="day_ends",
        )
    if not days:
        raise CaseError("Choose at least one school day: the target clock needs days to run on.", field="weekdays")
    if any(d not in range(7) for d in days):
        raise CaseError("School days are Monday to Sunday.", field="weekdays")
    with transaction.atomic():
        row, _ = CaseSettings.objects.get_or_create(trust=trust)
        before = {"starts": row.day_starts, "ends": row.day_ends, "weekdays": row.weekday_numbers}
        scope = CaseSettings.objects.filter(pk=row.pk)
        if expected_version is not None:
            scope = scope.filter(version=expected_version)
        won = scope.update(
            day_starts=day_starts,
            day_ends=day_ends,
            weekdays=",".join(str(d) for d in days),
            version=F("version") + 1,
        )
        if not won:
            current = CaseSettings.objects.get(pk=row.pk)
            raise CaseConflict(
                "Someone else changed the school day while you were editing it, so your change was not saved. "
                f"It is now {current.day_starts:%H:%M} to {current.day_ends:%H:%M}, "
                f"{_weekday_list(current.weekday_numbers)}. Check it and save again if it still needs changing."
            )
        row.refresh_from_db()
        after = {"starts": day_starts, "ends": day_ends, "weekdays": days}
        record(by, "cases.school_day_changed", row, changes={"from": before, "to": after, "clause": "A.2.3"})
    return row


def add_closed_day(trust: Trust, *, day: dt.date, label: str, by: User) -> ClosedDay:
    """A bank holiday or INSET day: the target clock does not run on it (A.2.3). Audited with the change."""
    access.require(by, "cases.configure", trust)
    label = (label or "").strip()
    if not label:
        raise CaseError("Say what the day is, for example “Easter Monday” or “INSET day”.", field="label")
    if len(label) > 100:
        raise CaseError("Keep the name of the day to 100 characters.", field="label")
    today = timezone.localdate()
    if day < today - CLOSED_DAY_PAST_LIMIT:
        raise CaseError(
            f"{day:%d/%m/%Y} is more than a year ago: closed days only change targets for cases opened from now "
            "on. Check the year.",
            field="day",
        )
    if day > today + CLOSED_DAY_FUTURE_LIMIT:
        raise CaseError(
            f"{day:%d/%m/%Y} is more than three years ahead: add closed days for this school year and the next "
            "couple. Check the year.",
            field="day",
        )
    school_day = case_settings_for(trust).school_day()
    if day.weekday() not in school_day.weekdays:
        raise CaseError(
            f"{day:%d/%m/%Y} is a {WEEKDAY_NAMES[day.weekday()]}, which is not a school day anyway, so there is "
            "nothing to close. Check the date.",
            field="day",
        )
    try:
        with transaction.atomic():
            row = ClosedDay.objects.create(trust=trust, day=day, label=label)
            record(by, "cases.closed_day_added", row, changes={"day": day, "label": label, "clause": "A.2.3"})
    except IntegrityError:
        existing = ClosedDay.objects.filter(trust=trust, day=day).first()
        named = f" (“{existing.label}”)" if existing and existing.label else ""
        raise CaseError(f"{day:%d/%m/%Y} is already a closed day{named}.", field="day") from None
    return row


def remove_closed_day(trust: Trust, *, closed_day_id: int, by: User) -> None:
    """Take a closed day off the list; if someone removed it first, say so and change nothing."""
    access.require(by, "cases.configure", trust)
    with transaction.atomic():
        row = ClosedDay.objects.select_for_update().filter(trust=trust, pk=closed_day_id).first()
        if row is None:
            raise CaseConflict("That closed day was already removed (perhaps by someone else). Nothing changed.")
        record(by, "cases.closed_day_removed", row, changes={"day": row.day, "label": row.label, "clause": "A.2.3"})
        row.delete()


def add_school_holiday(trust: Trust, *, first_day: dt.date, last_day: dt.date, label: str, by: User) -> SchoolHoliday:
    """A school holiday between terms (half term, Easter): closed from ``first_day`` to ``last_day`` inclusive, so
    cover is out of hours all day and school-time targets wait for the next term (A.2.3). Audited."""
    access.require(by, "cases.configure", trust)
    label = (label or "").strip()
    if not label:
        raise CaseError("Say what the holiday is, for example “Easter holidays”.", field="label")
    if len(label) > 100:
        raise CaseError("Keep the name of the holiday to 100 characters.", field="label")
    if last_day < first_day:
        raise CaseError(
            f"The holiday must end on or after the day it starts: {last_day:%d/%m/%Y} is before {first_day:%d/%m/%Y}.",
            field="last_day",
        )
    if (last_day - first_day).days > 62:
        raise CaseError("A school holiday is at most about two months long. Check the dates.", field="last_day")
    today = timezone.localdate()
    if last_day < today - CLOSED_DAY_PAST_LIMIT or first_day > today + CLOSED_DAY_FUTURE_LIMIT:
        raise CaseError("Add holidays for this school year and the next couple. Check the year.", field="first_day")
    overlapping = SchoolHoliday.objects.filter(trust=trust, first_day__lte=last_day, last_day__gte=first_day).first()
    if overlapping is not None:
        raise CaseError(f"It overlaps {overlapping}. Change or remove that one first.", field="first_day")
    try:
        with transaction.atomic():
            row = SchoolHoliday.objects.create(trust=trust, first_day=first_day, last_day=last_day, label=label)
            record(
                by,
                "cases.school_holiday_added",
                row,
                changes={"first_day": first_day, "last_day": last_day, "label": label, "clause": "A.2.3"},
            )
    except IntegrityError:
        raise CaseError(f"A holiday already starts on {first_day:%d/%m/%Y}.", field="first_day") from None
    return row


def remove_school_holiday(trust: Trust, *, holiday_id: int, by: User) -> None:
    access.require(by, "cases.configure", trust)
    with transaction.atomic():
        row = SchoolHoliday.objects.select_for_update().filter(trust=trust, pk=holiday_id).first()
        if row is None:
            raise CaseConflict("That holiday was already removed (perhaps by someone else). Nothing changed.")
        record(
            by,
            "cases.school_holiday_removed",
            row,
            changes={"first_day": row.first_day, "last_day": row.last_day, "label": row.label, "clause": "A.2.3"},
        )
        row.delete()


ALERT_ACK_MINUTES_RANGE = range(1, 121)


def set_out_of_hours(trust: Trust, *, bank_holidays: str, alert_ack_minutes: int, by: User) -> CaseSettings:
    """Which UK bank holidays the schools close for, and how many minutes an urgent alert waits to be acknowledged
    before it goes to the next person (A.2.3). Audited with from/to."""
    access.require(by, "cases.configure", trust)
    if bank_holidays not in BankHolidays.values:
        raise CaseError("Choose which bank holidays the schools close for.", field="bank_holidays")
    if alert_ack_minutes not in ALERT_ACK_MINUTES_RANGE:
        raise CaseError(
            "An urgent alert must be acknowledged within 1 to 120 minutes: A.2.3 asks for action immediately.",
            field="alert_ack_minutes",
        )
    with transaction.atomic():
        row, _ = CaseSettings.objects.select_for_update().get_or_create(trust=trust)
        before = {"bank_holidays": row.bank_holidays, "alert_ack_minutes": row.alert_ack_minutes}
        CaseSettings.objects.filter(pk=row.pk).update(bank_holidays=bank_holidays, alert_ack_minutes=alert_ack_minutes)
        row.refresh_from_db()
        after = {"bank_holidays": bank_holidays, "alert_ack_minutes": alert_ack_minutes}
        record(by, "cases.out_of_hours_changed", row, changes={"from": before, "to": after, "clause": "A.2.3"})
    return row


# --- people ------------------------------------------------------------------------------------------------


def role_holders(school: School, roles: Iterable[str], *, excluding: Iterable[int] = ()) -> list[User]:
    """Active staff holding one of ``roles`` at ``school`` today (trust-wide roles included)."""
    user_ids = (
        RoleAssignment.objects.current()
        .filter(role__in=list(roles))
        .filter(Q(school=school) | Q(school__isnull=True))
        .values("user_id")
    )
    return list(
        User.objects.filter(pk__in=user_ids, is_active=True, kind=Kind.STAFF)
        .exclude(pk__in=list(excluding))
        .order_by("pk")
    )


def _any_head(school: School, users: Iterable[User]) -> bool:
    """Whether any of ``users`` holds the Head of School's role at ``school`` (KCSIE: then not the Head's case)."""
    ids = [u.pk for u in users]
    return (
        bool(ids)
        and RoleAssignment.objects.current().filter(user_id__in=ids, role=Role.HEAD_OF_SCHOOL, school=school).exists()
    )


def _label(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if getattr(user, "pk", None) else SYSTEM


def _case_url(case: Case) -> str:
    return settings.SITE_URL + reverse("cases:case", args=[case.reference])


def _entry(case: Case, by: Any, kind: str, text: str = "", **extra: Any) -> Entry:
    return Entry.objects.create(
        case=case, by=by if getattr(by, "pk", None) else None, by_label=_label(by), kind=kind, text=text, **extra
    )


# --- opening -----------------------------------------------------------------------------------------------


def _incoming(files: Iterable[Any]) -> list[IncomingFile]:
    incoming = []
    for item in files:
        if isinstance(item, IncomingFile):
            incoming.append(item)
        elif isinstance(item, tuple):
            incoming.append(IncomingFile(*item))
        else:  # an UploadedFile: refuse an oversized one before reading it into memory
            if (getattr(item, "size", 0) or 0) > MAX_EVIDENCE_BYTES:
                raise CaseError(f"“{item.name}” is larger than 20 MB. Keep the original and describe where it is.")
            item.seek(0)
            incoming.append(IncomingFile(item.name or "upload", item.read(), getattr(item, "content_type", "") or ""))
    for item in incoming:
        if len(item.content) > MAX_EVIDENCE_BYTES:
            raise CaseError(f"“{item.name}” is larger than 20 MB. Keep the original and describe where it is.")
        if not item.content:
            raise CaseError(f"“{item.name}” is empty.")
    return incoming


def looks_like_image_or_video(item: IncomingFile) -> bool:
    declared = item.content_type.lower()
    name = item.name.lower()
    return (
        declared.startswith(("image/", "video/"))
        or item.content.startswith(IMAGE_SIGNATURES)
        or item.content[4:8] == b"ftyp"
        or name.endswith((".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".bmp", ".tif", ".tiff", ".mp4", ".mov"))
    )


def _should_quarantine(case: Case, item: IncomingFile) -> bool:
    # Every file on an illegal-content case (A.5.6): a video, archive or document may hold imagery too.
    # Images and video on a safeguarding concern: "sharing nudes" is reported as a safeguarding concern (A.2.3).
    if case.case_type == CaseType.ILLEGAL_CONTENT:
        return True
    return case.case_type == CaseType.SAFEGUARDING and looks_like_image_or_video(item)


def _store_evidence(case: Case, by: Any, text: str | None, files: list[IncomingFile]) -> list[Evidence]:
    stored = []
    if text:
        stored.append(
            Evidence.objects.create(
                case=case,
                added_by_label=_label(by),
                text=text,
                size=len(text.encode("utf-8")),
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            )
        )
    for item in files:
        digest = hashlib.sha256(item.content).hexdigest()
        evidence = Evidence(
            case=case,
            added_by_label=_label(by),
            original_name=item.name[:255],
            declared_type=item.content_type[:100],
            size=len(item.content),
            sha256=digest,
            quarantined=_should_quarantine(case, item),
        )
        evidence.file.save(digest, ContentFile(item.content), save=False)
        evidence.save()
        stored.append(evidence)
    return stored


def open_case(
    *,
    case_type: str,
    school: School,
    reported_by: User | None,
    summary: str,
    evidence_text: str | None = None,
    evidence_files: Iterable[Any] = (),
    linked_pupils: Iterable[Pupil] = (),
    linked_users: Iterable[User] = (),
    linked_site: Any = None,
    linked_content: str = "",
    details: dict[str, Any] | None = None,
    source: str = Source.API,
    source_ref: str = "",
    against_head: bool = False,
    at_risk_now: bool = False,
) -> Case:
    """Record a case, route it to its owners (email and 'Waiting for me') and start its target clock.

    Runs inside the caller's transaction (or its own). ``linked_site`` is a custos_sites Site (or anything with
    ``pk`` and ``str()``). A concern ``at_risk_now``, or one whose screening ``findings`` (in ``details``) hold an
    ``escalate``, alerts the person on call at once on the wall clock (``cases.oncall``). An allegation
    ``against_head`` (or linking a user who is the school's Head) goes to the Executive Headteacher instead of the
    Head (KCSIE). Raises ``CaseError`` on bad input, changing nothing.
    """
    if case_type not in CASE_TYPES:
        raise CaseError(f"There is no case type called {case_type!r}.")
    if source not in Source.values:
        raise CaseError(f"Unknown source {source!r}.")
    summary = (summary or "").strip()
    if not summary:
        raise CaseError("Say what happened: a case needs a summary.")
    pupils = list(linked_pupils)
    if any(p.school_id != school.pk for p in pupils):
        raise CaseError("Linked pupils must be on the roll of the school the case belongs to.")
    files = _incoming(evidence_files)
    subjects = list(linked_users)
    against_head = case_type == CaseType.ALLEGATION and (against_head or _any_head(school, subjects))
    spec = spec_for(case_type, against_head=against_head)
    now = timezone.now()
    amount, unit = target_for(school.trust, case_type)
    day = school_day_for(school.trust)
    alert_reason = oncall.immediate_risk_reason(at_risk_now=at_risk_now, details=details)
    ack_minutes = case_settings_for(school.trust).alert_ack_minutes
    # A.2.3 "immediately": at immediate risk the clock is the wall clock, not school time.
    due_at = now + dt.timedelta(minutes=ack_minutes) if alert_reason else add_target(now, amount, unit, day)
    with transaction.atomic():
        case = Case.objects.create(
            reference=f"pending-{uuid.uuid4().hex[:12]}",
            school=school,
            case_type=case_type,
            summary=summary,
            details=details or {},
            source=source,
            source_ref=source_ref[:200],
            reported_by=reported_by,
            reporter_label=_label(reported_by),
            opened_at=now,
            due_at=due_at,
            immediate_risk=bool(alert_reason),
            against_head=against_head,
            referral_due_at=(
                add_working_days(now, spec.referral_target_days, day) if spec.referral_target_days else None
            ),
            linked_site_id=getattr(linked_site, "pk", None),
            linked_site_label=str(linked_site)[:200] if linked_site is not None else "",
            linked_content=linked_content,
        )
        case.reference = f"{spec.prefix}-{case.pk:06d}"
        case.save(update_fields=["reference"])
        if pupils:
            case.linked_pupils.set(pupils)
        if subjects:
            case.linked_users.set(subjects)
        _store_evidence(case, reported_by, evidence_text, files)
        _entry(case, reported_by, EntryKind.OPENED, f"Opened from {Source(source).label.lower()} ({spec.clause}).")
        owners = role_holders(school, spec.owners, excluding=[u.pk for u in subjects])
        record(
            reported_by,
            "cases.opened",
            case,
            changes={
                "type": case_type,
                "clause": spec.clause,
                "source": source,
                "routed_to": [u.pk for u in owners],
                "against_head": against_head,
                "immediate_risk": alert_reason,
            },
        )
        for owner in owners:
            queue_email(owner, "case_opened", {"case": case, "spec": spec, "link": _case_url(case)})
        if reported_by is not None:
            queue_email(reported_by, "case_received", {"case": case, "spec": spec})
        if alert_reason:
            oncall.raise_alert(case, reason=alert_reason, ack_minutes=ack_minutes)
        else:
            from custos.cases.tasks import cases_escalation_tick

            enqueue(cases_escalation_tick, delay=max(case.due_at - now, dt.timedelta()) + dt.timedelta(seconds=1))
    return case


# --- working a case ----------------------------------------------------------------------------------------


def _locked(case: Case, by: Any, *, perm: str = "cases.work_case", allow_closed: bool = False) -> Case:
    """Lock the case row for this transaction; refuse people without ``perm`` and changes to closed cases."""
    access.require(by, perm, case)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.is_closed and not allow_closed:
        raise CaseConflict(f"{case.reference} is closed, so it can no longer be changed. Reopen it first.")
    return locked


def _move(case: Case, to: str, **fields: Any) -> None:
    """Change status with a conditional UPDATE: if someone moved it first, say so and change nothing."""
    if to not in ALLOWED_TRANSITIONS[case.status]:
        raise CaseConflict(
            f"{case.reference} is {Status(case.status).label.lower()}; it cannot become {Status(to).label.lower()}."
        )
    won = Case.objects.filter(pk=case.pk, status=case.status).update(status=to, **fields)
    if not won:
        raise CaseConflict(f"Someone else changed {case.reference} at the same moment. Reload it and check.")
    case.status = to
    for name, value in fields.items():
        setattr(case, name, value)


def acknowledge(case: Case, *, by: User) -> Case:
    with transaction.atomic():
        locked = _locked(case, by)
        if locked.status != Status.NEW:
            raise CaseConflict(f"{case.reference} was already acknowledged by {locked.acknowledged_by or 'someone'}.")
        now = timezone.now()
        _move(locked, Status.OPEN, acknowledged_at=now, acknowledged_by=by, assigned_to=locked.assigned_to or by)
        oncall.stop_alert_for(locked, by=by, at=now)
        _entry(locked, by, EntryKind.ACKNOWLEDGED, "Acknowledged" + (" late." if now > locked.due_at else " in time."))
        record(by, "cases.acknowledged", locked, changes={"late": now > locked.due_at})
    return locked


def add_entry(case: Case, *, by: User, kind: str, text: str) -> Entry:
    if kind not in (EntryKind.NOTE, EntryKind.ACTION, EntryKind.DECISION):
        raise CaseError("Choose note, action or decision.")
    text = text.strip()
    if not text:
        raise CaseError("Write what was done or decided.")
    with transaction.atomic():
        locked = _locked(case, by)
        entry = _entry(locked, by, kind, text)
        record(by, f"cases.{kind}_added", locked, changes={"entry": entry.pk})
    return entry


def record_referral(
    case: Case, *, by: User, agency: str, reference: str, referred_on: dt.date, referred_by: str = "", text: str = ""
) -> Entry:
    """An external referral (Police or CEOP for A.5.6, LADO for allegations, social care for A.2.3)."""
    if agency not in Agency.values:
        raise CaseError("Choose the agency the case was referred to.")
    if referred_on > timezone.localdate():
        raise CaseError("The referral date cannot be in the future.")
    if referred_on < timezone.localtime(case.opened_at).date():
        raise CaseError("The referral date cannot be before the case was opened.")
    with transaction.atomic():
        locked = _locked(case, by)
        entry = _entry(
            locked,
            by,
            EntryKind.REFERRAL,
            text.strip(),
            agency=agency,
            agency_reference=reference.strip()[:100],
            referred_on=referred_on,
            referred_by_label=referred_by.strip()[:200] or _label(by),
        )
        record(by, "cases.referral_recorded", locked, changes={"agency": agency, "referred_on": referred_on})
    return entry


def assign(case: Case, *, by: User, to: User) -> Case:
    with transaction.atomic():
        locked = _locked(case, by)
        if not access.can(to, "cases.work_case", locked):
            raise CaseError(f"{to} cannot work this kind of case, so it cannot be assigned to them.")
        before = locked.assigned_to_id
        locked.assigned_to = to
        locked.save(update_fields=["assigned_to"])
        _entry(locked, by, EntryKind.ASSIGNED, f"Assigned to {to}.")
        record(by, "cases.assigned", locked, changes={"assigned_to": [before, to.pk]})
        queue_email(to, "case_assigned", {"case": locked, "spec": locked.spec, "link": _case_url(locked)})
    return locked


def link(
    case: Case,
    *,
    by: User,
    pupils: Iterable[Pupil] = (),
    users: Iterable[User] = (),
    content: str = "",
    site: Any = None,
) -> Case:
    pupils, users = list(pupils), list(users)
    if any(p.school_id != case.school_id for p in pupils):
        raise CaseError("Linked pupils must be on the roll of the case's school.")
    if by in users:
        raise CaseError("You cannot link yourself to a case: ask a colleague who can work it.")
    with transaction.atomic():
        locked = _locked(case, by)
        locked.linked_pupils.add(*pupils)
        locked.linked_users.add(*users)
        fields = []
        if content.strip():
            locked.linked_content = (locked.linked_content + "\n" + content.strip()).strip()
            fields.append("linked_content")
        if site is not None:
            locked.linked_site_id, locked.linked_site_label = site.pk, str(site)[:200]
            fields += ["linked_site_id", "linked_site_label"]
        rerouted = (
            locked.case_type == CaseType.ALLEGATION and not locked.against_head and _any_head(locked.school, users)
        )
        if rerouted:
            locked.against_head = True
            fields.append("against_head")
        if fields:
            locked.save(update_fields=fields)
        named = [p.known_as for p in pupils] + [str(u) for u in users] + ([str(site)] if site is not None else [])
        _entry(locked, by, EntryKind.LINKED, "Linked: " + (", ".join(named) or "content") + ".")
        record(by, "cases.linked", locked, changes={"pupils": [p.pk for p in pupils], "users": [u.pk for u in users]})
        if rerouted:
            _route_to_executive_head(locked, by)
    return locked


def _route_to_executive_head(case: Case, by: User) -> None:
    """The allegation turned out to be about the Head: it is now the Executive Headteacher's (KCSIE, A.2.3)."""
    subjects = list(case.linked_users.values_list("pk", flat=True))
    owners = role_holders(case.school, case.spec.owners, excluding=subjects)
    _entry(
        case,
        by,
        EntryKind.ASSIGNED,
        "The allegation is about the Head of School, so it is now dealt with by the Executive Headteacher ("
        + (", ".join(str(o) for o in owners) or "nobody holds that role")
        + "); the Head cannot see it (KCSIE).",
    )
    if case.assigned_to_id is not None and case.assigned_to_id in subjects:
        Case.objects.filter(pk=case.pk).update(assigned_to=None)
        case.assigned_to = None
    record(by, "cases.rerouted", case, changes={"against_head": True, "routed_to": [o.pk for o in owners]})
    for owner in owners:
        queue_email(owner, "case_opened", {"case": case, "spec": case.spec, "link": _case_url(case)})


def add_evidence(case: Case, *, by: User, text: str = "", files: Iterable[Any] = ()) -> list[Evidence]:
    incoming = _incoming(files)
    if not text.strip() and not incoming:
        raise CaseError("Add some text or a file.")
    with transaction.atomic():
        locked = _locked(case, by)
        stored = _store_evidence(locked, by, text or None, incoming)
        _entry(locked, by, EntryKind.EVIDENCE, f"{len(stored)} item(s) of evidence added.")
        record(by, "cases.evidence_added", locked, changes={"evidence": [e.pk for e in stored]})
    return stored


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retention_date(case: Case, closed_on: dt.date) -> dt.date:
    rule = case.spec.retention
    if rule == Retention.CHILD_DOB_PLUS_25:
        births = [p.date_of_birth for p in case.linked_pupils.all()]
        # No child linked: keep for 25 years from closure, the longest a child-protection record may need.
        return _years_after(max(births), 25) if births else _years_after(closed_on, 25)
    if rule == Retention.OPENED_PLUS_10:
        if case.outcome == Outcome.MALICIOUS:
            return closed_on  # KCSIE: malicious allegations are removed; review at once
        return _years_after(timezone.localtime(case.opened_at).date(), 10)
    if rule == Retention.CLOSED_PLUS_1:
        return _years_after(closed_on, 1)
    return _years_after(closed_on, 6)


def _check_outcome(case: Case, outcome: str) -> None:
    """Each case type closes only with the outcomes ``types.CASE_TYPES`` lists for it."""
    spec = case.spec
    if not outcome:
        raise CaseError("Choose the outcome.", field="outcome")
    if outcome not in spec.outcomes:
        named = f"“{Outcome(outcome).label}”" if outcome in Outcome.values else f"{outcome!r}"
        offered = "; ".join(f"“{label}”" for _, label in spec.outcome_choices)
        kind = spec.label.lower()
        article = "an" if kind[0] in "aeiou" else "a"
        raise CaseError(
            f"{named} is not an outcome for {article} {kind} ({spec.clause}). Choose one of: {offered}.",
            field="outcome",
        )


def _check_referral(case: Case, outcome: str, no_referral_reason: str) -> bool:
    """A.2.3, A.5.6: the referral the type needs is in the chronology, or the closer says why none was made; and
    "Referred to an external agency" only once a referral to an authority has been recorded. True when the case
    closes on the reason instead of the referral."""
    spec = case.spec
    referrals = case.entries.filter(kind=EntryKind.REFERRAL)
    if outcome == Outcome.REFERRED and not referrals.filter(agency__in=AUTHORITIES).exists():
        raise CaseError(
            f"The outcome says the case was referred, but no referral is recorded ({spec.clause}). Record the "
            "referral first (agency, date and their reference), or choose another outcome.",
            field="outcome",
        )
    if not spec.required_referral or referrals.filter(agency__in=spec.required_referral).exists():
        return False
    if not no_referral_reason:
        platform_only = (
            " Telling the platform is not a referral to an authority."
            if referrals.filter(agency=Agency.PLATFORM).exists()
            else ""
        )
        raise CaseError(
            f"Record the referral to {spec.referral_words} before closing ({spec.clause}), or say why no "
            f"referral was made.{platform_only}",
            field="no_referral_reason",
        )
    if len(no_referral_reason) < MIN_REASON_CHARS:
        raise CaseError(
            f"Say in a few words why no referral to {spec.referral_words} was made ({spec.clause}): "
            f"“{no_referral_reason}” does not say why.",
            field="no_referral_reason",
        )
    return True


def _closing_words(case: Case, by: User) -> str:
    """Said plainly in the chronology when someone closes a case nobody had acknowledged or that was not theirs."""
    if case.status == Status.NEW:
        assigned = f"assigned to {case.assigned_to}" if case.assigned_to_id else "not assigned to anyone"
        return f" {_label(by)} closed it without it having been acknowledged first; it was {assigned}."
    if case.assigned_to_id is None:
        return f" {_label(by)} closed it; it was not assigned to anyone."
    if case.assigned_to_id != by.pk:
        return f" {_label(by)} closed it; it was assigned to {case.assigned_to}."
    return ""


def close_case(case: Case, *, by: User, outcome: str, notes: str, no_referral_reason: str = "") -> Case:
    """Close with one of the type's outcomes (``types.CASE_TYPES``), after its required referral or a reason why
    none was made (A.2.3, A.5.6). A case nobody acknowledged may be closed by whoever may work it: the chronology
    says so. Raises ``CaseError`` naming the field, changing nothing."""
    notes, no_referral_reason = notes.strip(), no_referral_reason.strip()
    with transaction.atomic():
        locked = _locked(case, by)
        _check_outcome(locked, outcome)
        if not notes:
            raise CaseError("Say how the case was dealt with before closing it.", field="notes")
        on_reason = _check_referral(locked, outcome, no_referral_reason)
        spec = locked.spec
        was = {"status": locked.status, "assigned_to": locked.assigned_to_id}
        words = _closing_words(locked, by)
        now = timezone.now()
        locked.outcome = outcome
        _move(
            locked,
            Status.CLOSED,
            closed_at=now,
            closed_by=by,
            outcome=outcome,
            outcome_notes=notes,
            no_referral_reason=no_referral_reason,
            retain_until=retention_date(locked, timezone.localtime(now).date()),
            acknowledged_at=locked.acknowledged_at or now,
            acknowledged_by=locked.acknowledged_by or by,
        )
        text = f"Closed: {Outcome(outcome).label}.{words} {notes}"
        if on_reason:
            text += f"\nNo referral to {spec.referral_words} ({spec.clause}) because: {no_referral_reason}"
        _entry(locked, by, EntryKind.CLOSED, text)
        record(
            by,
            "cases.closed",
            locked,
            changes={
                "outcome": outcome,
                "retain_until": locked.retain_until,
                "was": was,
                "closed_without_required_referral": on_reason,
                "clause": spec.clause,
            },
        )
        if locked.reported_by is not None and locked.reported_by.is_active:
            queue_email(locked.reported_by, "case_dealt_with", {"case": locked, "spec": spec})
    return locked


def reopen_case(case: Case, *, by: User, reason: str) -> Case:
    if not reason.strip():
        raise CaseError("Say why the case is being reopened.")
    with transaction.atomic():
        locked = _locked(case, by, allow_closed=True)
        _move(locked, Status.OPEN, closed_at=None, closed_by=None, retain_until=None)
        _entry(locked, by, EntryKind.REOPENED, reason.strip())
        record(by, "cases.reopened", locked, changes={"previous_outcome": locked.outcome})
    return locked


# --- seeing a case -----------------------------------------------------------------------------------------


def record_view(case: Case, *, by: User, reason: str = "") -> None:
    """Every opening of a case goes in the audit log; anyone but an owner must have given a reason (A.2.3)."""
    access.require(by, "cases.view_case", case)
    is_owner = access.can(by, "cases.view_without_reason", case)
    if not is_owner and not reason.strip():
        raise CaseError("Say why you need to open this case.")
    with transaction.atomic():
        record(by, "cases.viewed", case, changes={"reason": reason.strip(), "as_owner": is_owner})


def record_chronology_view(pupil: Pupil, *, by: User, reason: str) -> None:
    """Every opening of a pupil's chronology goes in the audit log with the reason given (A.2.3)."""
    access.require(by, "cases.view_chronology", pupil)
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise CaseError("Say in a few words why you need this pupil's whole chronology.", field="reason")
    with transaction.atomic():
        record(by, "cases.chronology_viewed", pupil, changes={"pupil": pupil.pk, "reason": reason.strip()})


def open_quarantined(evidence: Evidence, *, by: User, reason: str) -> bytes:
    """The bytes of quarantined evidence, for the DSL only, with a recorded reason (A.5.6)."""
    if not access.can(by, "cases.open_quarantined", evidence.case):
        raise PermissionDenied
    if len(reason.strip()) < 10:
        raise CaseError("Give a reason for opening quarantined evidence (at least a few words).")
    with transaction.atomic():
        _entry(evidence.case, by, EntryKind.QUARANTINE_OPENED, reason.strip())
        record(by, "cases.quarantine_opened", evidence.case, changes={"evidence": evidence.pk, "reason": reason})
    return evidence.stored_bytes()


def record_download(evidence: Evidence, *, by: User) -> bytes:
    if evidence.quarantined:
        raise PermissionDenied
    access.require(by, "cases.view_case", evidence.case)
    with transaction.atomic():
        record(by, "cases.evidence_downloaded", evidence.case, changes={"evidence": evidence.pk})
    return evidence.stored_bytes()


# --- escalation (A.2.3: "immediately") ---------------------------------------------------------------------


def step_times(case: Case, day: SchoolDay) -> list[dt.datetime]:
    amount, unit = target_for(case.school.trust, case.case_type)
    times, moment = [], case.due_at
    for _ in case.spec.escalation:
        times.append(moment)
        moment = add_target(moment, amount, unit, day)
    return times


def escalate_overdue(now: dt.datetime | None = None) -> list[Escalation]:
    """Send each unacknowledged case's due escalation steps, each step once however often this runs."""
    now = now or timezone.now()
    done: list[Escalation] = []
    days: dict[int, SchoolDay] = {}
    # Cases at immediate risk climb their own wall-clock ladder (``cases.oncall``) instead.
    overdue = Case.objects.filter(status=Status.NEW, due_at__lte=now, immediate_risk=False).select_related(
        "school__trust"
    )
    for case in overdue:
        day = days.setdefault(case.school.trust_id, school_day_for(case.school.trust))
        times = step_times(case, day)
        for step, at in enumerate(times, start=1):
            if at > now:
                from custos.cases.tasks import cases_escalation_tick

                with transaction.atomic():
                    enqueue(cases_escalation_tick, delay=at - now + dt.timedelta(seconds=1))
                break
            escalation = _escalate(case, step)
            if escalation is not None:
                done.append(escalation)
    return done


def _escalate(case: Case, step: int) -> Escalation | None:
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status != Status.NEW or Escalation.objects.filter(case=locked, step=step).exists():
            return None
        roles = locked.spec.escalation[step - 1]
        subjects = list(locked.linked_users.values_list("pk", flat=True))
        people = role_holders(locked.school, roles, excluding=subjects)
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(case=locked, step=step)
        except IntegrityError:
            return None
        escalation.notified.set(people)
        Case.objects.filter(pk=locked.pk).update(escalation_level=Greatest("escalation_level", step))
        _entry(
            locked,
            None,
            EntryKind.ESCALATED,
            f"Not acknowledged in time: escalated (step {step}) to "
            + (", ".join(str(p) for p in people) or "nobody holding that role")
            + ".",
        )
        record(None, "cases.escalated", locked, changes={"step": step, "notified": [p.pk for p in people]})
        for person in people:
            may_open = access.can(person, "cases.view_case", locked)
            queue_email(
                person,
                "case_escalated",
                {
                    "case": locked,
                    "spec": locked.spec,
                    "step": step,
                    "may_open": may_open,
                    "link": _case_url(locked) if may_open else settings.SITE_URL + reverse("cases:home"),
                },
            )
    return escalation


def dismiss_escalation(escalation: Escalation, *, by: User) -> None:
    if not escalation.notified.filter(pk=by.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        escalation.dismissed_by.add(by)
        record(by, "cases.escalation_seen", escalation.case, changes={"step": escalation.step})


# --- retention ---------------------------------------------------------------------------------------------


def _delete_files(names: list[str]) -> None:
    for name in names:
        private_evidence_storage.delete(name)


def confirm_deletion(case: Case, *, by: User, reason: str) -> Tombstone:
    """Delete a closed case whose retention has ended, leaving a tombstone; only a person may do this."""
    if not reason.strip():
        raise CaseError("Say why the record may now be deleted (for example, the retention review you did).")
    with transaction.atomic():
        locked = _locked(case, by, perm="cases.confirm_deletion", allow_closed=True)
        if not locked.is_closed:
            raise CaseError(f"{case.reference} is not closed: only closed cases can be deleted.")
        if locked.retain_until is None or locked.retain_until > timezone.localdate():
            raise CaseError(f"{case.reference} must be kept until {locked.retain_until:%d/%m/%Y}.")
        tombstone = Tombstone.objects.create(
            school=locked.school,
            reference=locked.reference,
            case_type=locked.case_type,
            opened_at=locked.opened_at,
            closed_at=locked.closed_at,
            retain_until=locked.retain_until,
            retention_rule=locked.spec.retention,
            confirmed_by=by,
            confirmed_by_label=_label(by),
            reason=reason.strip(),
        )
        files = [e.file.name for e in locked.evidence.all() if e.file]
        record(by, "cases.deleted", locked, changes={"tombstone": tombstone.pk, "type": locked.case_type})
        locked.delete()
        transaction.on_commit(lambda: _delete_files(files))
    return tombstone
