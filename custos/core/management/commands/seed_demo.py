from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from custos.core.demo import DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = "Demo only (CUSTOS_DEBUG on): create the fictional demo trust (two schools, every role, 300 pupils)."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            # Its sign-ins share a published password and authenticator key: on a live database they are a back door.
            raise CommandError(
                "seed_demo works only in the demo (CUSTOS_DEBUG on). A real trust starts with manage.py setup_trust."
            )
        counts = seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo trust ready: {counts['schools']} schools, {counts['staff']} staff, {counts['pupils']} pupils. "
                f"Every demo sign-in uses the password {DEMO_PASSWORD}."
            )
        )
