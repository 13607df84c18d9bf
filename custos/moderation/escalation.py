"""Extreme offence and safeguarding concerns leave the queue for the safeguarding lead (A.5.6, A.2.3).

The contribution is never posted; a case (``custos.cases.actions.open_case``) keeps the original text exactly as
written as evidence and is routed at once to the school's Designated Safeguarding Lead and deputies. Moderators
are told only that it was escalated.
"""

from __future__ import annotations

from typing import Any

from custos.accounts.models import Kind, Role
from custos.community.models import Contribution
from custos.mail.actions import queue_email


def _top_category(contribution: Contribution) -> str:
    findings = sorted(contribution.findings or [], key=lambda f: f.get("severity") == "escalate", reverse=True)
    return str(findings[0].get("category", "safeguarding")) if findings else "safeguarding"


def escalate_to_safeguarding(contribution: Contribution, *, by: Any, note: str) -> None:
    """Open the case inside the caller's transaction (which has already moved the contribution to ESCALATED)."""
    from custos.cases.actions import open_case, role_holders
    from custos.cases.models import Source
    from custos.cases.types import case_type_for_screening, spec_for

    site = contribution.site
    author = contribution.author
    case_type = case_type_for_screening(_top_category(contribution))
    pupil = getattr(author, "pupil", None) if author.kind == Kind.PUPIL else None
    reasons = "; ".join(f"{f.get('reason', '')} ({', '.join(f.get('clauses', []))})" for f in contribution.findings)
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
    # The DSL *and* deputies hear at once (A.2.3) even when the case type names deputies only as editors.
    owners = set(spec_for(case_type).owners)
    if Role.DEPUTY_DSL not in owners:
        for deputy in role_holders(site.school, (Role.DEPUTY_DSL,), excluding=[author.pk]):
            queue_email(deputy, "moderation_escalated_deputy", {"case": case, "site": site})
