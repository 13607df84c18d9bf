"""Thin task adapters over cases.actions (idempotent: each escalation step is recorded once)."""

import datetime as dt

from custos.tasks.registry import task


@task(max_attempts=20, every=dt.timedelta(minutes=2))
def cases_escalation_tick() -> None:
    from custos.cases.actions import escalate_overdue

    escalate_overdue()


@task(max_attempts=20, every=dt.timedelta(minutes=1))
def cases_alerts_tick() -> None:
    """The safety net: every urgent alert nobody acknowledged climbs as far as it is due (A.2.3)."""
    from custos.cases.oncall import climb_all

    climb_all()


@task(max_attempts=20)
def cases_alert_tick(*, alert_id: int) -> None:
    from custos.cases.oncall import climb

    climb(alert_id)
