"""'Waiting for me': confirm the policy in force (sections 5 and 6); HR's review coming due (10.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils import timezone

from custos.core import waiting
from custos.policy.models import PolicyReview, ReviewState
from custos.policy.queries import hr_trust_ids, needs_acknowledgement


@waiting.provider
def policy_to_confirm(user: Any) -> Iterator[waiting.WaitingItem]:
    version = needs_acknowledgement(user)
    if version is not None:
        yield waiting.WaitingItem(
            f"Read and confirm the Social Media Policy, version {version.label}",
            reverse("policy_acknowledge"),
            clause="5.1",
            urgent=True,
        )


@waiting.provider
def reviews_due(user: Any) -> Iterator[waiting.WaitingItem]:
    if not hr_trust_ids(user):
        return
    soon = timezone.localdate() + dt.timedelta(days=30)
    for review in PolicyReview.objects.filter(
        state__in=[ReviewState.OPEN, ReviewState.DRAFTED], review_date__lte=soon
    ).select_related("under_review"):
        due = dt.datetime.combine(review.review_date, dt.time(17), tzinfo=timezone.get_current_timezone())
        yield waiting.WaitingItem(
            f"Policy review of version {review.under_review.label} is due",
            reverse("policy_review", args=[review.pk]),
            clause="10.1",
            due=due,
        )
