from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from custos.monitoring.actions import purge_expired, retention_cutoff, retention_days


class Command(BaseCommand):
    help = "Delete monitoring facts older than CUSTOS_MONITORING_RETENTION_DAYS (default 365); the worker does it too."

    def handle(self, *args: Any, **options: Any) -> None:
        daily, edits = purge_expired()
        self.stdout.write(
            f"Kept: {retention_days()} days (from {retention_cutoff():%d/%m/%Y}). "
            f"Deleted {daily} daily totals and {edits} encyclopaedia edits."
        )
