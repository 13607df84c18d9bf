"""Thin periodic task over ``custos.monitoring.actions`` (idempotent: deleting what is past retention twice is fine)."""

from __future__ import annotations

import datetime as dt

from custos.tasks.registry import task


@task(every=dt.timedelta(hours=6))
def monitoring_retention_tick() -> None:
    """Delete kept monitoring facts older than the retention period (default 12 months)."""
    from custos.monitoring.actions import purge_expired

    purge_expired()
