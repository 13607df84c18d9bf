import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from custos.moderation.feedback import export


class Command(BaseCommand):
    help = (
        "Write moderators' labelled examples (flagged items they approved, clean items they escalated) as JSON Lines "
        "for `python -m custos.screening.train --extra FILE` (A.5.4). Audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="only examples recorded on or after this date, e.g. 2026-09-01")
        parser.add_argument("--out", help="write to this file instead of standard output")

    def handle(self, *args: Any, since: str | None = None, out: str | None = None, **options: Any) -> None:
        try:
            start = dt.date.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError(f"--since must be a date like 2026-09-01, not {since!r}.") from None
        if not out:
            export(lambda line: self.stdout.write(line, ending=""), since=start, destination="standard output")
            return
        try:
            with open(out, "w", encoding="utf-8") as file:
                count = export(file.write, since=start, destination=out)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror}.") from None
        self.stderr.write(f"{count} example(s) written to {out}.")
