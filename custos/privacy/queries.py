"""Permission-scoped reads for data-protection rights."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from custos.accounts import access
from custos.accounts.models import Pupil, User
from custos.cases.types import CASE_TYPES
from custos.mail import retention as mail_retention
from custos.monitoring.actions import retention_cutoff as monitoring_cutoff
from custos.privacy import retention
from custos.privacy.models import CorrectionRequest, CorrectionState, SubjectAccessRequest


def sars_for(user: Any) -> QuerySet[SubjectAccessRequest]:
    """Requests this person started: the archive stays with whoever ran it (and is audited when downloaded)."""
    return SubjectAccessRequest.objects.filter(requested_by=user).defer("archive").order_by("-requested_at")


def get_sar_for(user: Any, pk: int, *, with_archive: bool = False) -> SubjectAccessRequest:
    qs = SubjectAccessRequest.objects.select_related("subject_user", "subject_pupil", "requested_by")
    sar = (qs if with_archive else qs.defer("archive")).filter(pk=pk).first()
    if sar is None or sar.requested_by_id != getattr(user, "pk", None):
        raise Http404("No such request")
    return sar


def find_subject(user: Any, text: str) -> User | Pupil | None:
    """The person with this email address, username or UPN whom ``user`` may run a request for; else None
    (so nobody learns who exists from the answer)."""
    text = text.strip()
    if not text:
        return None
    for person in User.objects.filter(Q(email__iexact=text) | Q(username__iexact=text)).select_related("school")[:2]:
        if access.can(user, "privacy.run_sar", person):
            return person
    for pupil in Pupil.objects.filter(upn__iexact=text).select_related("school", "user")[:20]:
        if access.can(user, "privacy.run_sar", pupil):
            return pupil
    return None


def corrections_to_decide(user: Any) -> list[CorrectionRequest]:
    pending = CorrectionRequest.objects.filter(state=CorrectionState.PENDING).select_related(
        "person", "person__school", "person__pupil__school"
    )[:500]
    return [c for c in pending if access.can(user, "privacy.decide_correction", c.person)]


def get_correction_for(user: Any, pk: int) -> CorrectionRequest:
    correction = CorrectionRequest.objects.select_related("person", "person__school").filter(pk=pk).first()
    if correction is None or not access.can(user, "privacy.decide_correction", correction.person):
        raise Http404("No such request")
    return correction


@dataclass(frozen=True)
class RetentionRow:
    kind: str
    clause: str
    rule: str
    deleted_when: str
    how: str


def retention_rows(now: dt.datetime | None = None) -> list[RetentionRow]:
    """What is deleted when, per kind of data, read from the apps' own rules and settings at call time."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = settings.CUSTOS_MONITORING_RETENTION_DAYS
    mail_cutoff = timezone.localtime(mail_retention.retention_cutoff(now))
    archive_cutoff = timezone.localtime(retention.archive_cutoff(now))
    rows = [
        RetentionRow(
            f"Case: {spec.label}",
            spec.clause,
            str(spec.retention.label),
            "Reviewed when the date passes; deleted by the case owner, leaving a tombstone",
            "cases/types.py; manage.py review_case_retention",
        )
        for spec in CASE_TYPES.values()
    ]
    rows += [
        RetentionRow(
            "Internet monitoring: daily counts and encyclopaedia edits",
            "8.1, 6.13, 6.11",
            f"{days} days (CUSTOS_MONITORING_RETENTION_DAYS)",
            f"Anything from before {monitoring_cutoff(today):%d %B %Y} is deleted at the next run",
            "monitoring_retention_tick every six hours; manage.py purge_monitoring",
        ),
        RetentionRow("Raw proxy log lines, URLs and search terms", "8.1", "Never stored", "—", "monitoring ingestion"),
        RetentionRow("Personal webspace check text", "6.1, 6.8", "Never stored", "—", "staff personal check"),
        RetentionRow(
            "Audit log",
            "—",
            "Kept: append-only and hash-chained, for accountability",
            "Not deleted automatically",
            "audit",
        ),
        RetentionRow(
            "Accounts, roles, absences, declarations, policy acknowledgements",
            "2.1, 5.1, 6.2–6.4",
            "While the person works for or attends the school",
            "No automatic deletion yet: removed on request",
            "accounts, staff, policy",
        ),
        RetentionRow(
            "Official sites, official posts, community contributions and images",
            "A.1.6, A.3.4, A.5",
            "While the site is kept",
            "No automatic deletion yet: removed on request",
            "sites, staff, community",
        ),
        RetentionRow(
            "Moderators' decisions kept as screening examples (the text, the concerns, the moderator, the time)",
            "A.5.4, 3.2",
            "As long as the contribution or third-party comment they came from",
            "Deleted with it, by the same rule",
            "moderation; manage.py export_screening_feedback",
        ),
        RetentionRow(
            "Emails sent by Custos (subject, text, address)",
            mail_retention.CLAUSE,
            f"{mail_retention.retention_days()} days after sending (CUSTOS_MAIL_RETENTION_DAYS); "
            "mail not yet sent is kept until it is sent, so none is lost",
            f"Mail sent before {mail_cutoff:%d %B %Y, %H:%M} is deleted at the next run",
            "mail_retention_tick every six hours; manage.py purge_mail",
        ),
        RetentionRow(
            "Subject access archives (.zip)",
            retention.CLAUSE,
            f"{retention.archive_days()} days after the archive is gathered (CUSTOS_SAR_ARCHIVE_DAYS); the request "
            "record (who, when, what was gathered and withheld, SHA-256, downloads) is kept",
            f"Archives gathered before {archive_cutoff:%d %B %Y, %H:%M} are deleted at the next run",
            "sar_archive_tick every hour; manage.py purge_sar_archives",
        ),
    ]
    return rows


_SETTING = re.compile(r"\s*\(CUSTOS_[A-Z_]+\)")


def in_plain_words(row: RetentionRow) -> RetentionRow:
    """The row as staff other than the ICT Manager read it: no setting names (nor, in the page, task names)."""
    return dataclasses.replace(row, rule=_SETTING.sub("", row.rule), how="")
