"""The audit log in English: each event as a sentence with people's names, its details in plain words; the raw
record stays one click away for the auditor."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from custos.audit.models import AuditEvent

# What happened, after the person's name. Events not listed read from their action ("Site: extension requested").
PHRASES = {
    "user.signed_in": "signed in",
    "user.signed_out": "signed out",
    "user.sign_in_failed": "failed to sign in",
    "two_factor.enrolled": "set up two-factor sign-in",
    "role.assigned": "gave a role to",
    "role.ended": "ended a role of",
    "roster.imported": "imported the pupil roster of",
    "account.reopened": "reopened the account of",
    "absence.recorded": "recorded an absence for",
    "policy.imported": "imported the policy",
    "policy.acknowledged": "confirmed reading",
    "policy.acknowledgement_reminders_sent": "sent policy reminders at",
    "policy.published": "published",
    "policy.review_opened": "opened a review of",
    "policy.review_closed": "closed a review of",
    "site.created": "started the site form",
    "site.edited": "edited the site form",
    "site.submitted": "submitted the site form",
    "site.evaluated": "approved (or returned) the site form",
    "site.live": "made the site live:",
    "site.closed": "closed the site",
    "site.cover_named": "named cover for",
    "site.platform_saved": "saved the host platform",
    "community.member_invited": "invited members to",
    "community.join_requested": "asked to join",
    "community.member_vetted": "vetted a request to join",
    "community.member_status": "changed a membership of",
    "community.pseudonym_set": "changed a pseudonym in",
    "community.terms_accepted": "accepted the House Rules of",
    "community.reported": "reported a contribution:",
    "community.screened": "had a contribution screened:",
    "moderation.approved": "approved",
    "moderation.rejected": "rejected",
    "moderation.removed": "removed",
    "moderation.escalated": "sent to the safeguarding lead:",
    "moderation.reports_dismissed": "kept up, after reports,",
    "moderation.conversation_finding": "found a pattern over one member's messages, raised on",
    "moderation.screening_example": "kept as a screening example",
    "moderation.screening_examples_exported": "exported the moderators' screening examples",
    "cases.opened": "opened the case",
    "cases.viewed": "opened",
    "cases.acknowledged": "acknowledged",
    "cases.assigned": "assigned",
    "cases.escalated": "escalated",
    "cases.closed": "closed",
    "cases.reopened": "reopened",
    "cases.evidence_added": "added evidence to",
    "cases.evidence_downloaded": "downloaded evidence from",
    "cases.referral_recorded": "recorded a referral for",
    "cases.deleted": "deleted",
    "staff.contact_declared": "declared a contact:",
    "staff.family_member_declared": "declared a family member:",
    "staff.post_approved": "approved the official post",
    "staff.post_drafted": "drafted the official post",
    "staff.leaving_date_recorded": "recorded the leaving date of",
    "monitoring.report_opened": "opened the monitoring report",
    "monitoring.log_ingested": "loaded a proxy log:",
    "monitoring.notice_acknowledged": "confirmed reading the monitoring notice",
    "privacy.sar_requested": "asked for a subject access export of",
    "privacy.sar_generated": "gathered the subject access export of",
    "privacy.sar_downloaded": "downloaded the subject access export of",
    "privacy.correction_requested": "asked for a correction:",
    "privacy.correction_decided": "decided a correction:",
    "api.token_created": "created the API token",
    "api.token_revoked": "revoked the API token",
    "sso.signed_in": "signed in with single sign-on",
    "sso.refused": "was refused single sign-on",
    "mail.purged": "deleted old sent mail",
}
# Keys of ``changes`` that hold people (user ids), shown by name.
PEOPLE_KEYS = {"user", "users", "routed_to", "notified", "moderator", "assigned_to", "staff", "to_user", "by"}
LABELS = {
    "as_owner": "As the case owner",
    "routed_to": "Sent to",
    "reason": "Reason",
    "overruled_screening": "Screening finding overruled",
    "school_id": "School",
}


@dataclass(frozen=True)
class ReadableEvent:
    event: AuditEvent
    sentence: str
    details: list[tuple[str, str]]
    raw: str


def humanise(action: str) -> str:
    """``site.extension_requested`` → ``Site: extension requested``: never the code name itself."""
    area, _, what = action.partition(".")
    area = area.replace("_", " ").capitalize()
    return f"{area}: {what.replace('_', ' ')}" if what else area


def _value(key: str, value: Any, names: dict[int, str]) -> str:
    if key in PEOPLE_KEYS:
        ids = value if isinstance(value, list) else [value]
        return ", ".join(names.get(i, "someone no longer listed") if isinstance(i, int) else str(i) for i in ids)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_value("", v, names) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_value(k, v, names)}" for k, v in value.items() if v not in ("", None, [], {}))
    return str(value)


def _label(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def _people_ids(events: list[AuditEvent]) -> set[int]:
    ids: set[int] = set()
    for event in events:
        for key, value in (event.changes or {}).items():
            if key in PEOPLE_KEYS:
                ids.update(i for i in (value if isinstance(value, list) else [value]) if isinstance(i, int))
    return ids


def readable(events: list[AuditEvent]) -> list[ReadableEvent]:
    """The page's events as sentences; everyone the details name, in one query."""
    from custos.accounts.models import User

    ids = _people_ids(events)
    names = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids)} if ids else {}
    rows = []
    for event in events:
        who = event.actor_label or "Custos"
        about_themselves = event.object_type == "accounts.user" and event.object_id == str(event.actor_id)
        what = "" if about_themselves else event.object_repr
        phrase = PHRASES.get(event.action)
        if phrase is None:
            sentence = f"{who} · {humanise(event.action)}" + (f": {what}" if what else "")
        else:
            sentence = f"{who} {phrase}" + (f" {what}" if what else "")
        changes = event.changes if isinstance(event.changes, dict) else {"details": event.changes}
        details = [
            (_label(key), _value(key, value, names))
            for key, value in changes.items()
            if value not in ("", None, [], {}) and key != "school_id"
        ]
        raw = json.dumps(event.payload() | {"hash": event.hash}, indent=2, ensure_ascii=False, default=str)
        rows.append(ReadableEvent(event, sentence, details, raw))
    return rows
