from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from custos.accounts.models import Kind, School, User
from custos.audit.actions import record
from custos.mail.actions import queue_email
from custos.policy.models import (
    REVIEW_TRANSITIONS,
    Acknowledgement,
    Clause,
    ConsultationNote,
    PolicyReview,
    PolicyVersion,
    ReviewState,
)
from custos.policy.parser import parse_policy

DEFAULT_POLICY = Path(__file__).resolve().parent / "data" / "social-media-policy.md"


def import_policy(markdown: str, *, label: str, by: Any, make_current: bool = True) -> tuple[PolicyVersion, bool]:
    """Import a policy version; the same text imported again returns the existing version (idempotent)."""
    parsed = parse_policy(markdown)  # raises PolicyFormatError before anything is written
    digest = hashlib.sha256(markdown.encode("utf-8")).hexdigest()
    with transaction.atomic():
        existing = PolicyVersion.objects.filter(sha256=digest).first()
        if existing is not None:
            return existing, False
        if PolicyVersion.objects.filter(label=label).exists():
            raise ValueError(f"A different policy is already imported as version {label}.")
        if make_current:
            PolicyVersion.objects.filter(is_current=True).update(is_current=False)
        version = PolicyVersion.objects.create(
            title=parsed.title or "Social Media Policy",
            label=label,
            source=markdown,
            sha256=digest,
            is_current=make_current,
            form={
                "title": parsed.form_title,
                "intro": parsed.form_intro,
                "sections": [dataclasses.asdict(s) for s in parsed.form_sections],
            },
        )
        Clause.objects.bulk_create(
            Clause(
                version=version,
                number=c.number,
                section=c.section,
                section_title=c.section_title,
                text=c.text,
                position=i,
            )
            for i, c in enumerate(parsed.clauses)
        )
        record(by, "policy.imported", version, changes={"label": label, "clauses": len(parsed.clauses)})
    return version, True


def current_version() -> PolicyVersion | None:
    return PolicyVersion.objects.filter(is_current=True).first()


# --- Acknowledgement (sections 5 and 6: every staff member knows the policy) -----------------------------------


class PolicyActionError(Exception):
    """A policy action refused, with the reason a person can act on."""


def acknowledge(user: Any, version: PolicyVersion) -> Acknowledgement:
    """Record that ``user`` has read ``version`` (once; confirming again changes nothing)."""
    if getattr(user, "kind", None) != Kind.STAFF:
        raise PolicyActionError("Only staff members (clause 2.1) confirm they have read the policy.")
    if not PolicyVersion.objects.filter(pk=version.pk, is_current=True).exists():
        raise PolicyActionError(
            f"Version {version.label} is no longer the policy in force: please read the current version."
        )
    with transaction.atomic():
        ack, created = Acknowledgement.objects.get_or_create(user=user, version=version)
        if created:
            record(
                user,
                "policy.acknowledged",
                ack,
                changes={"version": version.label, "clauses": ["5.1", "6.1"]},
                school_id=user.school_id,
            )
    return ack


def send_acknowledgement_reminders(school: School, *, by: Any) -> int:
    """Email every member of staff at ``school`` who has not yet confirmed the version in force."""
    from custos.policy.queries import acknowledgement_rows

    version = current_version()
    if version is None:
        raise PolicyActionError("No policy has been imported yet, so there is nothing to acknowledge.")
    with transaction.atomic():
        waiting = [row.user for row in acknowledgement_rows(school, version) if row.acknowledged_at is None]
        for person in waiting:
            queue_email(
                person,
                "policy_acknowledgement_reminder",
                {"version": version, "school": school, "link": settings.SITE_URL + reverse("policy_acknowledge")},
            )
        record(
            by,
            "policy.acknowledgement_reminders_sent",
            school,
            changes={"version": version.label, "reminded": len(waiting)},
            school_id=school.pk,
        )
    return len(waiting)


# --- Review (10.1): HR reviews the policy with the unions and publishes a new version -------------------------


def _check_transition(review: PolicyReview, to: str) -> None:
    if to not in REVIEW_TRANSITIONS[review.state]:
        raise PolicyActionError(
            f"This review is {review.get_state_display().lower()}: it cannot become "
            f"{ReviewState(to).label.lower()} (10.1)."
        )


def _move(review: PolicyReview, to: str, **fields: Any) -> None:
    """Move ``review`` to state ``to`` if nobody else moved it first (conditional UPDATE)."""
    _check_transition(review, to)
    won = PolicyReview.objects.filter(pk=review.pk, state=review.state).update(state=to, **fields)
    if not won:
        raise PolicyActionError("Someone else changed this review at the same time. Reload the page to see it.")
    review.state = to
    for name, value in fields.items():
        setattr(review, name, value)


