"""Thin task adapters over cases.actions (idempotent: each escalation step is recorded once)."""

import datetime as dt

from custos.tasks.registry import task


@task(max_attempts=20, every=dt.timedelta(minutes=2))
def cases_escalation_tick() -> None:
    from custos.cases.actions import escalate_overdue

    escalate_overdue()
