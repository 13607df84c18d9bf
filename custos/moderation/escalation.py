"""Extreme offence and safeguarding concerns leave the queue for the safeguarding lead (A.5.6, A.2.3).

The contribution is never posted; a case (``custos.cases.actions.open_case``) keeps the original text exactly as
written as evidence and is routed at once to the school's Designated Safeguarding Lead and deputies. Moderators
are told only that it was escalated. Comments exported from third-party-hosted sites (A.5.5) are escalated the
same way, with the comment exactly as the host platform sent it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from custos.accounts.models import Kind, Role
from custos.api.models import ExternalComment
from custos.community.models import Contribution
from custos.mail.actions import queue_email


def _top_category(item: Contribution | ExternalComment) -> str:
    findings = sorted(item.findings or [], key=lambda f: f.get("severity") == "escalate", reverse=True)
    return str(findings[0].get("category", "safeguarding")) if findings else "safeguarding"


def _reasons(findings: list[dict[str, Any]]) -> str:
    return "; ".join(f"{f.get('reason', '')} ({', '.join(f.get('clauses', []))})" for f in findings)


def _tell_deputies(case: Any, site: Any, template: str, excluding: list[int]) -> None:
    """The DSL *and* deputies hear at once (A.2.3) even when the case type names deputies only as editors."""
    from custos.cases.actions import role_holders
    from custos.cases.types import spec_for

    if Role.DEPUTY_DSL not in set(spec_for(case.case_type).owners):
        for deputy in role_holders(site.school, (Role.DEPUTY_DSL,), excluding=excluding):
            queue_email(deputy, template, {"case": case, "site": site})


def escalate_to_safeguarding(contribution: Contribution, *, by: Any, note: str) -> None:
    """Open the case inside the caller's transaction (which has already moved the contribution to ESCALATED)."""
    from custos.cases.actions import open_case
    from custos.cases.models import Source
    from custos.cases.types import case_type_for_screening

    site = contribution.site
    author = contribution.author
    case_type = case_type_for_screening(_top_category(contribution))
    pupil = getattr(author, "pupil", None) if author.kind == Kind.PUPIL else None
    reasons = _reasons(contribution.findings)
    case = open_case(
        case_type=case_type,
        school=site.school,
        reported_by=by,
        summary=f"A contribution to the school-hosted site “{site.title}” was stopped before posting and "
        f"escalated (A.5.6, A.2.3). {note}".strip(),
        evidence_text=contribution.body,
        linked_pupils=[pupil] if pupil is not None else [],
        linked_users=[author],
        linked_site=site,
        linked_content=contribution.body,
        details={
            "contribution_id": contribution.pk,
            "site_id": site.pk,
            "kind": contribution.kind,
            "written_at": contribution.created_at.isoformat(),
            "findings": contribution.findings,
            "screening_reasons": reasons,
            "escalated_by": getattr(by, "pk", None),
        },
        source=Source.MODERATION if by is not None else Source.SCREENING,
        source_ref=f"community.contribution:{contribution.pk}",
    )
    _tell_deputies(case, site, "moderation_escalated_deputy", [author.pk])


def comment_to_safeguarding(comment: ExternalComment, *, by: Any, note: str = "") -> bool:
    """Open the case for a third-party comment inside the caller's transaction, at most once per comment (A.5.6).

    ``by`` is the moderator, or None when screening escalated it on arrival. The claim is a conditional UPDATE
    ``WHERE case_opened_at IS NULL``: returns False, opening nothing, when a case was already opened for it.
    """
    from custos.cases.actions import open_case
    from custos.cases.models import Source
    from custos.cases.types import case_type_for_screening

    now = timezone.now()
    if not ExternalComment.objects.filter(pk=comment.pk, case_opened_at__isnull=True).update(case_opened_at=now):
        return False
    comment.case_opened_at = now
    site = comment.site
    platform = site.host_platform.name if site.host_platform else "a third-party platform"
    how = "escalated by a moderator" if by is not None else "flagged by screening when it arrived and escalated"
    case = open_case(
        case_type=case_type_for_screening(_top_category(comment)),
        school=site.school,
        reported_by=by,
        summary=f"A comment on the third-party-hosted site “{site.title}” ({platform}) was {how} (A.5.5, A.5.6). "
        f"{note}".strip(),
        evidence_text=comment.body,
        linked_site=site,
        linked_content=comment.body,
        details={
            "external_comment_id": comment.pk,
            "external_id": comment.external_id,
            "site_id": site.pk,
            "host_platform": platform,
            "author_name": comment.author_name,
            "author_kind": comment.author_kind,
            "url": comment.url,
            "posted_at": comment.posted_at.isoformat() if comment.posted_at else None,
            "received_at": comment.received_at.isoformat(),
            "findings": comment.findings,
            "screening_reasons": _reasons(comment.findings),
            "escalated_by": getattr(by, "pk", None),
        },
        source=Source.MODERATION if by is not None else Source.SCREENING,
        source_ref=f"api.external_comment:{comment.pk}",
    )
    _tell_deputies(case, site, "moderation_comment_escalated_deputy", [])
    return True
