"""'Waiting for me': corrections to decide, subject access archives ready (with their one-month limit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from custos.accounts import access
from custos.core import waiting
from custos.privacy import queries
from custos.privacy.models import SarState


@waiting.provider
def privacy_waiting(user: Any) -> Iterable[waiting.WaitingItem]:
    if not getattr(user, "is_authenticated", False) or user.kind != "staff":
        return []
    items = []
    if access.can(user, "privacy.list_corrections"):
        for correction in queries.corrections_to_decide(user):
            items.append(
                waiting.WaitingItem(
                    title=f"Correct {correction.get_field_display().lower()} for {correction.person}",
                    url=reverse("privacy:decide_correction", args=[correction.pk]),
                )
            )
    if access.can(user, "privacy.list_sars"):
        for sar in queries.sars_for(user).filter(state=SarState.READY, downloads=0):
            due = timezone.make_aware(dt.datetime.combine(sar.due_on, dt.time(17)))
            items.append(
                waiting.WaitingItem(
                    title=f"Subject access request #{sar.pk} is ready",
                    url=reverse("privacy:sar", args=[sar.pk]),
                    due=due,
                    urgent=sar.due_on <= timezone.localdate() + dt.timedelta(days=3),
                )
            )
    return items
