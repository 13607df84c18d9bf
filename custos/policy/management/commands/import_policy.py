from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from custos.policy.actions import DEFAULT_POLICY, import_policy
from custos.policy.parser import PolicyFormatError


class Command(BaseCommand):
    help = "Import a policy in the Trust's Markdown form as a new version (the shipped policy by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_POLICY))
        parser.add_argument("--label", default="2026.1", help="The version's label, e.g. 2026.1")

    def handle(self, *args: object, path: str, label: str, **options: object) -> None:
        try:
            text = Path(path).read_text(encoding="utf-8")
            version, created = import_policy(text, label=label, by=None)
        except (OSError, UnicodeDecodeError, PolicyFormatError, ValueError) as exc:
            raise CommandError(f"Policy not imported: {exc}") from exc
        count = version.clauses.count()
        verb = "Imported" if created else "Already imported"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {version} with {count} clauses."))
