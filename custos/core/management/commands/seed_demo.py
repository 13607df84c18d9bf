from django.core.management.base import BaseCommand

from custos.core.demo import DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = "Create the fictional demo trust (two schools, every role, staff and 300 pupils). Safe to run again."

    def handle(self, *args: object, **options: object) -> None:
        counts = seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo trust ready: {counts['schools']} schools, {counts['staff']} staff, {counts['pupils']} pupils. "
                f"Every demo sign-in uses the password {DEMO_PASSWORD}."
            )
        )
