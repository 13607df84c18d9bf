from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from custos.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty, migrated install, then verify the audit chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source")

    def handle(self, *args: object, source: str, **options: object) -> None:
        try:
            manifest = restore_backup(Path(source))
        except (BackupError, OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Not restored: {exc}") from exc
        self.stdout.write(f"Restored the backup made at {manifest['created_at']}.")
        call_command("verify_audit", stdout=self.stdout)
