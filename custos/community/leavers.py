"""A pupil taken off roll leaves every space too (A.2.6, A.5.7): contributors are people the school has vetted,
and someone no longer at the school is not. Called by the roster import, inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from custos.accounts.models import User
from custos.audit.actions import record
from custos.community.models import MEMBER_TRANSITIONS, Membership, MemberStatus

LEAVER_REASON = "Left the school: no longer on the school roster (A.2.6, A.5.7)."

# What each open membership becomes when its holder leaves: members are removed, requests are declined.
_ON_LEAVING: dict[str, str] = {
    MemberStatus.ACTIVE: MemberStatus.REMOVED,
    MemberStatus.SUSPENDED: MemberStatus.REMOVED,
    MemberStatus.REQUESTED: MemberStatus.DECLINED,
    MemberStatus.AWAITING_HEAD: MemberStatus.DECLINED,
}


def end_memberships_of_leavers(users: Iterable[User], *, by: Any, reason: str = LEAVER_REASON) -> list[Membership]:
    """End every open membership of ``users``, each audited; returns the memberships changed.

    The rows are locked first, so a moderator reinstating or removing one at the same moment waits for the import and
    then finds it already ended. Leavers are not emailed: their account is closed in the same transaction."""
    user_ids = [user.pk for user in users]
    if not user_ids:
        return []
    ended: list[Membership] = []
    with transaction.atomic():
        open_memberships = (
            Membership.objects.select_for_update(of=("self",))
            .filter(user_id__in=user_ids, status__in=list(_ON_LEAVING))
            .select_related("site")
            .order_by("pk")
        )
        now = timezone.now()
        actor = by if getattr(by, "pk", None) else None
        for membership in open_memberships:
            to = _ON_LEAVING[membership.status]
            if to not in MEMBER_TRANSITIONS[membership.status]:  # the state machine is the one authority
                continue
            before = membership.status
            Membership.objects.filter(pk=membership.pk).update(
                status=to, status_reason=reason, status_changed_by=actor, updated_at=now
            )
            membership.status, membership.status_reason, membership.status_changed_by = to, reason, actor
            record(
                by,
                "community.member_status",
                membership,
                school_id=membership.site.school_id,
                changes={"from": before, "to": to, "reason": reason},
            )
            ended.append(membership)
    return ended
