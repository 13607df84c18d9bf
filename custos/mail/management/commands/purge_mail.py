from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from custos.mail.actions import purge_sent
from custos.mail.retention import retention_cutoff, retention_days


class Command(BaseCommand):
    help = "Delete sent emails older than CUSTOS_MAIL_RETENTION_DAYS (default 90); unsent mail is kept (3.2)."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        deleted = purge_sent(now)
        cutoff = timezone.localtime(retention_cutoff(now))
        self.stdout.write(
            f"Sent mail is kept {retention_days()} days. Deleted {deleted} sent before {cutoff:%d/%m/%Y %H:%M}."
        )
