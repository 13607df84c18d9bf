"""Moderators' decisions (A.5.3, A.5.4, A.5.5, A.5.6, A.5.7), one function each.

Each is a conditional UPDATE ``WHERE state = <expected>``: of two moderators deciding the same item at once,
exactly one wins and the other is told who decided and when. Each is audited in the same transaction and the
author is told (rejections and removals name the House Rule broken). Comments exported from third-party-hosted
sites (A.5.5) are kept, confirmed removed on the host platform, or escalated; their authors are not Custos users
and are not told.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from custos.accounts import access
from custos.accounts.models import User
from custos.api.models import EXTERNAL_COMMENT_TRANSITIONS, ExternalComment, ExternalCommentState
from custos.audit.actions import record
from custos.community import queries as community_queries
from custos.community.models import (
    CONTRIBUTION_TRANSITIONS,
    SEVERITY_RANKS,
    Contribution,
    ContributionState,
    Report,
    ReportState,
)
from custos.mail.actions import queue_email
from custos.moderation import feedback
from custos.sites.models import Site


class ModerationError(Exception):
    """Bad input or a refused decision; the message is for the moderator. Nothing changed."""


class AlreadyDecided(ModerationError):
    """Another moderator decided first."""


class OverruleNeeded(ModerationError):
    """Screening marked it ``block``: approving it needs a deliberate second step with a reason (A.5.2, A.4.9)."""


class ConcernNeeded(ModerationError):
    """Escalating an item screening found clean needs the kind of concern, so screening can learn it (A.5.4)."""


def _concern(item: Contribution | ExternalComment, concern: str) -> str:
    concern = (concern or "").strip()
    if concern and concern not in feedback.CONCERN_LABELS:
        raise ConcernNeeded("Choose one of the kinds of concern listed.")
    if not concern and feedback.needs_concern(item):
        raise ConcernNeeded(
            "Screening found nothing in this, so choose what kind of concern it is: screening learns from it (A.5.4)."
        )
    return concern


def _when(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M on %d/%m/%Y") if moment else "just now"


def _lost(contribution: Contribution) -> AlreadyDecided:
    current = Contribution.objects.select_related("decided_by").get(pk=contribution.pk)
    state = ContributionState(current.state)
    if state == ContributionState.ESCALATED:
        what = "Already escalated to the safeguarding lead"
    else:
        what = f"Already {state.label.split(' (')[0].lower()}"
    who = f" by {current.decided_by.get_full_name()}" if current.decided_by else ""
    return AlreadyDecided(f"{what}{who} at {_when(current.decided_at)}. Nothing was changed.")


def _decide(contribution: Contribution, *, by: User, frm: str, to: str, **fields: Any) -> None:
    if to not in CONTRIBUTION_TRANSITIONS[frm]:
        raise ModerationError(f"A contribution that is {frm} cannot become {to}.")
    won = Contribution.objects.filter(pk=contribution.pk, state=frm).update(
        state=to, decided_by=by, decided_at=timezone.now(), **fields
    )
    if not won:
        raise _lost(contribution)
    contribution.state = to
    for name, value in fields.items():
        setattr(contribution, name, value)


def _rule(site: Site, house_rule: Any) -> tuple[int, str]:
    rules = site.house_rules_list
    try:
        number = int(house_rule)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= len(rules):
        raise ModerationError(
            f"Choose the House Rule that was broken (1 to {len(rules)}) so the author is told which (A.5.7)."
            if rules
            else "This site has no House Rules to cite; ask its administrators to add them (A.4.1)."
        )
    return number, rules[number - 1]


def _require(contribution: Contribution, by: User) -> Site:
    site = contribution.site
    access.require(by, "moderation.moderate", site)
    return site


def _after(contribution: Contribution, by: User, action: str, **changes: Any) -> None:
    from custos.sites.actions import note_site_activity

    record(by, action, contribution, school_id=contribution.site.school_id, changes=changes)
    note_site_activity(contribution.site, by)


OVERRULE_CLAUSES = ("A.5.2", "A.4.9", "5.4", "A.5.3")
OVERRULE_MAX = 1000


def _serious(contribution: Contribution, rank: int) -> list[dict[str, Any]]:
    return [f for f in contribution.findings or [] if SEVERITY_RANKS.get(f.get("severity", ""), 0) >= rank]


def _finding_text(findings: list[dict[str, Any]]) -> str:
    return "; ".join(f"{f.get('reason', '').rstrip('.')} ({', '.join(f.get('clauses', []))})" for f in findings)


def approve(contribution: Contribution, *, by: User, overrule_reason: str = "") -> Contribution:
    """Post it: it becomes visible to the space's members (A.5.3).

    A contribution screening marked ``block`` (a phone number, a pupil's full name, …) is never posted by one tap:
    the moderator must overrule the finding deliberately, saying why it is wrong, and that reason is kept in the
    audit event (A.5.2, A.4.9, 5.4). One marked ``escalate`` is never approved at all: it belongs with the
    safeguarding lead (A.5.6, A.2.3).
    """
    _require(contribution, by)
    reason = " ".join((overrule_reason or "").split())
    if contribution.severity_rank >= SEVERITY_RANKS["escalate"]:
        raise ModerationError(
            "Screening found a safeguarding concern, so this can never be approved: escalate it to the safeguarding "
            "lead (A.5.6, A.2.3)."
        )
    overruling = contribution.severity_rank >= SEVERITY_RANKS["block"]
    changes: dict[str, Any] = {}
    if overruling:
        serious = _serious(contribution, SEVERITY_RANKS["block"])
        if not reason:
            raise OverruleNeeded(
                f"Not approved. Screening found: {_finding_text(serious) or 'something that must not be posted'}. "
                "If the finding is wrong, choose “Approve anyway” and say why; otherwise reject it "
                f"({', '.join(OVERRULE_CLAUSES)})."
            )
        if len(reason) > OVERRULE_MAX:
            raise OverruleNeeded(f"Keep the reason to {OVERRULE_MAX} characters or fewer; it is {len(reason)}.")
        changes = {
            "overruled_screening": True,
            "overruled_findings": [
                {k: f.get(k) for k in ("category", "kind", "severity", "clauses", "reason")} for f in serious
            ],
            "overrule_reason": reason,
            "clauses": list(OVERRULE_CLAUSES),
        }
    with transaction.atomic():
        _decide(contribution, by=by, frm=ContributionState.PENDING, to=ContributionState.APPROVED)
        _after(contribution, by, "moderation.approved", **changes)
        feedback.after_approval(contribution, by=by)
        queue_email(contribution.author, "moderation_approved", {"contribution": contribution})
    return contribution


def reject(contribution: Contribution, *, by: User, house_rule: Any, note: str = "") -> Contribution:
    """Do not post it, citing the House Rule broken; the author is told which (A.5.4, A.5.7)."""
    site = _require(contribution, by)
    number, text = _rule(site, house_rule)
    note = (note or "").strip()[:1000]
    with transaction.atomic():
        _decide(
            contribution, by=by, frm=ContributionState.PENDING, to=ContributionState.REJECTED, house_rule=number,
            decision_note=note,
        )  # fmt: skip
        _after(contribution, by, "moderation.rejected", house_rule=number)
        queue_email(
            contribution.author,
            "moderation_rejected",
            {"contribution": contribution, "rule_number": number, "rule": text, "note": note},
        )
    return contribution


def remove(contribution: Contribution, *, by: User, house_rule: Any, note: str = "") -> Contribution:
    """Take down an approved contribution that breaks a House Rule (A.5.4, A.5.7); open reports are upheld."""
    site = _require(contribution, by)
    number, text = _rule(site, house_rule)
    note = (note or "").strip()[:1000]
    with transaction.atomic():
        _decide(
            contribution, by=by, frm=ContributionState.APPROVED, to=ContributionState.REMOVED, house_rule=number,
            decision_note=note,
        )  # fmt: skip
        _resolve_reports(contribution, by, ReportState.UPHELD)
        _after(contribution, by, "moderation.removed", house_rule=number)
        queue_email(
            contribution.author,
            "moderation_removed",
            {"contribution": contribution, "rule_number": number, "rule": text, "note": note},
        )
    return contribution


def escalate(contribution: Contribution, *, by: User, note: str, concern: str = "") -> Contribution:
    """Take it out of the space and hand it to the safeguarding lead (A.5.6, A.2.3): never posted, or removed
    at once if it was; the original text is kept exactly as evidence in the case. One screening found clean needs
    the kind of ``concern`` (``feedback.CONCERNS``), kept as an example screening missed."""
    _require(contribution, by)
    note = (note or "").strip()
    if not note:
        raise ModerationError("Say briefly why this needs the safeguarding lead (A.2.3).")
    frm = contribution.state
    if frm not in (ContributionState.PENDING, ContributionState.APPROVED):
        raise _lost(contribution)
    concern = _concern(contribution, concern)
    from custos.moderation.escalation import escalate_to_safeguarding

    with transaction.atomic():
        _decide(contribution, by=by, frm=frm, to=ContributionState.ESCALATED, decision_note="")
        _resolve_reports(contribution, by, ReportState.UPHELD)
        _after(contribution, by, "moderation.escalated")
        escalate_to_safeguarding(contribution, by=by, note=f"Moderator's note: {note}")
        feedback.after_escalation(contribution, by=by, concern=concern)
    return contribution


def dismiss_reports(contribution: Contribution, *, by: User) -> int:
    """Keep a reported contribution up: its open reports are dismissed and the reporters told (A.5.4)."""
    _require(contribution, by)
    with transaction.atomic():
        count = _resolve_reports(contribution, by, ReportState.DISMISSED)
        if not count:
            raise AlreadyDecided("These reports were already dealt with by another moderator. Nothing was changed.")
        _after(contribution, by, "moderation.reports_dismissed", count=count)
    return count


def _resolve_reports(contribution: Contribution, by: User, to: str) -> int:
    """Close the open reports and tell each reporter, kindly, what was decided (A.5.4, A.2.2): never the
    moderator's note, the author or who else reported it. Reports this call closed are found again by their
    exact ``resolved_at``, so a reporter whose report another moderator closed is told once, by that one."""
    now = timezone.now()
    count = Report.objects.filter(contribution=contribution, state=ReportState.OPEN).update(
        state=to, resolved_by=by, resolved_at=now
    )
    if count:
        closed = (
            Report.objects.filter(contribution=contribution, state=to, resolved_by=by, resolved_at=now)
            .select_related("reporter")
            .order_by("reporter_id", "created_at")
        )
        told: set[int] = set()
        for report in closed:
            if report.reporter_id in told:
                continue
            told.add(report.reporter_id)
            queue_email(
                report.reporter,
                "moderation_report_outcome",
                {"report": report, "site": contribution.site, "kind": contribution.get_kind_display().lower(),
                 "kept": to == ReportState.DISMISSED},
            )  # fmt: skip
    return count


def alert_overdue(now: dt.datetime | None = None) -> int:
    """Flag items waiting longer than their space's target and alert the site's moderators, once per item
    (A.5.4: the site must go on being moderated through leave and absence)."""
    from custos.sites.queries import administrators_of, moderators_of

    now = now or timezone.now()
    alerted = 0
    for site in community_queries.spaces().filter(state="live").select_related("school"):
        hours, _ = community_queries.settings_for(site)
        overdue = list(
            Contribution.objects.filter(
                site=site,
                state=ContributionState.PENDING,
                overdue_alerted_at__isnull=True,
                created_at__lt=now - dt.timedelta(hours=hours),
            ).values_list("pk", flat=True)[:500]
        )
        if not overdue:
            continue
        with transaction.atomic():
            claimed = Contribution.objects.filter(pk__in=overdue, overdue_alerted_at__isnull=True).update(
                overdue_alerted_at=now
            )
            if not claimed:
                continue
            record(None, "moderation.overdue_alerted", site, school_id=site.school_id, changes={"items": claimed})
            people = {u.pk: u for u in [*moderators_of(site), *administrators_of(site)]}
            for person in people.values():
                queue_email(person, "moderation_overdue", {"site": site, "count": claimed, "hours": hours})
            alerted += claimed
    return alerted


# Comments from third-party-hosted sites (A.5.5, A.5.6) ------------------------------------------------------


def _platform(comment: ExternalComment) -> str:
    site = comment.site
    return site.host_platform.name if site.host_platform_id and site.host_platform else "the host platform"


def _lost_comment(comment: ExternalComment) -> AlreadyDecided:
    current = ExternalComment.objects.select_related("decided_by").get(pk=comment.pk)
    state = ExternalCommentState(current.state)
    what = f"Already {state.label.split(' (')[0].lower()}"
    who = f" by {current.decided_by.get_full_name()}" if current.decided_by else ""
    return AlreadyDecided(f"{what}{who} at {_when(current.decided_at)}. Nothing was changed.")


def _require_comment(comment: ExternalComment, by: User) -> None:
    access.require(by, "moderation.moderate_comments", comment.site)


def _decide_comment(comment: ExternalComment, *, by: User, to: str, note: str = "") -> None:
    frm = ExternalCommentState.PENDING
    if to not in EXTERNAL_COMMENT_TRANSITIONS[frm]:
        raise ModerationError(f"A comment that is {frm} cannot become {to}.")
    now = timezone.now()
    won = ExternalComment.objects.filter(pk=comment.pk, state=frm).update(
        state=to, decided_by=by, decided_at=now, decision_note=note
    )
    if not won:
        raise _lost_comment(comment)
    comment.state, comment.decided_by, comment.decided_at, comment.decision_note = to, by, now, note


def _after_comment(comment: ExternalComment, by: User, action: str, **changes: Any) -> None:
    from custos.sites.actions import note_site_activity

    record(by, action, comment, school_id=comment.site.school_id, changes={"clause": "A.5.5", **changes})
    note_site_activity(comment.site, by)


def keep_comment(comment: ExternalComment, *, by: User) -> ExternalComment:
    """The comment is fine as posted on the host platform: it leaves the queue (A.5.5)."""
    _require_comment(comment, by)
    if comment.case_opened_at is not None and comment.state == ExternalCommentState.PENDING:
        raise ModerationError(
            "This comment was escalated to the safeguarding lead: it must not be left up (A.5.6). "
            f"Remove it on {_platform(comment)} and confirm it was removed."
        )
    with transaction.atomic():
        _decide_comment(comment, by=by, to=ExternalCommentState.KEPT)
        _after_comment(comment, by, "moderation.comment_kept")
        feedback.after_approval(comment, by=by)
    return comment


def remove_comment(comment: ExternalComment, *, by: User, confirmed: bool, note: str = "") -> ExternalComment:
    """The moderator confirms they removed the comment on the host platform (A.5.5: the host intervenes first,
    the school's own intervention follows; A.5.7: comments that break the House Rules are removed)."""
    _require_comment(comment, by)
    if not confirmed:
        raise ModerationError(
            f"Remove the comment on {_platform(comment)} first, then tick the box to confirm you have (A.5.5)."
        )
    note = (note or "").strip()[:1000]
    with transaction.atomic():
        _decide_comment(comment, by=by, to=ExternalCommentState.REMOVED, note=note)
        _after_comment(comment, by, "moderation.comment_removed", removed_on=_platform(comment))
    return comment


def escalate_comment(comment: ExternalComment, *, by: User, note: str, concern: str = "") -> ExternalComment:
    """Hand the comment to the safeguarding lead (A.5.6, A.2.3): a case opens with the comment exactly as
    received as evidence. The moderator is told only that it was escalated. One screening found clean needs the
    kind of ``concern``, kept as an example screening missed (A.5.4)."""
    from custos.moderation.escalation import comment_to_safeguarding

    _require_comment(comment, by)
    note = (note or "").strip()
    if comment.case_opened_at is not None and comment.state == ExternalCommentState.PENDING:
        raise ModerationError(
            "The safeguarding lead already has this comment: it was escalated when it arrived (A.5.6). "
            f"Remove it on {_platform(comment)} and confirm it was removed."
        )
    if not note:
        raise ModerationError("Say briefly why this needs the safeguarding lead (A.2.3).")
    if comment.state != ExternalCommentState.PENDING:
        raise _lost_comment(comment)
    concern = _concern(comment, concern)
    with transaction.atomic():
        _decide_comment(comment, by=by, to=ExternalCommentState.ESCALATED)
        if not comment_to_safeguarding(comment, by=by, note=f"Moderator's note: {note}"):
            raise ModerationError("The safeguarding lead already has this comment (A.5.6). Nothing was changed.")
        _after_comment(comment, by, "moderation.comment_escalated")
        feedback.after_escalation(comment, by=by, concern=concern)
    return comment


def escalate_comment_on_arrival(comment: ExternalComment) -> bool:
    """Screening marked a newly received comment ``escalate`` (A.5.6): open its case at once, inside the
    caller's transaction. Idempotent: a comment that already has a case opens no other. It stays in the queue
    until a moderator confirms it was removed on the host platform."""
    from custos.moderation.escalation import comment_to_safeguarding

    with transaction.atomic():
        opened = comment_to_safeguarding(comment, by=None)
        if opened:
            record(
                None,
                "moderation.comment_escalated_on_arrival",
                comment,
                school_id=comment.site.school_id,
                changes={"clause": "A.5.6"},
            )
    return opened
