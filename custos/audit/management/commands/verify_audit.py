from django.core.management.base import BaseCommand, CommandError

from custos.audit.verify import first_break


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exit non-zero naming the first bad event."

    def handle(self, *args: object, **options: object) -> None:
        checked, problem = first_break()
        if problem is not None:
            raise CommandError(f"Audit chain broken at event #{problem.seq}: {problem.problem}.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
