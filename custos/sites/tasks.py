"""Thin task adapters over the sites lifecycle, run every 15 minutes by whichever task backend is in use."""

from __future__ import annotations

import datetime as dt

from custos.sites import lifecycle
from custos.tasks.registry import task


@task(max_attempts=3, every=dt.timedelta(minutes=15))
def site_lifecycle_tick() -> str:
    """Go live, close, remind, flag neglect and alert for cover (A.1.5, A.1.6, A.5.4). Safe to run twice."""
    return str(lifecycle.run())
