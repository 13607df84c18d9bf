from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.core.demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Demo only: print the current two-factor code of the demo's privileged sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default="")

    def handle(self, *args: object, username: str, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp works only in the demo (CUSTOS_DEBUG is off here).")
        devices = TOTPDevice.objects.filter(key=DEMO_TOTP_KEY)
        if username:
            devices = devices.filter(user__username=username)
        try:
            found = devices.exists()
        except DatabaseError:
            raise CommandError("There is no demo database here yet: run `python3 bootstrap.py demo` first.") from None
        if not found:
            raise CommandError(
                "No demo authenticator for that sign-in." if username else "This is not the demo's database."
            )
        code = totp(bytes.fromhex(DEMO_TOTP_KEY))
        self.stdout.write(f"{code:06d}  (valid for up to 30 seconds; the same code for every demo sign-in)")
