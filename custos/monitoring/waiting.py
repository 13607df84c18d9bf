"""'Waiting for me': the monitoring notice, until the staff member has read it (8.1, 8.2)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from custos.accounts.models import Kind
from custos.core import waiting
from custos.monitoring import clauses
from custos.monitoring.actions import NOTICE_VERSION
from custos.monitoring.models import NoticeAcknowledgement


@waiting.provider
def unread_notice(user: Any) -> Iterable[waiting.WaitingItem]:
    if not getattr(user, "is_authenticated", False) or user.kind != Kind.STAFF:
        return []
    if NoticeAcknowledgement.objects.filter(user=user, version=NOTICE_VERSION).exists():
        return []
    return [
        waiting.WaitingItem(
            title="Read how the school monitors internet use",
            url=reverse("monitoring_notice"),
            clause=clauses.NOTICE,
        )
    ]
