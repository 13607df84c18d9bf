"""Thin periodic task over ``custos.moderation.actions``."""

from __future__ import annotations

import datetime as dt

from custos.tasks.registry import task


@task(every=dt.timedelta(minutes=15))
def alert_overdue_items() -> None:
    """Items waiting past their space's target: flag them and alert the moderators (A.5.4)."""
    from custos.moderation.actions import alert_overdue

    alert_overdue()
