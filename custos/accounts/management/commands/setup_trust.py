import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from custos.accounts.trust_config import TrustConfigError, ask_interactively, read_file, read_spec
from custos.accounts.trust_setup import set_up_trust


class Command(BaseCommand):
    help = (
        "Set up the trust, its schools and the first administrator, who gets a one-time sign-in link (24 hours). "
        "Asks questions, or reads --config FILE.toml without asking (format: docs/setup.md). Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--config", type=Path, help="a TOML file describing the trust (docs/setup.md)")
        parser.add_argument("--new-link", action="store_true", help="issue the administrator a fresh sign-in link")

    def handle(self, *args: object, config: Path | None, new_link: bool, **options: object) -> None:
        try:
            if config is not None:
                spec = read_file(config)
            elif sys.stdin.isatty():
                spec = read_spec(ask_interactively(input, self.stdout.write), base_dir=Path.cwd())
            else:
                raise CommandError("Give --config FILE.toml, or run setup_trust in a terminal to answer its questions.")
            result = set_up_trust(spec, new_link=new_link)
        except TrustConfigError as error:
            raise CommandError(
                f"Nothing was written. {len(error.problems)} problem(s):\n"
                + "\n".join(f"  - {p}" for p in error.problems)
            ) from None
        for line in result.created:
            self.stdout.write(f"Created {line}")
        for line in result.updated:
            self.stdout.write(f"Updated {line}")
        if result.changed_nothing:
            self.stdout.write("Nothing changed: the trust is already set up as described.")
        if result.link:
            self.stdout.write(
                self.style.SUCCESS(f"One-time sign-in link for {result.administrator} (works once, for 24 hours):")
            )
            self.stdout.write(result.link)
            self.stdout.write("They choose a password there and set up their authenticator app. Send it privately.")
        elif result.link_expired:
            self.stdout.write(
                f"{result.administrator} has not signed in yet and their link has expired: run again with --new-link."
            )
