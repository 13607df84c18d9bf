"""Every write the API makes: tokens (created and revoked by the ICT Manager) and third-party comments (A.5.5).

Each function is atomic and records its audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from custos.accounts.models import School, User
from custos.api import tokens
from custos.api.models import SEVERITY_RANKS, ApiToken, ExternalComment, Scope
from custos.audit.actions import record
from custos.lib.screening import context_for
from custos.mail.actions import queue_email
from custos.screening import ScreeningContext, Venue, screen
from custos.sites.models import APPROVED_STATES, Hosting, Site
from custos.sites.queries import administrators_of, moderators_of


class ApiError(Exception):
    """A refusal with a plain message and the clause behind it."""

    def __init__(self, message: str, *, clause: str = "", field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.clause = clause
        self.field = field


class AlreadyRevoked(ApiError):
    pass


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str


def create_token(*, school: School, name: str, scopes: Sequence[str], by: User) -> NewToken:
    """A new integration token for ``school``; the secret is returned here and never again."""
    name = name.strip()
    unknown = sorted(set(scopes) - set(Scope.values))
    if not name:
        raise ApiError("Give the token a name that says which integration uses it.", field="name")
    if not scopes or unknown:
        raise ApiError("Choose at least one scope from the list.", field="scopes")
    secret = tokens.new_secret()
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                school=school,
                name=name,
                scopes=sorted(set(scopes)),
                prefix=tokens.display_prefix(secret),
                secret_sha256=tokens.digest(secret),
                created_by=by,
            )
            record(by, "api.token_created", token, changes={"name": name, "scopes": token.scopes})
    except IntegrityError:
        raise ApiError(f"A token called “{name}” is already in use at {school}.", field="name") from None
    return NewToken(token, secret)


def revoke_token(token: ApiToken, *, by: User) -> ApiToken:
    """Revoke ``token`` at once. Two ICT Managers revoking together: one wins, the other is told."""
    with transaction.atomic():
        now = timezone.now()
        won = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)
        token.refresh_from_db()
        if not won:
            who = token.revoked_by or "someone"
            when = timezone.localtime(token.revoked_at).strftime("%d/%m/%Y %H:%M") if token.revoked_at else ""
            raise AlreadyRevoked(f"This token was already revoked by {who} at {when}.")
        record(by, "api.token_revoked", token, changes={"name": token.name})
    return token


def take_request(token: ApiToken, *, limit: int, now: dt.datetime | None = None) -> bool:
    """Count one request against the token's one-minute window; False when the limit is reached."""
    now = now or timezone.now()
    window_start = now - dt.timedelta(minutes=1)
    tokens_ = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True)
    counted = tokens_.filter(window_started_at__gt=window_start, window_count__lt=limit).update(
        window_count=F("window_count") + 1, last_used_at=now
    )
    if counted:
        return True
    # A new window, if the old one is over (the condition stops two processes both opening one).
    return bool(
        tokens_.filter(Q(window_started_at__isnull=True) | Q(window_started_at__lte=window_start)).update(
            window_started_at=now, window_count=1, last_used_at=now
        )
    )


@dataclass(frozen=True)
class IncomingComment:
    external_id: str
    text: str
    author_name: str = ""
    author_kind: str = "external"
    url: str = ""
    posted_at: dt.datetime | None = None


@dataclass(frozen=True)
class SubmittedComment:
    comment: ExternalComment
    duplicate: bool


def _worst(findings: list[dict[str, Any]]) -> int:
    return max((SEVERITY_RANKS.get(f["severity"], 0) for f in findings), default=0)


def submit_third_party_comments(
    token: ApiToken, *, site: Site, comments: Sequence[IncomingComment]
) -> list[SubmittedComment]:
    """Screen comments exported from a third-party-hosted site and queue each for the site's moderators (A.5.5).

    Sending the same comment (same ``external_id``) again changes nothing and returns the stored one, so an
    integration can safely retry. Escalations (A.5.6) open a safeguarding case at once and are mailed to the
    site's moderators and administrators, who must remove them on the host platform.
    """
    if site.hosting != Hosting.THIRD_PARTY:
        raise ApiError(
            f"“{site.title}” is hosted by the school: its comments are moderated in Custos itself, not sent here.",
            clause="A.5.5",
            field="site",
        )
    if site.state not in APPROVED_STATES:
        raise ApiError(
            f"“{site.title}” is not an approved site ({site.get_state_display()}): only approved or live "
            "third-party-hosted sites take comments.",
            clause="A.3.2",
            field="site",
        )
    results: list[SubmittedComment] = []
    with transaction.atomic():
        # Lock the site, so two submissions of the same comment at once store it once.
        Site.objects.select_for_update().filter(pk=site.pk).first()
        existing = {
            c.external_id: c
            for c in ExternalComment.objects.filter(site=site, external_id__in=[c.external_id for c in comments])
        }
        created: list[ExternalComment] = []
        by_conversation: set[int] = set()
        for incoming in comments:
            if incoming.external_id in existing:
                results.append(SubmittedComment(existing[incoming.external_id], duplicate=True))
                continue
            author = SimpleNamespace(kind=incoming.author_kind)
            context = context_for(school=site.school, author=author, venue=Venue.THIRD_PARTY_DRAFT)
            findings = [f.as_dict() for f in screen(incoming.text, context)]
            comment = ExternalComment.objects.create(
                site=site,
                token=token,
                external_id=incoming.external_id,
                author_name=incoming.author_name,
                author_kind=incoming.author_kind,
                body=incoming.text,
                url=incoming.url,
                posted_at=incoming.posted_at,
                findings=findings,
                severity_rank=_worst(findings),
            )
            if _over_conversation(comment, context):
                by_conversation.add(comment.pk)
            existing[incoming.external_id] = comment
            created.append(comment)
            results.append(SubmittedComment(comment, duplicate=False))
        if created:
            record(
                None,
                "api.third_party_comments_received",
                site,
                changes={
                    "token": token.name,
                    "received": len(created),
                    "escalate": sum(1 for c in created if c.severity == "escalate"),
                    "clause": "A.5.5",
                },
            )
            escalated = [c for c in created if c.severity == "escalate" and c.pk not in by_conversation]
            if escalated:
                _escalate_at_once(site, escalated)
    return results


def _over_conversation(comment: ExternalComment, context: ScreeningContext) -> bool:
    """A pattern over the author's recent comments on the site that this one alone did not raise (A.2.2, A.2.3):
    recorded once, and the comment waits at the top of the queue as escalate for a moderator to read with the
    comments that formed it (no case is opened on arrival: a moderator decides). Inside the caller's transaction."""
    from custos.moderation import conversations

    if comment.severity_rank >= SEVERITY_RANKS["escalate"]:
        return False
    found = conversations.claim_all(conversations.for_comment(comment, context, comment.findings), raised_on=comment)
    if not found:
        return False
    comment.findings = [*comment.findings, *found]
    comment.severity_rank = SEVERITY_RANKS["escalate"]
    comment.save(update_fields=["findings", "severity_rank"])
    return True


def _escalate_at_once(site: Site, comments: list[ExternalComment]) -> None:
    """A.5.6: the safeguarding lead gets a case for each comment (once each), the site's team a mail to remove
    them on the host platform now. Runs inside the submitting transaction."""
    from custos.moderation.actions import escalate_comment_on_arrival

    for comment in comments:
        escalate_comment_on_arrival(comment)
    team = {user.pk: user for user in [*moderators_of(site), *administrators_of(site)]}
    for person in team.values():
        queue_email(person, "api/third_party_escalation", {"site": site, "comments": comments})
