"""Conversations, not only messages (A.2.2, A.2.3): grooming builds over time, one friendly message after another.

When a contribution or a third-party comment is screened on arrival, the same author's recent messages in the same
space (the last ``CUSTOS_CONVERSATION_MESSAGES`` within ``CUSTOS_CONVERSATION_DAYS``) are screened together by
``custos.screening.conversation.screen_conversation``. A pattern it finds that no single message raised is recorded
once, as a ``ConversationFinding`` naming the messages that formed it, and added to the new message's findings as
``escalate``: the message waits at the top of the moderators' queue, who see those messages in time order.

This module never looks at how the engine scores: it passes texts in time order and reads back the positions of
the messages that formed each pattern.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from custos.api.models import ExternalComment
from custos.audit.actions import record
from custos.community.models import Contribution
from custos.moderation.models import ConversationFinding
from custos.screening import ScreeningContext
from custos.screening.conversation import screen_conversation

Message = Contribution | ExternalComment


def window() -> tuple[int, dt.timedelta]:
    """How many recent messages, over how long, make one member's conversation."""
    return settings.CUSTOS_CONVERSATION_MESSAGES, dt.timedelta(days=settings.CUSTOS_CONVERSATION_DAYS)


@dataclass(frozen=True)
class Pattern:
    """A pattern found over a conversation, not yet recorded."""

    category: str
    kind: str
    severity: str
    clauses: tuple[str, ...]
    reason: str
    score: float
    messages: tuple[Message, ...]  # the messages that formed it, oldest first

    @property
    def key(self) -> str:
        prefix = "c" if isinstance(self.messages[0], Contribution) else "e"
        ids = ",".join(str(pk) for pk in sorted(m.pk for m in self.messages))
        return hashlib.sha256(f"{self.kind}:{prefix}:{ids}".encode()).hexdigest()


def _conversation(
    latest: Message, earlier: Sequence[Message], context: ScreeningContext, own: Sequence[dict[str, Any]]
) -> list[Pattern]:
    """Patterns over ``earlier`` (newest first, from the database) and ``latest`` that ``latest`` alone, whose
    findings are ``own``, did not raise."""
    messages = [*reversed(earlier), latest]
    if len(messages) < 2:
        return []
    raised = {(f.get("category"), f.get("kind")) for f in own}
    patterns = []
    for found in screen_conversation([m.body for m in messages], context):
        if (str(found.category), found.kind) in raised or not found.message_indices:
            continue
        formed = tuple(messages[i] for i in found.message_indices if 0 <= i < len(messages))
        if formed:
            patterns.append(
                Pattern(
                    category=str(found.category),
                    kind=found.kind,
                    severity=str(found.severity),
                    clauses=tuple(found.clauses),
                    reason=found.reason,
                    score=float(found.score),
                    messages=formed,
                )
            )
    return patterns


def for_contribution(
    contribution: Contribution, context: ScreeningContext, own: Sequence[dict[str, Any]]
) -> list[Pattern]:
    """Patterns over the author's recent contributions (posts and comments) in the same space."""
    count, days = window()
    earlier = list(
        Contribution.objects.filter(
            site_id=contribution.site_id,
            author_id=contribution.author_id,
            created_at__gte=contribution.created_at - days,
            created_at__lte=contribution.created_at,
        )
        .exclude(pk=contribution.pk)
        .exclude(body="")
        .only("pk", "body", "created_at", "state", "site_id", "kind")
        .order_by("-created_at", "-pk")[: max(count - 1, 0)]
    )
    return _conversation(contribution, earlier, context, own)


def for_comment(comment: ExternalComment, context: ScreeningContext, own: Sequence[dict[str, Any]]) -> list[Pattern]:
    """Patterns over the same author's recent comments on the same third-party-hosted site. A comment with no
    author name cannot be told apart from anyone else's, so it is screened alone."""
    if not comment.author_name.strip():
        return []
    count, days = window()
    earlier = list(
        ExternalComment.objects.filter(
            site_id=comment.site_id,
            author_name=comment.author_name,
            received_at__gte=comment.received_at - days,
            received_at__lte=comment.received_at,
        )
        .exclude(pk=comment.pk)
        .only("pk", "body", "received_at", "posted_at", "state", "site_id", "external_id")
        .order_by("-received_at", "-pk")[: max(count - 1, 0)]
    )
    return _conversation(comment, earlier, context, own)


