from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from custos.core.backup import create_backup


class Command(BaseCommand):
    help = "Back up the database and uploaded files into one .tar.gz archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", help="e.g. /var/backups/custos-2026-11-23.tar.gz")

    def handle(self, *args: object, destination: str, **options: object) -> None:
        manifest = create_backup(Path(destination))
        self.stdout.write(self.style.SUCCESS(f"Backed up {len(manifest['files'])} files to {destination}."))
