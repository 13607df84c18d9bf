"""Thin task adapters over ``custos.community.actions``."""

from __future__ import annotations

from custos.tasks.registry import task


@task(max_attempts=8)
def screen_contribution(*, contribution_id: int) -> None:
    """Screen a new contribution in the background (A.5.3); safe to run twice."""
    from custos.community.actions import apply_screening

    apply_screening(contribution_id)