def claim(pattern: Pattern, *, raised_on: Message) -> dict[str, Any] | None:
    """Record the pattern once, inside the caller's transaction, and return the finding to add to ``raised_on``;
    None (nothing recorded) when the same pattern over the same messages was already raised."""
    is_contribution = isinstance(raised_on, Contribution)
    on_contribution = raised_on if isinstance(raised_on, Contribution) else None
    on_comment = raised_on if isinstance(raised_on, ExternalComment) else None
    try:
        with transaction.atomic():
            row = ConversationFinding.objects.create(
                site_id=raised_on.site_id,
                raised_on_contribution=on_contribution,
                raised_on_comment=on_comment,
                category=pattern.category,
                kind=pattern.kind,
                severity=pattern.severity,
                clauses=list(pattern.clauses),
                reason=pattern.reason,
                score=pattern.score,
                messages_key=pattern.key,
            )
    except IntegrityError:
        return None
    ids = [m.pk for m in pattern.messages]
    (row.contributions if is_contribution else row.comments).set(ids)
    record(
        None,
        "moderation.conversation_finding",
        raised_on,
        school_id=getattr(raised_on.site, "school_id", None),
        changes={"kind": pattern.kind, "clauses": list(pattern.clauses), "messages": ids, "finding": row.pk},
    )
    return {
        "category": pattern.category,
        "kind": pattern.kind,
        "severity": pattern.severity,
        "clauses": list(pattern.clauses),
        "reason": pattern.reason,
        "start": 0,
        "end": 0,
        "spans": [],
        "conversation": {"id": row.pk, "messages": ids},
    }


def claim_all(patterns: Sequence[Pattern], *, raised_on: Message) -> list[dict[str, Any]]:
    return [found for pattern in patterns if (found := claim(pattern, raised_on=raised_on)) is not None]


@dataclass(frozen=True)
class Shown:
    """One message of a conversation as a moderator sees it: escalated ones only that they were escalated (A.5.6)."""

    pk: int
    when: dt.datetime
    state: str
    state_label: str
    text: str
    escalated: bool
    url: str


def _message_ids(items: Sequence[Any]) -> set[int]:
    return {
        pk
        for item in items
        for finding in item.findings or []
        if isinstance(finding.get("conversation"), dict)
        for pk in finding["conversation"].get("messages", [])
        if isinstance(pk, int)
    }


def attach(items: Sequence[Any], *, comments: bool = False) -> None:
    """Give each item's conversation findings their messages (``finding["shown"]``), oldest first. One query for
    the whole page, and none at all when no item on it has a conversation finding."""
    from django.urls import reverse

    ids = _message_ids(items)
    if not ids:
        return
    site_ids = {item.site_id for item in items}
    found: dict[int, Shown] = {}
    if comments:
        for c in ExternalComment.objects.filter(Q(pk__in=ids), site_id__in=site_ids):
            escalated = c.state == "escalated" or c.case_opened_at is not None
            found[c.pk] = Shown(
                c.pk, c.posted_at or c.received_at, c.state, c.get_state_display(), "" if escalated else c.body,
                escalated, c.url or f"#c{c.pk}",
            )  # fmt: skip
    else:
        for m in Contribution.objects.filter(pk__in=ids, site_id__in=site_ids):
            escalated = m.state == "escalated"
            found[m.pk] = Shown(
                m.pk, m.created_at, m.state, m.get_state_display(), "" if escalated else m.body, escalated,
                reverse("moderation:item", args=[m.pk]),
            )  # fmt: skip
    for item in items:
        for finding in item.findings or []:
            conversation = finding.get("conversation")
            if isinstance(conversation, dict):
                shown = [found[pk] for pk in conversation.get("messages", []) if pk in found]
                finding["shown"] = sorted(shown, key=lambda s: (s.when, s.pk))
