"""Thin task adapter: the subject access archive is built in the background."""

from __future__ import annotations

from custos.tasks.registry import task


@task(max_attempts=3)
def generate_export(*, sar_id: int) -> None:
    from custos.privacy.actions import generate

    generate(sar_id)
