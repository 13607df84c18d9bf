from typing import Any

from django.core.management.base import BaseCommand

from custos.cases.actions import escalate_overdue


class Command(BaseCommand):
    help = "Escalate cases not acknowledged in their target time (A.2.3). Safe to run as often as you like."

    def handle(self, *args: Any, **options: Any) -> None:
        done = escalate_overdue()
        for escalation in done:
            self.stdout.write(f"{escalation.case.reference}: escalation step {escalation.step} sent")
        self.stdout.write(f"{len(done)} escalation step(s) sent.")
