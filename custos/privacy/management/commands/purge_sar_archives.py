from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from custos.privacy.actions import expire_archives
from custos.privacy.retention import archive_cutoff, archive_days


class Command(BaseCommand):
    help = "Delete subject access archives gathered over CUSTOS_SAR_ARCHIVE_DAYS ago (default 30); requests stay (3.2)."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        deleted = expire_archives(now)
        cutoff = timezone.localtime(archive_cutoff(now))
        self.stdout.write(
            f"Archives are kept {archive_days()} days. Deleted {deleted} gathered before {cutoff:%d/%m/%Y %H:%M}; "
            "the requests are kept."
        )