def open_review(*, review_date: dt.date, reason: str, by: Any) -> PolicyReview:
    version = current_version()
    if version is None:
        raise PolicyActionError("No policy is in force yet, so there is nothing to review.")
    with transaction.atomic():
        PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if PolicyReview.objects.filter(state__in=[ReviewState.OPEN, ReviewState.DRAFTED]).exists():
            raise PolicyActionError("A review is already under way: add to it, or close it first (10.1).")
        review = PolicyReview.objects.create(under_review=version, review_date=review_date, reason=reason, opened_by=by)
        record(by, "policy.review_opened", review, changes={"version": version.label, "review_date": review_date})
    return review


def add_consultation_note(review: PolicyReview, *, organisation: str, met_on: dt.date, notes: str, by: Any) -> None:
    with transaction.atomic():
        locked = PolicyReview.objects.select_for_update().get(pk=review.pk)
        if not locked.is_active:
            raise PolicyActionError("This review is finished: consultation notes can no longer be added (10.1).")
        note = ConsultationNote.objects.create(
            review=locked, organisation=organisation, met_on=met_on, notes=notes, written_by=by
        )
        record(by, "policy.consultation_noted", note, changes={"review": review.pk, "organisation": organisation})


def attach_draft(review: PolicyReview, *, markdown: str, label: str, by: Any) -> PolicyVersion:
    """Import the review's draft as a version not yet in force; a later draft replaces an earlier one."""
    with transaction.atomic():
        locked = PolicyReview.objects.select_for_update().get(pk=review.pk)
        try:
            draft, _ = import_policy(markdown, label=label, by=by, make_current=False)
        except ValueError as exc:
            raise PolicyActionError(str(exc)) from exc
        if draft.is_current:
            raise PolicyActionError("This draft is word for word the policy in force: there is nothing to publish.")
        if PolicyReview.objects.filter(draft=draft).exclude(pk=locked.pk).exists() or (
            draft.pk != locked.draft_id and PolicyReview.objects.filter(under_review=draft).exists()
        ):
            raise PolicyActionError(f"Version {draft.label} already belongs to another review.")
        _move(locked, ReviewState.DRAFTED, draft=draft)
        record(by, "policy.review_drafted", locked, changes={"draft": draft.label})
    review.refresh_from_db()
    return draft


def publish_review(review: PolicyReview, *, by: Any) -> PolicyVersion:
    """Put the review's draft in force: everyone on staff is asked to read and confirm it again (10.1)."""
    from custos.policy.diff import diff_clauses, summary

    with transaction.atomic():
        locked = (
            PolicyReview.objects.select_for_update(of=("self",))
            .select_related("draft", "under_review")
            .get(pk=review.pk)
        )
        if locked.state != ReviewState.OPEN:
            _check_transition(locked, ReviewState.PUBLISHED)
        if locked.draft is None:
            raise PolicyActionError("Attach the draft policy before publishing it (10.1).")
        if not locked.under_review.is_current:
            raise PolicyActionError(
                f"Version {locked.under_review.label} is no longer in force, so this draft would undo a later "
                "change. Close this review and start a new one."
            )
        draft = locked.draft
        now = timezone.now()
        _move(locked, ReviewState.PUBLISHED, decided_by=by, decided_at=now)
        PolicyVersion.objects.filter(is_current=True).update(is_current=False)
        PolicyVersion.objects.filter(pk=draft.pk).update(is_current=True, in_force_from=timezone.localdate())
        draft.refresh_from_db()
        changed = summary(
            diff_clauses(
                locked.under_review.clauses.values_list("number", "text"), draft.clauses.values_list("number", "text")
            )
        )
        record(
            by,
            "policy.published",
            draft,
            changes={
                "from": locked.under_review.label,
                "to": draft.label,
                "added": changed["added"],
                "removed": changed["removed"],
                "changed": changed["changed"],
            },
        )
        link = settings.SITE_URL + reverse("policy_acknowledge")
        for person in active_staff():
            queue_email(person, "policy_new_version", {"version": draft, "link": link, "changed": changed})
    review.refresh_from_db()
    return draft


def close_review(review: PolicyReview, *, by: Any, reason: str) -> None:
    with transaction.atomic():
        locked = PolicyReview.objects.select_for_update().get(pk=review.pk)
        _move(locked, ReviewState.CLOSED, decided_by=by, decided_at=timezone.now())
        record(by, "policy.review_closed", locked, changes={"reason": reason})
    review.refresh_from_db()


def active_staff() -> Any:
    """Staff members (2.1) still working for a school: the people who must know the policy in force."""
    today = timezone.localdate()
    return User.objects.filter(kind=Kind.STAFF, is_active=True).exclude(employment_ends_on__lt=today)
