"""Thin task adapters: the subject access archive is built in the background, and deleted when past retention."""

from __future__ import annotations

import datetime as dt

from custos.tasks.registry import task


@task(max_attempts=3)
def generate_export(*, sar_id: int) -> None:
    from custos.privacy.actions import generate

    generate(sar_id)


@task(every=dt.timedelta(hours=1))
def sar_archive_tick() -> None:
    """Delete subject access archives past ``CUSTOS_SAR_ARCHIVE_DAYS`` (idempotent: a second run finds none)."""
    from custos.privacy.actions import expire_archives

    expire_archives()
