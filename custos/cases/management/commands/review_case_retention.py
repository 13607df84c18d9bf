from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from custos.cases.queries import retention_due


class Command(BaseCommand):
    help = "List closed cases due for retention review or deletion. Deletes nothing: a person confirms in Custos."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--within-days", type=int, default=30, help="Also list cases due within this many days")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        due = list(retention_due(today, within_days=options["within_days"]))
        for case in due:
            state = "due for deletion" if case.retain_until and case.retain_until <= today else "due for review"
            self.stdout.write(
                f"{case.reference}\t{case.get_case_type_display()}\t{case.school.name}\t"
                f"keep until {case.retain_until:%d/%m/%Y}\t{state}"
            )
        self.stdout.write(f"{len(due)} case(s) listed. Nothing was deleted.")
