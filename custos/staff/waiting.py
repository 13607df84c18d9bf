"""'Waiting for me': posts to approve (approvers), returned or ready posts (authors) (A.3.4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, Q
from django.urls import reverse

from custos.accounts.models import Kind, Role, RoleAssignment
from custos.core import waiting
from custos.staff.models import ApprovalStep, OfficialPost, PostApproval, PostDecision, PostState


@waiting.provider
def posts_waiting(user: Any) -> Iterator[waiting.WaitingItem]:
    if not getattr(user, "is_authenticated", False) or user.kind != Kind.STAFF:
        return
    for post in OfficialPost.objects.filter(author=user, state__in=[PostState.RETURNED, PostState.READY]):
        title = "Change and resend" if post.state == PostState.RETURNED else "Post the approved text of"
        yield waiting.WaitingItem(f"{title} “{post.title}”", reverse("staff_post", args=[post.pk]), clause="A.3.4")
    approver_roles = (Role.ICT_MANAGER, Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER)
    assignments = RoleAssignment.objects.current().filter(user=user, role__in=approver_roles)
    school_ids = set(assignments.values_list("school_id", flat=True))
    if not school_ids:
        return
    scope = Q() if None in school_ids else Q(site__school_id__in=school_ids)
    live = PostApproval.objects.filter(invalidated_at__isnull=True, decision=PostDecision.APPROVED)
    submitted = (
        OfficialPost.objects.filter(scope, state=PostState.SUBMITTED)
        .exclude(author=user)
        .select_related("site__school")
        .prefetch_related(Prefetch("approvals", queryset=live, to_attr="live_approvals"))
    )
    for post in submitted:
        held = user.roles_at(post.site.school)
        mine: set[str] = set()
        if Role.ICT_MANAGER in held:
            mine.add(ApprovalStep.ICT)
        if held & {Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER}:
            mine.add(ApprovalStep.HEAD)
        current = [a for a in post.live_approvals if a.content_sha256 == post.content_sha256]
        if any(a.approver_id == user.pk for a in current):
            continue
        if mine - {a.step for a in current}:
            yield waiting.WaitingItem(
                f"Approve the official post “{post.title}”", reverse("staff_post", args=[post.pk]), clause="A.3.4"
            )
