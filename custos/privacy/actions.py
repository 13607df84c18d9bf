"""Every write for data-protection rights: atomic, audited in the same transaction, mail and tasks on commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import dateformat, timezone

from custos.accounts import access
from custos.accounts.models import Kind, Pupil, Role, RoleAssignment, User
from custos.audit.actions import record
from custos.mail.actions import queue_email
from custos.privacy.export import build_archive
from custos.privacy.models import (
    CORRECTION_TRANSITIONS,
    SAR_TRANSITIONS,
    CorrectableField,
    CorrectionRequest,
    CorrectionState,
    SarState,
    SubjectAccessRequest,
)
from custos.privacy.registry import Subject
from custos.privacy.retention import CLAUSE as RETENTION_CLAUSE
from custos.privacy.retention import archive_cutoff, archive_days
from custos.privacy.rules import subject_school
from custos.tasks.registry import enqueue


class PrivacyError(ValueError):
    """A refused request, with a reason a person can act on."""


# What each kind of person may ask to correct (UK GDPR Art. 16); pupils' legal names come from the MIS roster.
CORRECTABLE: dict[str, tuple[str, ...]] = {
    Kind.STAFF: (
        CorrectableField.FIRST_NAME,
        CorrectableField.LAST_NAME,
        CorrectableField.JOB_TITLE,
        CorrectableField.EMAIL,
    ),
    Kind.EXTERNAL: (CorrectableField.FIRST_NAME, CorrectableField.LAST_NAME, CorrectableField.EMAIL),
    Kind.PUPIL: (CorrectableField.PREFERRED_FIRST_NAME, CorrectableField.PREFERRED_LAST_NAME),
}
MAX_LENGTHS = {"first_name": 150, "last_name": 150, "job_title": 120, "email": 254}
PUPIL_FIELDS = frozenset({CorrectableField.PREFERRED_FIRST_NAME, CorrectableField.PREFERRED_LAST_NAME})


# --- Subject access (UK GDPR Art. 15) --------------------------------------------------------------------------


def subject_for(sar: SubjectAccessRequest) -> Subject:
    pupil = sar.subject_pupil
    user = sar.subject_user or (pupil.user if pupil is not None else None)
    if pupil is None and user is not None and user.kind == Kind.PUPIL:
        pupil = Pupil.objects.filter(user=user).first()
    return Subject(user=user, pupil=pupil)


def request_export(subject: User | Pupil, *, by: User, received_on: dt.date) -> SubjectAccessRequest:
    """Start gathering everything held about ``subject``; the archive is built by a background task."""
    if not access.can(by, "privacy.run_sar", subject):
        raise PrivacyError("You may not run a subject access request for this person.")
    today = timezone.localdate()
    if received_on > today:
        raise PrivacyError("The date the request was received cannot be in the future.")
    if received_on < today - dt.timedelta(days=366):
        raise PrivacyError("The date the request was received must be within the last year.")
    user = subject if isinstance(subject, User) else subject.user
    pupil = subject if isinstance(subject, Pupil) else None
    label = pupil.known_as if pupil is not None else str(subject)
    school = subject_school(subject)
    with transaction.atomic():
        sar = SubjectAccessRequest.objects.create(
            subject_user=user,
            subject_pupil=pupil,
            subject_label=label,
            school=school,
            received_on=received_on,
            requested_by=by,
        )
        record(
            by,
            "privacy.sar_requested",
            sar,
            changes={"subject": label, "received_on": received_on.isoformat()},
            school_id=school.pk if school else None,
        )
        from custos.privacy.tasks import generate_export

        enqueue(generate_export, sar_id=sar.pk)
    return sar


def generate(sar_id: int) -> bool:
    """Build the archive for a request still being gathered; a second run changes nothing (idempotent)."""
    sar = (
        SubjectAccessRequest.objects.select_related("subject_user", "subject_pupil", "requested_by")
        .filter(pk=sar_id, state=SarState.REQUESTED)
        .first()
    )
    if sar is None:
        return False
    assert SarState.READY in SAR_TRANSITIONS[sar.state]
    archive = build_archive(subject_for(sar), request_id=sar.pk, requested_by=str(sar.requested_by))
    with transaction.atomic():
        moved = SubjectAccessRequest.objects.filter(pk=sar.pk, state=SarState.REQUESTED).update(
            state=SarState.READY,
            archive=archive.data,
            archive_sha256=archive.sha256,
            archive_size=len(archive.data),
            sections=archive.sections,
            withheld=archive.withheld,
            generated_at=timezone.now(),
        )
        if not moved:
            return False
        record(
            None,
            "privacy.sar_generated",
            sar,
            changes={"sha256": archive.sha256, "withheld": len(archive.withheld)},
            school_id=sar.school_id,
        )
        queue_email(sar.requested_by, "privacy_sar_ready", {"sar": sar})
        safeguarding = [w for w in archive.withheld if "Sch. 3" in w["reason"]]
        if safeguarding and sar.school_id is not None:
            dsls = User.objects.filter(
                role_assignments__in=RoleAssignment.objects.current().filter(school_id=sar.school_id, role=Role.DSL),
                is_active=True,
            ).distinct()
            for dsl in dsls:
                queue_email(dsl, "privacy_sar_withheld", {"sar": sar, "count": len(safeguarding)})
    return True


def record_download(sar: SubjectAccessRequest, *, by: User) -> bytes:
    with transaction.atomic():
        moved = SubjectAccessRequest.objects.filter(pk=sar.pk, state=SarState.READY).update(
            downloads=F("downloads") + 1
        )
        if not moved:
            current = SubjectAccessRequest.objects.filter(pk=sar.pk).defer("archive").first()
            if current is not None and current.state == SarState.EXPIRED:
                raise PrivacyError(expired_message(current))
            raise PrivacyError("The archive is not ready yet.")
        record(by, "privacy.sar_downloaded", sar, changes={"sha256": sar.archive_sha256}, school_id=sar.school_id)
    return bytes(sar.archive or b"")


def expired_message(sar: SubjectAccessRequest) -> str:
    deleted = sar.archive_deleted_at
    when = f" on {dateformat.format(timezone.localtime(deleted), 'j F Y')}" if deleted else ""
    return (
        f"The archive was deleted{when}: archives are kept {archive_days()} days after they are gathered (policy "
        f"{RETENTION_CLAUSE}). If the person asks again, start a new request."
    )


def expire_archives(now: dt.datetime | None = None) -> int:
    """Delete archives gathered more than ``CUSTOS_SAR_ARCHIVE_DAYS`` ago (policy 3.2; UK GDPR Art. 5(1)(e)); return
    how many. The request stays — who ran it, for whom, when, the sections and counts, what was withheld and why, the
    archive's SHA-256 and downloads — with one audit event per archive deleted. A request whose archive is being
    downloaded at that moment: whichever commits first wins (conditional UPDATE on the state)."""
    now = now or timezone.now()
    days = archive_days()
    due = (
        SubjectAccessRequest.objects.filter(state=SarState.READY, generated_at__lt=archive_cutoff(now))
        .defer("archive")
        .order_by("pk")
    )
    deleted = 0
    for sar in due:
        assert SarState.EXPIRED in SAR_TRANSITIONS[sar.state]
        with transaction.atomic():
            moved = SubjectAccessRequest.objects.filter(pk=sar.pk, state=SarState.READY).update(
                state=SarState.EXPIRED, archive=None, archive_deleted_at=now
            )
            if not moved:
                continue
            record(
                None,
                "privacy.sar_archive_deleted",
                sar,
                changes={
                    "clause": RETENTION_CLAUSE,
                    "days": days,
                    "gathered_at": sar.generated_at.isoformat() if sar.generated_at else None,
                    "sha256": sar.archive_sha256,
                    "size": sar.archive_size,
                    "downloads": sar.downloads,
                },
                school_id=sar.school_id,
            )
        deleted += 1
    return deleted


# --- Correction (UK GDPR Art. 16) --------------------------------------------------------------------------------


def _current(person: User, field: str) -> str:
    if field in PUPIL_FIELDS:
        pupil = Pupil.objects.filter(user=person).first()
        return str(getattr(pupil, field, "") or "") if pupil else ""
    return str(getattr(person, field, "") or "")


def _clean(person: User, field: str, value: str) -> str:
    value = " ".join((value or "").split())
    label = CorrectableField(field).label.lower()
    if not value:
        raise PrivacyError(f"Enter the corrected {label}.")
    limit = MAX_LENGTHS.get(field, 100)
    if len(value) > limit:
        raise PrivacyError(f"The {label} must be {limit} characters or fewer.")
    if field == CorrectableField.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise PrivacyError("Enter an email address in the form name@example.org.") from None
        if User.objects.filter(email__iexact=value).exclude(pk=person.pk).exists():
            raise PrivacyError("That email address belongs to another account: ask the ICT Manager.")
    return value


def request_correction(person: User, *, field: str, value: str, reason: str = "") -> CorrectionRequest:
    if field not in CORRECTABLE.get(person.kind, ()):
        raise PrivacyError("That detail cannot be corrected here. Pupils' legal names come from the school's records.")
    if field in PUPIL_FIELDS and not Pupil.objects.filter(user=person).exists():
        raise PrivacyError("There is no pupil record linked to your account: ask the ICT Manager.")
    value = _clean(person, field, value)
    current = _current(person, field)
    if value == current:
        raise PrivacyError(f"Your {CorrectableField(field).label.lower()} is already “{value}”.")
    if CorrectionRequest.objects.filter(person=person, field=field, state=CorrectionState.PENDING).exists():
        raise PrivacyError("You have already asked to correct this; wait for that decision first.")
    with transaction.atomic():
        correction = CorrectionRequest.objects.create(
            person=person, field=field, current_value=current, requested_value=value, reason=reason.strip()
        )
        record(
            person,
            "privacy.correction_requested",
            correction,
            changes={field: [current, value]},
            school_id=getattr(subject_school(person), "pk", None),
        )
    return correction


def decide_correction(correction: CorrectionRequest, *, by: User, apply: bool, note: str = "") -> CorrectionRequest:
    """Apply or decline a correction. Two people deciding at once: the row is locked, the second is told."""
    person = correction.person
    if not access.can(by, "privacy.decide_correction", person):
        raise PrivacyError("You may not decide corrections for this person.")
    note = note.strip()
    if not apply and not note:
        raise PrivacyError("Say why the detail is not being corrected: the person is told.")
    with transaction.atomic():
        locked = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
        if locked.state != CorrectionState.PENDING:
            who = locked.decided_by or "someone else"
            raise PrivacyError(f"{who} has already decided this request ({locked.get_state_display().lower()}).")
        to = CorrectionState.APPLIED if apply else CorrectionState.DECLINED
        assert to in CORRECTION_TRANSITIONS[locked.state]
        changes: dict[str, Any] = {"decision": to}
        if apply:
            value = _clean(person, locked.field, locked.requested_value)
            before = _current(person, locked.field)
            _apply(person, locked.field, value)
            changes[locked.field] = [before, value]
        locked.state, locked.decided_by, locked.decided_at, locked.decision_note = to, by, timezone.now(), note
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        record(
            by,
            "privacy.correction_decided",
            person,
            changes=changes,
            school_id=getattr(subject_school(person), "pk", None),
        )
        queue_email(person, "privacy_correction_decided", {"correction": locked})
    return locked


def _apply(person: User, field: str, value: str) -> None:
    if field in PUPIL_FIELDS:
        pupil = Pupil.objects.select_for_update().get(user=person)
        setattr(pupil, field, value)
        pupil.save(update_fields=[field])
        person.first_name = pupil.preferred_first_name or pupil.legal_first_name
        person.last_name = pupil.preferred_last_name or pupil.legal_last_name
        person.save(update_fields=["first_name", "last_name"])
        return
    setattr(person, field, value)
    person.save(update_fields=[field])
