from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from custos.sites import lifecycle


class Command(BaseCommand):
    help = "Official sites' daily round: go live, close, closure reminders, neglect, moderator cover (A.1.5, A.1.6)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(lifecycle.run()))
